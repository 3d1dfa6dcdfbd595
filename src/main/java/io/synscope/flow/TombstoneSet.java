package io.synscope.flow;

/**
 * 4-tuples of recently decided connections, with when each stops mattering: an open-addressing
 * set of 64-bit tuple hashes plus a ring of the same hashes in expiry order. No object per
 * entry: at tens of thousands of connections a second this set holds a second or two of them,
 * and it is consulted for every packet that belongs to no open connection, SYNs aside.
 *
 * <p>An entry counts until its expiry whether or not {@link #expire} has swept it yet, so callers
 * may sweep as rarely as they like (memory is all that waits on it).
 *
 * <p>Identity is the 64-bit hash of the unordered endpoint pair ({@link TupleTable#hash64}); two
 * different tuples sharing one is a 2^-64 event, and its only effect would be one packet counted
 * as late.
 */
final class TombstoneSet {
    /** 0 marks an empty slot; a real hash of 0 is stored as 1. */
    private long[] keys = new long[1024];
    /** When each slot's tuple stops mattering (the latest of its additions). */
    private long[] expires = new long[1024];
    private int size;

    private long[] ringKeys = new long[256];
    private long[] ringExpires = new long[256];
    private int ringHead;
    private int ringSize;

    int size() {
        return size;
    }

    /** Whether {@code hash} was added and its expiry is not before {@code nowNanos}. */
    boolean contains(long hash, long nowNanos) {
        int slot = slotOf(hash == 0 ? 1 : hash);
        return slot >= 0 && expires[slot] >= nowNanos;
    }

    /** Adds {@code hash} until {@code expiresNanos}; expiry times must not decrease. */
    void add(long hash, long expiresNanos) {
        long k = hash == 0 ? 1 : hash;
        int slot = slotOf(k);
        if (slot < 0) {
            if ((size + 1) * 2 > keys.length) {
                rehash(keys.length * 2);
            }
            int mask = keys.length - 1;
            slot = (int) k & mask;
            while (keys[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = k;
            size++;
        }
        expires[slot] = expiresNanos;
        if (ringSize == ringKeys.length) {
            growRing();
        }
        int tail = (ringHead + ringSize) & (ringKeys.length - 1);
        ringKeys[tail] = k;
        ringExpires[tail] = expiresNanos;
        ringSize++;
    }

    /**
     * Forgets every entry that expired before {@code nowNanos}. A tuple added twice is queued
     * twice; its slot keeps the later expiry, so the earlier queue entry leaves it alone.
     */
    void expire(long nowNanos) {
        int ringMask = ringKeys.length - 1;
        while (ringSize > 0 && ringExpires[ringHead] < nowNanos) {
            int slot = slotOf(ringKeys[ringHead]);
            if (slot >= 0 && expires[slot] < nowNanos) {
                deleteSlot(slot);
            }
            ringHead = (ringHead + 1) & ringMask;
            ringSize--;
        }
    }

    private int slotOf(long k) {
        int mask = keys.length - 1;
        for (int i = (int) k & mask; keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == k) {
                return i;
            }
        }
        return -1;
    }

    private void deleteSlot(int hole) {
        int mask = keys.length - 1;
        keys[hole] = 0;
        size--;
        for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            // Move it unless its home lies cyclically in (hole, j]: then it is no farther from
            // home than the hole would put it. Distances instead of range tests: no branch
            // that only a probe run wrapping past the array's end would take.
            int home = (int) keys[j] & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                expires[hole] = expires[j];
                keys[j] = 0;
                hole = j;
            }
        }
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        long[] oldExpires = expires;
        keys = new long[capacity];
        expires = new long[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = (int) oldKeys[j] & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                expires[i] = oldExpires[j];
            }
        }
    }

    private void growRing() {
        int n = ringKeys.length;
        long[] k = new long[n * 2];
        long[] e = new long[n * 2];
        for (int i = 0; i < ringSize; i++) {
            k[i] = ringKeys[(ringHead + i) & (n - 1)];
            e[i] = ringExpires[(ringHead + i) & (n - 1)];
        }
        ringKeys = k;
        ringExpires = e;
        ringHead = 0;
    }
}
