package io.synscope.flow;

/** How synscope decided which side is the client. */
public enum RoleBasis {
    /** It sent the first SYN. */
    SYN("sent the first SYN"),
    /** It received the first SYN-ACK (the SYN itself was not captured). */
    SYN_ACK("received the SYN-ACK (SYN not captured)"),
    /** The other side's port was seen answering SYNs elsewhere in this capture. */
    LISTENER("the other side's port was seen listening"),
    /** The other side's port is below 1024. */
    WELL_KNOWN_PORT("the other side has a well-known port"),
    /** The other side's port is below the ephemeral range, this side's is in it. */
    EPHEMERAL_PORT("this side has the ephemeral port"),
    /** Nothing else to go on: the sender of the first packet seen. */
    FIRST_PACKET("it sent the first packet seen");

    private final String description;
    private final String key = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

    RoleBasis(String description) {
        this.description = description;
    }

    /** The lower-case, dashed name reports print ({@code well-known-port}). */
    public String key() {
        return key;
    }

    public String description() {
        return description;
    }
}
