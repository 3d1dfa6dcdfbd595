package io.synscope.flow;

import java.util.function.IntFunction;

/**
 * Open-addressing hash table from a 4-tuple, in either direction, to an {@link Entry}.
 * Looking a packet up allocates nothing (no key objects), which is what a packet loop at millions
 * of packets a second needs; {@link java.util.HashMap} would box a key per packet.
 *
 * <p>Linear probing with backward-shift deletion (no tombstones in the table itself),
 * power-of-two capacity, load factor at most 1/2. The hash is symmetric in the two endpoints so
 * both directions of a connection land on the same probe run.
 */
final class TupleTable<E extends TupleTable.Entry> {

    /** A keyed member; an entry is in at most one table at a time. */
    abstract static class Entry {
        long aHi;
        long aLo;
        int aPort;
        long bHi;
        long bLo;
        int bPort;
        int slot = -1;

        final void setKey(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
            this.aHi = aHi;
            this.aLo = aLo;
            this.aPort = aPort;
            this.bHi = bHi;
            this.bLo = bLo;
            this.bPort = bPort;
        }

        /** True when {@code (hi, lo, port)} is this entry's {@code a} side. */
        final boolean isA(long hi, long lo, int port) {
            return aPort == port && aLo == lo && aHi == hi;
        }
    }

    private Entry[] slots = new Entry[1024];
    /**
     * Each slot's full 64-bit hash: probes and shifts compare it before touching the entry
     * itself. 64 bits, not 32, so that two tuples sharing one never happens in practice and a
     * lookup's "same hash, other tuple" branch stays untaken
     * (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    private long[] hashes = new long[1024];
    private int size;

    int size() {
        return size;
    }

    /**
     * The member keyed by the tuple, in either direction, or null; {@code h} is its
     * {@link EndpointPairs#hash64}.
     */
    @SuppressWarnings("unchecked")
    E find(long h, long xHi, long xLo, int xPort, long yHi, long yLo, int yPort) {
        int mask = slots.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            Entry e = slots[i];
            if (e == null) {
                return null;
            }
            if (hashes[i] == h && matches(e, xHi, xLo, xPort, yHi, yLo, yPort)) {
                return (E) e;
            }
        }
    }

    /**
     * The members, in no particular order, in a new array (what a scan walks: the table may
     * change under it). No predicate: each scan filters in a loop of its own, because one call
     * site of predicates that every kind of scan passes through saw a new lambda class at each,
     * and C2 threw the compiled scan away each time
     * (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    @SuppressWarnings("unchecked")
    E[] members(IntFunction<E[]> newArray) {
        E[] found = newArray.apply(size);
        int n = 0;
        for (Entry e : slots) {
            if (e != null) {
                found[n++] = (E) e;
            }
        }
        return found;
    }

    /**
     * Adds {@code e}, whose key has the {@link EndpointPairs#hash64} {@code h} (the caller has it
     * at hand).
     */
    void insert(E e, long h) {
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        place(e, h);
        size++;
    }

    /** Takes {@code e} out; returns its key's hash. */
    long remove(E e) {
        int mask = slots.length - 1;
        int hole = e.slot;
        long removedHash = hashes[hole];
        slots[hole] = null;
        e.slot = -1;
        size--;
        // Backward shift: pull later members of the probe run into the hole when their home
        // slot does not lie cyclically in (hole, j].
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = (int) hashes[j] & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                Entry moved = slots[j];
                slots[hole] = moved;
                hashes[hole] = hashes[j];
                moved.slot = hole;
                slots[j] = null;
                hole = j;
            }
        }
        return removedHash;
    }

    private void place(Entry e, long h) {
        int mask = slots.length - 1;
        int i = (int) h & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = e;
        hashes[i] = h;
        e.slot = i;
    }

    private void grow() {
        Entry[] old = slots;
        long[] oldHashes = hashes;
        slots = new Entry[old.length * 2];
        hashes = new long[old.length * 2];
        for (int j = 0; j < old.length; j++) {
            if (old[j] != null) {
                place(old[j], oldHashes[j]);
            }
        }
    }

    /**
     * Field differences OR-ed together, one test per direction
     * (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    private static boolean matches(Entry e, long xHi, long xLo, int xPort,
                                   long yHi, long yLo, int yPort) {
        return EndpointPairs.same(e.aHi, e.aLo, e.aPort, e.bHi, e.bLo, e.bPort,
                xHi, xLo, xPort, yHi, yLo, yPort);
    }
}
