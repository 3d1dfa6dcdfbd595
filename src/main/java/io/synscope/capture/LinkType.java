package io.synscope.capture;

/**
 * LINKTYPE_* values (tcpdump.org/linktypes.html). A link type is a 16-bit value: pcap keeps
 * flags in the upper bits of the header's 32-bit field (FCS length), so readers mask with
 * {@link #MASK}.
 */
public final class LinkType {
    public static final int MASK = 0xFFFF;

    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    /** Raw IP as some old libpcaps wrote it (DLT_RAW on OpenBSD is 14, on others 12). */
    public static final int RAW_OLD_12 = 12;
    public static final int RAW_OLD_14 = 14;
    public static final int LOOP = 108;
    public static final int RAW = 101;
    public static final int LINUX_SLL = 113;
    /** IP over InfiniBand: Linux's 44-byte pseudo-header, EtherType at offset 40. */
    public static final int IPOIB = 242;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /** A short name for reports, e.g. {@code "ethernet"}; unknown types as {@code "linktype-N"}. */
    public static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "null";
            case ETHERNET -> "ethernet";
            case RAW_OLD_12, RAW_OLD_14, RAW -> "raw";
            case LOOP -> "loop";
            case LINUX_SLL -> "linux-sll";
            case IPOIB -> "ipoib";
            case IPV4 -> "ipv4";
            case IPV6 -> "ipv6";
            case LINUX_SLL2 -> "linux-sll2";
            default -> "linktype-" + linkType;
        };
    }
}
