package io.synscope.decode;

/**
 * Why a frame did not yield a TCP segment. Every skipped frame is counted under one reason and
 * reported; nothing is dropped silently.
 */
public enum SkipReason {
    UNSUPPORTED_LINK_TYPE("link type synscope cannot decode"),
    NOT_IP("not IPv4/IPv6 (ARP, LLDP, …)"),
    NOT_TCP("IP but not TCP (UDP, ICMP, …)"),
    IP_FRAGMENT("non-first IPv4/IPv6 fragment"),
    TRUNCATED("frame cut by the snap length before the TCP header ended"),
    MALFORMED("malformed header (bad length or version)");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    /** A phrase for reports. */
    public String description() {
        return description;
    }

    /** Stable snake_case name for JSON. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
