package io.synscope.testutil;

import io.synscope.decode.TcpSegment;

/** Test helpers for {@link TcpSegment}, which has no equals: it is a reused scratch object. */
public final class Segments {
    private Segments() {
    }

    /** Every field, in declaration order: equal strings mean equal segments. */
    public static String fields(TcpSegment s) {
        return s.ipVersion + " " + s.srcHi + " " + s.srcLo + " " + s.dstHi + " " + s.dstLo + " "
                + s.srcPort + " " + s.dstPort + " " + s.seq + " " + s.ack + " " + s.flags + " "
                + s.window + " " + s.payloadLength + " " + s.ipId + " " + s.hasTimestamps + " "
                + s.tsVal + " " + s.tsEcr + " " + s.mss + " " + s.tsNanos + " " + s.frameNumber;
    }
}
