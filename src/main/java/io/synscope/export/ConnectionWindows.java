package io.synscope.export;

import io.synscope.flow.EndpointPairs;

import java.util.Arrays;

/**
 * The connections an export holds, each as its address/port pair (client to server) and the
 * time window its packets fall in: what a packet of the second pass is matched against. Kept in
 * primitive arrays, about 70 bytes a connection, because an export of a capture's failures may
 * hold hundreds of thousands of them.
 *
 * <p>Addresses are two longs each, IPv4 mapped into IPv6, as {@code TcpSegment} has them. Not
 * thread-safe: filled by the analysis (one sink call at a time), then read by the export.
 */
final class ConnectionWindows {
    /** Per connection: client hi, client lo, server hi, server lo. */
    private long[] addresses = new long[4 * 64];
    /** Per connection: client port, server port. */
    private int[] ports = new int[2 * 64];
    private long[] fromNanos = new long[64];
    private long[] toNanos = new long[64];
    /** The next connection in the same bucket, or -1. */
    private int[] next = new int[64];
    /** Per bucket, its first connection, or -1; a power of two long. */
    private int[] buckets = newBuckets(128);
    private int size;

    /** Adds a connection whose packets are those between {@code from} and {@code to}. */
    void add(long clientHi, long clientLo, int clientPort, long serverHi, long serverLo,
             int serverPort, long from, long to) {
        if (size == fromNanos.length) {
            int n = size * 2;
            addresses = Arrays.copyOf(addresses, 4 * n);
            ports = Arrays.copyOf(ports, 2 * n);
            fromNanos = Arrays.copyOf(fromNanos, n);
            toNanos = Arrays.copyOf(toNanos, n);
            next = Arrays.copyOf(next, n);
        }
        int i = size++;
        addresses[4 * i] = clientHi;
        addresses[4 * i + 1] = clientLo;
        addresses[4 * i + 2] = serverHi;
        addresses[4 * i + 3] = serverLo;
        ports[2 * i] = clientPort;
        ports[2 * i + 1] = serverPort;
        fromNanos[i] = from;
        toNanos[i] = to;
        if (size > buckets.length / 2) {
            rehash(buckets.length * 2);
        } else {
            link(i);
        }
    }

    /** How many connections were added. */
    int size() {
        return size;
    }

    /**
     * Whether a packet from {@code src} to {@code dst} at {@code tsNanos} belongs to one: one
     * walk of one bucket, since a pair's bucket is the same whichever way its packet goes.
     */
    boolean matches(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort,
                    long tsNanos) {
        for (int i = buckets[bucket(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort)]; i >= 0;
                i = next[i]) {
            if (tsNanos >= fromNanos[i] && tsNanos <= toNanos[i]
                    && EndpointPairs.same(addresses[4 * i], addresses[4 * i + 1], ports[2 * i],
                    addresses[4 * i + 2], addresses[4 * i + 3], ports[2 * i + 1],
                    srcHi, srcLo, srcPort, dstHi, dstLo, dstPort)) {
                return true;
            }
        }
        return false;
    }

    private void link(int i) {
        int b = bucket(addresses[4 * i], addresses[4 * i + 1], ports[2 * i],
                addresses[4 * i + 2], addresses[4 * i + 3], ports[2 * i + 1]);
        next[i] = buckets[b];
        buckets[b] = i;
    }

    private void rehash(int bucketCount) {
        buckets = newBuckets(bucketCount);
        for (int i = 0; i < size; i++) {
            link(i);
        }
    }

    /** The same for either order of the two endpoints ({@link EndpointPairs#hash64}). */
    private int bucket(long cHi, long cLo, int cPort, long sHi, long sLo, int sPort) {
        return (int) EndpointPairs.hash64(cHi, cLo, cPort, sHi, sLo, sPort)
                & (buckets.length - 1);
    }

    private static int[] newBuckets(int n) {
        int[] b = new int[n];
        Arrays.fill(b, -1);
        return b;
    }
}
