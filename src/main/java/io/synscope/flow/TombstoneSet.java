package io.synscope.flow;

import java.util.Arrays;

/**
 * 4-tuples of recently decided connections, with when each stops mattering. At tens of
 * thousands of connections a second this set holds a second or two of them, and it is consulted
 * for every packet that belongs to no open connection, SYNs aside.
 *
 * <p>Two generations of an open-addressing table of {@code (hash, expiry)} pairs, no object per
 * entry. Entries go into the current generation; once everything in the previous one has
 * expired, {@link #expire} drops it whole and the current one takes its place. No entry is ever
 * deleted on its own: that would cost a probe (a cache miss in a big table) per decided
 * connection, while dropping a generation is one pass over memory already in order. With
 * expiries at most a lifetime L ahead, a generation spans about L of additions, so the set holds
 * at most about 2L of them.
 *
 * <p>An entry counts until its expiry whether or not {@link #expire} has dropped it yet, so
 * callers may call it as rarely as they like (memory is all that waits on it).
 *
 * <p>Identity is the 64-bit hash of the unordered endpoint pair ({@link EndpointPairs#hash64}); two
 * different tuples sharing one is a 2^-64 event, and its only effect would be one packet counted
 * as late.
 */
final class TombstoneSet {
    /**
     * Additions wait here and go into the table this many at a time. Each lands on a random slot
     * of a table bigger than the processor's caches; in a loop of nothing but independent inserts
     * the processor waits for many of those misses at once instead of one after another, which
     * measured twice as fast as inserting each as its connection closes.
     */
    private static final int PENDING = 64;

    private Generation current = new Generation();
    private Generation previous = new Generation();
    private final long[] pendingKeys = new long[PENDING];
    private final long[] pendingExpires = new long[PENDING];
    private int pendingCount;

    /**
     * Entries held, expired ones not yet dropped included: 0 means {@link #contains} is false
     * for everything.
     */
    int size() {
        return current.size + previous.size + pendingCount;
    }

    /** Whether {@code hash} was added and its expiry is not before {@code nowNanos}. */
    boolean contains(long hash, long nowNanos) {
        flush();
        long k = key(hash);
        return current.expiryOf(k) >= nowNanos || previous.expiryOf(k) >= nowNanos;
    }

    /** Adds {@code hash} until {@code expiresNanos}; expiry times must not decrease. */
    void add(long hash, long expiresNanos) {
        pendingKeys[pendingCount] = key(hash);
        pendingExpires[pendingCount] = expiresNanos;
        if (++pendingCount == PENDING) {
            flush();
        }
    }

    /** Moves the pending additions into the table; anything that reads the table calls it first. */
    private void flush() {
        for (int i = 0; i < pendingCount; i++) {
            current.put(pendingKeys[i], pendingExpires[i]);
        }
        pendingCount = 0;
    }

    /** Drops what expired before {@code nowNanos}, a generation at a time. */
    void expire(long nowNanos) {
        flush();
        // Twice at most: after a long quiet spell both generations have expired.
        while (size() > 0 && previous.latestExpiry < nowNanos) {
            Generation dropped = previous;
            dropped.clear();
            previous = current;
            current = dropped;
        }
    }

    /** 0 marks an empty slot; a real hash of 0 is stored as 1. */
    private static long key(long hash) {
        return hash == 0 ? 1 : hash;
    }

    /** Linear probing over interleaved {@code key, expiry} words: one cache line per probe. */
    private static final class Generation {
        private long[] slots = new long[2 * 1024];
        private int size;
        /** The expiry added last, which is the latest (they do not decrease). */
        long latestExpiry = Long.MIN_VALUE;

        /** The expiry of {@code k}, or {@link Long#MIN_VALUE} when it is not here. */
        long expiryOf(long k) {
            int mask = slots.length / 2 - 1;
            for (int i = (int) k & mask; slots[2 * i] != 0; i = (i + 1) & mask) {
                if (slots[2 * i] == k) {
                    return slots[2 * i + 1];
                }
            }
            return Long.MIN_VALUE;
        }

        void put(long k, long expiresNanos) {
            if ((size + 1) * 4 > slots.length) { // load factor at most 1/2
                grow();
            }
            int mask = slots.length / 2 - 1;
            int i = (int) k & mask;
            while (slots[2 * i] != 0 && slots[2 * i] != k) {
                i = (i + 1) & mask;
            }
            if (slots[2 * i] == 0) {
                slots[2 * i] = k;
                size++;
            }
            slots[2 * i + 1] = expiresNanos;
            latestExpiry = expiresNanos;
        }

        void clear() {
            if (size > 0) {
                Arrays.fill(slots, 0);
                size = 0;
            }
            latestExpiry = Long.MIN_VALUE;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            int mask = slots.length / 2 - 1;
            for (int j = 0; j < old.length; j += 2) {
                if (old[j] != 0) {
                    int i = (int) old[j] & mask;
                    while (slots[2 * i] != 0) {
                        i = (i + 1) & mask;
                    }
                    slots[2 * i] = old[j];
                    slots[2 * i + 1] = old[j + 1];
                }
            }
        }
    }
}
