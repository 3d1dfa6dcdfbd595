package io.synscope.flow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One pass over an open connection's fields that either writes them into a compact byte string
 * (freezing an idle connection) or reads them back (thawing it): {@link Connection#transfer},
 * {@link Endpoint#transfer} and the {@link Facts} groups list their fields once, as
 * {@code field = t.kind(field)}, and the same list serves both directions, so the two cannot
 * drift apart. Writing, each call returns its value unchanged; reading, it returns the one read.
 *
 * <p>Encoding: each field is first a 64-bit word in a scratch array (numbers zigzagged; times
 * and frame numbers relative to the connection's first packet, {@link #setBases}, with 0 kept as
 * 0, "never"; booleans 64 to a word; a fact group as a presence word, left out with its fields
 * when every field of it is at its default), then the words are written in as few bytes as hold
 * each, with a 4-bit length each ({@link #finishWriting}), followed by the raw bytes
 * ({@link #bytes}). Why a byte string:
 * docs/performance.md#m1-connection-state.
 *
 * <p>One class for both directions, the direction a mask rather than a subclass or a branch: the
 * field lists are large methods that the JIT compiles while only freezing has happened yet, and
 * a type check or branch first met at the first thaw would throw them away
 * (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
 *
 * <p>Not thread-safe; a tracker owns one and reuses it.
 */
final class StateTransfer {
    /**
     * Words a connection can take: its fields, both endpoints' and all their groups' (about 150),
     * with room to spare; FrozenTableTest fills every field.
     */
    private static final int MAX_WORDS = 255;
    /** Bytes past the last word's end that a whole-word read of it may touch. */
    private static final int WORD_OVERHANG = Long.BYTES;
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Fields as words, in {@code transfer} order (a count of at most 255 fits a byte). */
    private final long[] words = new long[MAX_WORDS];
    private int wordCount;
    /** -1 while reading, 0 while writing. */
    private long readMask;
    private long baseTsNanos;
    private long baseFrame;
    /** The word that holds the current run of flags, and how many of its bits are used. */
    private int flagWord;
    private int flagBits = 64;
    private int groupStart;
    /** Raw bytes after the words: written here, or read from {@link #in} at {@link #rawPosition}. */
    private byte[] raw = new byte[1024];
    private int rawLength;
    private byte[] in;
    private int rawPosition;
    private byte[] out = new byte[4096];
    private final byte[] hashBytes = new byte[Long.BYTES];

    /** Starts writing a new byte string. */
    void startWriting() {
        readMask = 0;
        wordCount = 0;
        rawLength = 0;
        flagBits = 64;
    }

    /**
     * Encodes the words and raw bytes written since {@link #startWriting} into {@link #output()}
     * and returns their length: the word count, a 4-bit length per word, each word in as few
     * little-endian bytes as hold it, then the raw bytes. Whole-word stores, no loop per byte:
     * freezing and thawing a connection runs at every wake-up of a state-heavy capture's
     * connections (docs/performance.md#j5-no-loop-per-byte-on-the-packet-path). Reading the
     * last word back reads a whole word, so whoever keeps the bytes keeps
     * {@link #WORD_OVERHANG} readable bytes after them.
     */
    int finishWriting() {
        int n = wordCount;
        int lengths = 1 + (n + 1) / 2;
        int most = lengths + Long.BYTES * n + rawLength + WORD_OVERHANG;
        if (out.length < most) {
            out = new byte[2 * most];
        }
        Arrays.fill(out, 0, lengths, (byte) 0);
        out[0] = (byte) n;
        int p = lengths;
        for (int i = 0; i < n; i++) {
            long w = words[i];
            int bytes = (71 - Long.numberOfLeadingZeros(w)) >>> 3;
            out[1 + (i >>> 1)] |= (byte) (bytes << (4 * (i & 1)));
            LONG_LE.set(out, p, w);
            p += bytes;
        }
        System.arraycopy(raw, 0, out, p, rawLength);
        return p + rawLength;
    }

    /** What {@link #finishWriting} encoded, from index 0; valid until the next write. */
    byte[] output() {
        return out;
    }

    /**
     * Decodes the words of the byte string at {@code offset} of {@code in}; the fields are then
     * read in {@code transfer} order.
     */
    void startReading(byte[] in, int offset) {
        readMask = -1;
        this.in = in;
        rawPosition = readWords(in, offset, words, MAX_WORDS);
        wordCount = 0;
        flagBits = 64;
    }

    /**
     * Decodes the first {@code count} words (all of them if there are fewer) of the byte string
     * at {@code offset} into {@code into}, as written: zigzagged, relative, flags. Returns where
     * the bytes after the last word decoded begin.
     */
    static int readWords(byte[] in, int offset, long[] into, int count) {
        int n = Math.min(in[offset] & 0xFF, count);
        int p = offset + 1 + ((in[offset] & 0xFF) + 1) / 2;
        for (int i = 0; i < n; i++) {
            int bytes = (in[offset + 1 + (i >>> 1)] >>> (4 * (i & 1))) & 0xF;
            long mask = (-1L >>> (64 - 8 * bytes)) & -(long) ((bytes + 7) >>> 3);
            into[i] = (long) LONG_LE.get(in, p) & mask;
            p += bytes;
        }
        return p;
    }

    /** A word {@link #num(long)} wrote, decoded. */
    static long fromNumber(long word) {
        return (word >>> 1) ^ -(word & 1);
    }

    /** A word {@link #time} or {@link #frame} wrote relative to {@code base}, decoded. */
    static long fromRelative(long word, long base) {
        long back = word - 1;
        return (base + ((back >>> 1) ^ -(back & 1))) & -((word | -word) >>> 63);
    }

    /**
     * The key of {@code e}, as six numbers: written first, so that a frozen record is found
     * and moved by its key without thawing it ({@link FrozenTable}).
     */
    void key(TupleTable.Entry e) {
        e.setKey(num(e.aHi), num(e.aLo), num(e.aPort), num(e.bHi), num(e.bLo), num(e.bPort));
    }

    /** The next word: {@code w}, written, or the word read. */
    private long word(long w) {
        int i = wordCount++;
        long r = (words[i] & readMask) | (w & ~readMask);
        words[i] = r;
        return r;
    }

    /** Times and frames from here on are relative to these (the connection's first packet). */
    void setBases(long tsNanos, long frame) {
        baseTsNanos = tsNanos;
        baseFrame = frame;
    }

    long num(long v) {
        return fromNumber(word((v << 1) ^ (v >> 63)));
    }

    int num(int v) {
        return (int) num((long) v);
    }

    /** A capture time, 0 for "never". */
    long time(long tsNanos) {
        return relative(tsNanos, baseTsNanos);
    }

    /** A frame number, 0 for "none". */
    long frame(long frame) {
        return relative(frame, baseFrame);
    }

    /** {@code v - base} zigzagged plus one, 0 for 0; without a branch (both are common). */
    private long relative(long v, long base) {
        long d = v - base;
        return fromRelative(word((((d << 1) ^ (d >> 63)) + 1) & -((v | -v) >>> 63)), base);
    }

    boolean flag(boolean v) {
        if (flagBits == 64) {
            flagWord = wordCount;
            word(0);
            flagBits = 0;
        }
        long bit = 1L << flagBits++;
        words[flagWord] |= bit & -(v ? 1L : 0L) & ~readMask;
        return (words[flagWord] & bit) != 0;
    }

    /** One of {@code values} by its ordinal. */
    <E extends Enum<E>> E choice(E v, E[] values) {
        return values[(int) word(v.ordinal())];
    }

    /**
     * A fact group's presence: {@code present}, written, or whether the group was written; the
     * caller then transfers the group's fields and calls {@link #endGroup}. A group's flags are
     * a run of their own, inside the group's words.
     */
    boolean group(boolean present) {
        flagBits = 64;
        groupStart = wordCount;
        return word(present ? 1 : 0) != 0;
    }

    /**
     * After a group's fields: a group whose every field was at its default is left out. (Read
     * back, a group is never all defaults, so the same test changes nothing then.)
     */
    void endGroup() {
        flagBits = 64;
        long any = 0;
        for (int i = groupStart + 1; i < wordCount; i++) {
            any |= words[i];
        }
        if (any == 0) {
            words[groupStart] = 0;
            wordCount = groupStart + 1;
        }
    }

    /** A 64-bit hash, as 8 raw bytes (a varint of one takes 10). */
    long hash(long h) {
        byte[] b = hashBytes;
        for (int i = 0; i < Long.BYTES; i++) {
            b[i] = (byte) (h >>> (8 * i));
        }
        b = bytes(b, Long.BYTES, 0);
        long r = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            r |= (b[i] & 0xFFL) << (8 * i);
        }
        return r;
    }

    /**
     * {@code length} bytes of {@code bytes}: written after the words, or read into
     * {@code bytes}, or into a new array when that has less than {@code length + room}.
     */
    byte[] bytes(byte[] bytes, int length, int room) {
        if (readMask == 0) {
            if (rawLength + length > raw.length) {
                raw = Arrays.copyOf(raw, 2 * (rawLength + length));
            }
            System.arraycopy(bytes, 0, raw, rawLength, length);
            rawLength += length;
            return bytes;
        }
        byte[] into = bytes.length >= length + room ? bytes : new byte[length + room];
        System.arraycopy(in, rawPosition, into, 0, length);
        rawPosition += length;
        return into;
    }
}
