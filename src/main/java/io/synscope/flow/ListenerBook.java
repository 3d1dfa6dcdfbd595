package io.synscope.flow;

import io.synscope.decode.TcpSegment;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Endpoints seen answering SYNs, and from which frame on. They tell the roles of connections
 * caught mid-stream. Written by one thread (whoever sees packets in capture order) and read by
 * any: a lookup asks "known as a listener before frame F?", so the answer depends only on the
 * capture, not on how far another thread has got.
 */
final class ListenerBook {
    /** Beyond this many listeners (a SYN-ACK scan of the capture's hosts?) no more are learnt. */
    private static final int MAX_LISTENERS = 65_536;

    private record Key(long hi, long lo, int port) {
        // Written out: a record's generated ones bootstrap java.lang.invoke
        // (docs/performance.md#s1-nothing-on-the-first-packets-that-bootstraps-javalanginvoke).
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hi == hi && k.lo == lo && k.port == port;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hi * 31 + lo) * 31 + port;
        }
    }

    private static final int RECENT = 64;

    private final ConcurrentHashMap<Key, Long> firstFrame = new ConcurrentHashMap<>();
    // The writer's memory of listeners it already recorded (direct-mapped, never wrong when it
    // says yes: entries are only ever added): a SYN-ACK from a known server then costs no key.
    private final long[] recentHi = new long[RECENT];
    private final long[] recentLo = new long[RECENT];
    private final int[] recentPort = new int[RECENT];

    /**
     * Learns from {@code s} if it is a SYN-ACK (even one trailing a closed connection): its
     * sender listens. Single writer, in capture order.
     */
    void learnFrom(TcpSegment s) {
        if ((s.flags & (TcpSegment.SYN | TcpSegment.ACK)) == (TcpSegment.SYN | TcpSegment.ACK)) {
            learn(s.srcHi, s.srcLo, s.srcPort, s.frameNumber);
        }
    }

    /** Records that {@code (hi, lo, port)} sent a SYN-ACK in {@code frame}. */
    private void learn(long hi, long lo, int port, long frame) {
        int slot = (int) ((lo * 0x9E3779B97F4A7C15L + port) >>> 58);
        if (recentPort[slot] == port + 1 && recentLo[slot] == lo && recentHi[slot] == hi) {
            return;
        }
        if (firstFrame.size() < MAX_LISTENERS) {
            firstFrame.putIfAbsent(new Key(hi, lo, port), frame);
        }
        recentHi[slot] = hi;
        recentLo[slot] = lo;
        recentPort[slot] = port + 1; // + 1: a zeroed slot must not match port 0
    }

    /** True when {@code (hi, lo, port)} sent a SYN-ACK in a frame before {@code frame}. */
    boolean listensBefore(long hi, long lo, int port, long frame) {
        Long f = firstFrame.get(new Key(hi, lo, port));
        return f != null && f < frame;
    }
}
