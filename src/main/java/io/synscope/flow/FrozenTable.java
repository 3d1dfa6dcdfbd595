package io.synscope.flow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The open connections that have been silent for a while, each held as one record of bytes
 * ({@link StateTransfer}: its key, then every other field) in a slab of large pages, and found by
 * a hash table of their keys' hashes and records' addresses in two primitive arrays. No object
 * per connection: some 55 bytes less per frozen connection, holes included, than an object
 * holding a byte array each (its 88 bytes, the array's header and slack, against a length, the
 * key's words and the holes), and nothing for the collector to trace
 * (docs/performance.md#m1-connection-state).
 *
 * <p>A thawed record leaves a hole. When the page being written is full and a sixteenth of the
 * slab's bytes are holes, the page with the fewest live bytes is compacted in place (its records
 * slid to its start, each found in the table by its key's hash and its address updated) and
 * written on from there; otherwise a new page is added. So the slab stays within about a
 * fifteenth more than its records (with a quarter, a third more: 57 MB of holes in 217 on
 * bench/GenStateHeavy's capture, against 27 in 187 with an eighth; with a sixteenth, 122 MB
 * instead of 130 at its 5 M packets, and no more CPU that two runs each could see), and a record
 * moves only when a hole before it is reclaimed; the sparsest page of a state-heavy capture is
 * mostly holes (its connections came and went together), so few move.
 *
 * <p>Linear probing with backward-shift deletion, as {@link TupleTable}, whose hash this shares,
 * filled to three quarters, not half: a probe compares 32-bit hashes in a row of one array and
 * reads a record only when one matches, so a longer run costs little, and the state-heavy
 * capture's 593,000 frozen connections then fit 2^20 slots instead of 2^21, 8 MB less.
 * Not thread-safe; one per tracker.
 */
final class FrozenTable {
    /** 1 MiB pages: a few hundred for a capture with half a million connections frozen. */
    private static final int PAGE_BITS = 20;
    private static final int PAGE_BYTES = 1 << PAGE_BITS;
    /**
     * Records start at multiples of 4 bytes, so an address (page and offset in 4-byte units)
     * fits an int for 16 GiB of records; with 8, records averaged 3.5 bytes of padding.
     */
    private static final int ALIGN_BITS = 2;
    /** A record's first 4 bytes: its length (header included), negative once thawed. */
    private static final int HEADER = Integer.BYTES;
    /** The key's six words come first in a record, then {@link Connection#transfer}'s. */
    private static final int KEY_WORDS = 6;
    private static final int FIRST_FRAME = KEY_WORDS;
    private static final int FIRST_TS = KEY_WORDS + 1;
    /** A time is two words: microseconds, nanoseconds ({@link StateTransfer#time}). */
    private static final int LAST_TS = KEY_WORDS + 2;
    private static final int LAST_FRAME = KEY_WORDS + 4;
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Each slot's key hash ({@link EndpointPairs#hash64}), its low 32 bits: they place the slot,
     * and a record's key decides a match; 4 bytes a slot less than the whole hash, some 8 MB at
     * the state-heavy capture's peak (bench/README.md, "A smaller frozen record").
     */
    private int[] hashes = new int[1024];
    /** Each slot's record address plus one; 0 for an empty slot. */
    private int[] addresses = new int[1024];
    private int size;

    private byte[][] pages = new byte[16][];
    /** Bytes of each page written so far, and of those the records still frozen. */
    private int[] used = new int[16];
    private int[] live = new int[16];
    private int pageCount;
    private int writePage = -1;
    /** Bytes of thawed records in pages not yet compacted. */
    private long holeBytes;
    /** Scratch for a record's first words. */
    private final long[] head = new long[LAST_FRAME + 1];

    int size() {
        return size;
    }

    /** Freezes {@code c}, whose key has the hash {@code h}; {@code c} may then be reused. */
    void freeze(Connection c, long h, StateTransfer t) {
        t.startWriting();
        t.key(c);
        c.transfer(t);
        c.freezeEvents(t);
        int length = HEADER + t.finishWriting();
        int need = aligned(length);
        if (writePage < 0 || used[writePage] + need > PAGE_BYTES) {
            writePage = pageWithRoom(need);
        }
        byte[] page = pages[writePage];
        int offset = used[writePage];
        used[writePage] += need;
        live[writePage] += need;
        int address = addressOf(writePage, offset);
        INT_LE.set(page, offset, length);
        System.arraycopy(t.output(), 0, page, offset + HEADER, length - HEADER);
        if ((size + 1) * 4 > hashes.length * 3) {
            grow();
        }
        insert((int) h, address);
        size++;
    }

    /** The slot of the record keyed by the tuple, in either direction, or -1. */
    int find(long h, long xHi, long xLo, int xPort, long yHi, long yLo, int yPort) {
        int mask = hashes.length - 1;
        for (int i = (int) h & mask; addresses[i] != 0; i = (i + 1) & mask) {
            if (hashes[i] == (int) h && matches(addresses[i] - 1, xHi, xLo, xPort, yHi, yLo, yPort)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Thaws the record in {@code slot} into {@code c} (a pooled connection, whatever it held) and
     * takes it out; returns its key's hash (all 64 bits, from the key: the table keeps 32).
     */
    long thaw(int slot, Connection c, StateTransfer t) {
        int address = addresses[slot] - 1;
        t.startReading(pages[pageOf(address)], offsetOf(address) + HEADER);
        t.key(c);
        c.transfer(t);
        c.thawEvents(t);
        remove(slot);
        return EndpointPairs.hash64(c.aHi, c.aLo, c.aPort, c.bHi, c.bLo, c.bPort);
    }

    /** As {@link #thaw(int, Connection, StateTransfer)}, by the record's address. */
    long thawAt(int address, Connection c, StateTransfer t) {
        return thaw(slotOf(address), c, t);
    }

    /**
     * The addresses of every record, in no particular order. They stay valid while only thaws
     * happen: a freeze may move records.
     */
    int[] addresses() {
        int[] found = new int[size];
        int n = 0;
        for (int a : addresses) {
            if (a != 0) {
                found[n++] = a - 1;
            }
        }
        return found;
    }

    /** As {@link #addresses()}, ordered by first frame: the order the connections started in. */
    int[] addressesInStartOrder() {
        int[] found = addresses();
        long[] firstFrames = new long[found.length];
        for (int i = 0; i < found.length; i++) {
            firstFrames[i] = firstFrame(found[i]);
        }
        long[] sorted = firstFrames.clone();
        Arrays.sort(sorted);
        // First frames are unique (a connection's id): each one's rank is its place.
        int[] ordered = new int[found.length];
        for (int i = 0; i < found.length; i++) {
            ordered[Arrays.binarySearch(sorted, firstFrames[i])] = found[i];
        }
        return ordered;
    }

    long firstFrame(int address) {
        readHead(address);
        return StateTransfer.fromNumber(head[FIRST_FRAME]);
    }

    long lastFrame(int address) {
        readHead(address);
        long first = StateTransfer.fromNumber(head[FIRST_FRAME]);
        return StateTransfer.fromNearer(head[LAST_FRAME], first, first);
    }

    long lastTsNanos(int address) {
        readHead(address);
        long firstMicros = Math.floorDiv(StateTransfer.fromNumber(head[FIRST_TS]),
                StateTransfer.NANOS_PER_MICRO);
        return StateTransfer.fromTime(head[LAST_TS], head[LAST_TS + 1], firstMicros, firstMicros);
    }

    /** Bytes the slab's pages take (for tests and measurements). */
    long slabBytes() {
        return (long) pageCount * PAGE_BYTES;
    }

    /** Bytes of the records frozen now, each rounded up to a multiple of 4 (ALIGN_BITS). */
    long recordBytes() {
        long sum = 0;
        for (int p = 0; p < pageCount; p++) {
            sum += live[p];
        }
        return sum;
    }

    private void readHead(int address) {
        StateTransfer.readWords(pages[pageOf(address)], offsetOf(address) + HEADER, head, head.length);
    }

    /** Whether the record at {@code address} is keyed by the tuple, in either direction. */
    private boolean matches(int address, long xHi, long xLo, int xPort, long yHi, long yLo,
                            int yPort) {
        StateTransfer.readWords(pages[pageOf(address)], offsetOf(address) + HEADER, head, KEY_WORDS);
        return EndpointPairs.same(head[0], StateTransfer.keyLo(head[1]), head[2], head[3],
                StateTransfer.keyLo(head[4]), head[5], xHi, xLo, xPort, yHi, yLo, yPort);
    }

    /** The slot holding {@code address}: found from its key's hash, read from the record. */
    private int slotOf(int address) {
        StateTransfer.readWords(pages[pageOf(address)], offsetOf(address) + HEADER, head, KEY_WORDS);
        long h = EndpointPairs.hash64(head[0], StateTransfer.keyLo(head[1]), (int) head[2],
                head[3], StateTransfer.keyLo(head[4]), (int) head[5]);
        int mask = hashes.length - 1;
        int i = (int) h & mask;
        while (addresses[i] != address + 1) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Takes the record in {@code slot} out, leaving a hole in its page. */
    private void remove(int slot) {
        int address = addresses[slot] - 1;
        int page = pageOf(address);
        int offset = offsetOf(address);
        int length = (int) INT_LE.get(pages[page], offset);
        INT_LE.set(pages[page], offset, -length);
        live[page] -= aligned(length);
        holeBytes += aligned(length);
        int mask = hashes.length - 1;
        int hole = slot;
        addresses[hole] = 0;
        size--;
        // Backward shift, as TupleTable.remove.
        for (int j = (hole + 1) & mask; addresses[j] != 0; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                addresses[hole] = addresses[j];
                hashes[hole] = hashes[j];
                addresses[j] = 0;
                hole = j;
            }
        }
    }

    private void insert(int h, int address) {
        int mask = hashes.length - 1;
        int i = (int) h & mask;
        while (addresses[i] != 0) {
            i = (i + 1) & mask;
        }
        hashes[i] = h;
        addresses[i] = address + 1;
    }

    private void grow() {
        int[] oldHashes = hashes;
        int[] oldAddresses = addresses;
        hashes = new int[oldHashes.length * 2];
        addresses = new int[oldAddresses.length * 2];
        for (int j = 0; j < oldHashes.length; j++) {
            if (oldAddresses[j] != 0) {
                insert(oldHashes[j], oldAddresses[j] - 1);
            }
        }
    }

    /**
     * The page to write on: the one with the fewest live bytes, compacted, when a sixteenth of the
     * slab is holes and that makes room for {@code need} bytes; else a new one.
     */
    private int pageWithRoom(int need) {
        if (holeBytes * 16 > (long) pageCount * PAGE_BYTES) {
            int sparsest = 0;
            for (int p = 1; p < pageCount; p++) {
                if (live[p] < live[sparsest]) {
                    sparsest = p;
                }
            }
            compact(sparsest);
            if (used[sparsest] + need <= PAGE_BYTES) {
                return sparsest;
            }
        }
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, 2 * pageCount);
            used = Arrays.copyOf(used, 2 * pageCount);
            live = Arrays.copyOf(live, 2 * pageCount);
        }
        // A whole word's room past the last record: reading its last field reads a word.
        pages[pageCount] = new byte[PAGE_BYTES + Long.BYTES];
        return pageCount++;
    }

    /** Slides page {@code p}'s records to its start, over the holes thawed records left. */
    private void compact(int p) {
        byte[] page = pages[p];
        int to = 0;
        for (int offset = 0; offset < used[p]; ) {
            int length = (int) INT_LE.get(page, offset);
            int step = aligned(Math.abs(length));
            if (length > 0) {
                if (to != offset) {
                    int slot = slotOf(addressOf(p, offset));
                    System.arraycopy(page, offset, page, to, length);
                    addresses[slot] = addressOf(p, to) + 1;
                }
                to += step;
            }
            offset += step;
        }
        holeBytes -= used[p] - to;
        used[p] = to;
    }

    private static int aligned(int length) {
        return (length + (1 << ALIGN_BITS) - 1) & -(1 << ALIGN_BITS);
    }

    private static int addressOf(int page, int offset) {
        return page << (PAGE_BITS - ALIGN_BITS) | offset >>> ALIGN_BITS;
    }

    private static int pageOf(int address) {
        return address >>> (PAGE_BITS - ALIGN_BITS);
    }

    private static int offsetOf(int address) {
        return (address & ((1 << (PAGE_BITS - ALIGN_BITS)) - 1)) << ALIGN_BITS;
    }
}
