package io.synscope.flow;

/** Why the tracker stopped following a connection. */
public enum Decision {
    /** Reset, or closed by a FIN each way with both FINs acknowledged. */
    CLOSED,
    /** No packet for the idle timeout. */
    IDLE,
    /**
     * Nothing but SYNs and SYN-ACKs, and no retry within the handshake window: the side that
     * was retrying gave up (see {@link AnalysisConfig#handshakeWindowNanos}).
     */
    HANDSHAKE_TIMEOUT,
    /** A new SYN with a different ISN reused the 4-tuple (port reuse). */
    SUPERSEDED,
    /** The capture ended while it was still open. */
    CAPTURE_END,
    /**
     * Decided before its time because more connections were open at once than the heap holds
     * ({@link AnalysisConfig#maxOpenConnections()}): the oldest handshake-only ones go first,
     * the way conntrack drops unassured entries when its table is full.
     */
    MEMORY_CAP;

    private final String key = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

    /** The lower-case, dashed name reports print ({@code capture-end}). */
    public String key() {
        return key;
    }
}
