package io.synscope.flow;

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
    }

    private final ConcurrentHashMap<Key, Long> firstFrame = new ConcurrentHashMap<>();

    /** Records that {@code (hi, lo, port)} sent a SYN-ACK in {@code frame}. */
    void learn(long hi, long lo, int port, long frame) {
        if (firstFrame.size() < MAX_LISTENERS) {
            firstFrame.putIfAbsent(new Key(hi, lo, port), frame);
        }
    }

    /** True when {@code (hi, lo, port)} sent a SYN-ACK in a frame before {@code frame}. */
    boolean listensBefore(long hi, long lo, int port, long frame) {
        Long f = firstFrame.get(new Key(hi, lo, port));
        return f != null && f < frame;
    }
}
