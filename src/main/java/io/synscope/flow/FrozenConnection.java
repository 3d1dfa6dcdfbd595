package io.synscope.flow;

/**
 * An open connection that has been silent for a while, held as its key and one byte string of
 * its fields ({@link Connection#transfer}) instead of a {@link Connection} with its endpoints,
 * fact groups and event log: a few hundred bytes instead of some 900, and two objects for the
 * collector instead of seven (docs/performance.md#m1-connection-state). The tracker thaws it
 * back into a pooled {@link Connection} at its next packet, or when a scan, the memory cap or
 * the capture's end has to decide it; the round trip gives back every field as it was.
 *
 * <p>Mutable and pooled by {@link FlowTracker}, like a {@link Connection}.
 */
final class FrozenConnection extends TupleTable.Entry {
    /**
     * The connection's fields but its key, as {@link Connection#transfer} wrote them. A pooled
     * one keeps its array, and the next connection frozen into it reuses it if it fits: most
     * freezing then allocates nothing, and the thawed connections' records do not fill the old
     * generation with garbage (docs/performance.md#m1-connection-state).
     */
    byte[] state;
    // What scans, the memory cap and the capture's end order and select by, without thawing.
    long firstFrame;
    long lastFrame;
    long lastTsNanos;

    /** Freezes {@code c} into this (which takes its key); {@code c} may then be reused. */
    void freeze(Connection c, StateTransfer writer) {
        setKey(c.aHi, c.aLo, c.aPort, c.bHi, c.bLo, c.bPort);
        firstFrame = c.firstFrame;
        lastFrame = c.lastFrame;
        lastTsNanos = c.lastTsNanos;
        writer.startWriting();
        c.transfer(writer);
        state = writer.finishWriting(state);
    }

    /** Thaws this into {@code c} (a pooled connection, whatever it held); this may then be reused. */
    void thaw(Connection c, StateTransfer reader) {
        c.setKey(aHi, aLo, aPort, bHi, bLo, bPort);
        reader.startReading(state);
        c.transfer(reader);
    }
}
