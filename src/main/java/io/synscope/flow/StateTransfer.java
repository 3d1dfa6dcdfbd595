package io.synscope.flow;

import io.synscope.capture.Addresses;

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
 * <p>Encoding: each field is first a 64-bit word in a scratch array (numbers zigzagged; 32-bit
 * sequence numbers as their difference from one the record already holds, {@link #wrapped};
 * times and frame numbers relative to whichever is nearer of the connection's first and last
 * packet, {@link #setBases} and {@link #setLatest}, with 0 kept as 0, "never"; times as whole
 * microseconds and a second word for the nanoseconds left, 0 on a capture whose clock counts
 * microseconds; booleans 64 to a word; a fact group as a presence word, left out with its fields
 * when every field of it is at its default), then the words are written in as few bytes as hold
 * each, with a length code each ({@link #CODE}, {@link #finishWriting}), followed by blocks of
 * words whose count their reader knows ({@link #writeBlock}: the ladder's events). Why a byte
 * string and what each part costs:
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
     * Words a connection can take: its fields, both endpoints' and all their groups' (about
     * 165, a time taking two), with room to spare; FrozenTableTest fills every field.
     */
    private static final int MAX_WORDS = 255;
    /** Bytes past the last word's end that a whole-word read of it may touch. */
    private static final int WORD_OVERHANG = Long.BYTES;
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** The byte length of a run of words' codes, before them: a block may have thousands. */
    private static final int CODES_HEADER = Short.BYTES;
    /**
     * A word's length code by the bytes that hold it (0-8; a word of 7 bytes takes 8): a prefix
     * code, read from the lowest bit up: 0 bytes "0", 1 byte "10", 2 bytes "110", 3-6 or 8
     * bytes "111" and 3 bits more. Most words are 0-2 bytes (bench/README.md, "Frozen records,
     * smaller again": of the state-heavy capture's 104 words a record, 37 are 0 and 45 one
     * byte), so the codes take some 2.2 bits a word where a 3-bit code each took 3.
     */
    private static final int[] CODE = new int[9];
    private static final int[] CODE_BITS = new int[9];
    /** Bytes a word of {@code n} bytes is written in: {@code n}, but 8 for 7. */
    private static final int[] WRITTEN_BYTES = {0, 1, 2, 3, 4, 5, 6, 8, 8};
    /** By a code's first 6 bits: the word's bytes, and the code's bits above them (<< 4). */
    private static final byte[] DECODE = new byte[64];
    /** The longest code's bits. */
    private static final int MAX_CODE_BITS = 6;
    /** The long lengths of "111" codes, by the 3 bits that follow. */
    private static final int[] LONG_LENGTHS = {3, 4, 5, 6, 8};

    static {
        for (int bytes = 0; bytes <= 8; bytes++) {
            int written = WRITTEN_BYTES[bytes];
            int longCode = Arrays.binarySearch(LONG_LENGTHS, written);
            CODE[bytes] = written < 3 ? (1 << written) - 1 : 7 | longCode << 3;
            CODE_BITS[bytes] = written < 3 ? written + 1 : 6;
        }
        for (int x = 0; x < 64; x++) {
            int ones = Integer.numberOfTrailingZeros(~x);
            int bytes = ones < 3 ? ones : LONG_LENGTHS[Math.min((x >>> 3) & 7, 4)];
            DECODE[x] = (byte) (bytes | (ones < 3 ? ones + 1 : 6) << 4);
        }
    }

    static final long NANOS_PER_MICRO = 1000;

    /** Fields as words, in {@code transfer} order (a count of at most 255 fits a byte). */
    private final long[] words = new long[MAX_WORDS];
    private int wordCount;
    /** -1 while reading, 0 while writing. */
    private long readMask;
    private long baseTsNanos;
    private long baseFrame;
    private long latestFrame;
    /** The two bases of times, in whole microseconds. */
    private long baseMicros;
    private long latestMicros;
    /** The word that holds the current run of flags, and how many of its bits are used. */
    private int flagWord;
    private int flagBits = 64;
    private int groupStart;
    /** Blocks after the words: written here, or read from {@link #in} at {@link #rawPosition}. */
    private byte[] raw = new byte[1024];
    private int rawLength;
    private byte[] in;
    private int rawPosition;
    private byte[] out = new byte[4096];
    private long[] scratch = new long[512];
    /** See {@link #digest}; until set, every digest is kept. */
    private long forgetDigestsBeforeNanos = Long.MIN_VALUE;

    /** Starts writing a new byte string. */
    void startWriting() {
        readMask = 0;
        wordCount = 0;
        rawLength = 0;
        flagBits = 64;
    }

    /**
     * Encodes the words and blocks written since {@link #startWriting} into {@link #output()}
     * and returns their length: the word count, a length code per word ({@link #encode}),
     * each word in that many little-endian bytes, then the blocks. Whole-word stores, no loop per
     * byte: freezing and thawing a connection runs at every wake-up of a state-heavy capture's
     * connections (docs/performance.md#j5-no-loop-per-byte-on-the-packet-path). Reading the
     * last word back reads a whole word, so whoever keeps the bytes keeps
     * {@link #WORD_OVERHANG} readable bytes after them.
     */
    int finishWriting() {
        int n = wordCount;
        int most = 1 + CODES_HEADER + (6 * n + 7) / 8 + Long.BYTES * n + rawLength + WORD_OVERHANG;
        if (out.length < most) {
            out = new byte[2 * most];
        }
        out[0] = (byte) n;
        int p = encode(words, 0, n, out, 1);
        System.arraycopy(raw, 0, out, p, rawLength);
        return p + rawLength;
    }

    /**
     * Writes {@code n} words of {@code words} from {@code from} at {@code at} of {@code out}: the
     * byte length of their codes (2 bytes), their length codes ({@link #CODE}), then each word in
     * that many little-endian bytes; returns where they end. {@code out} has room for a whole
     * word past that end. The codes gather in a register and go out 32 bits at a time, the last
     * ones as a whole {@code int} too, whose spare bytes the words then overwrite: no clearing
     * and no read-modify-write of code bytes per word.
     */
    private static int encode(long[] words, int from, int n, byte[] out, int at) {
        int codesAt = at + CODES_HEADER;
        int q = codesAt;
        long codes = 0;
        int codeBits = 0;
        for (int i = 0; i < n; i++) {
            int bytes = bytesOf(words[from + i]);
            codes |= (long) CODE[bytes] << codeBits;
            codeBits += CODE_BITS[bytes];
            if (codeBits >= Integer.SIZE) {
                INT_LE.set(out, q, (int) codes);
                q += Integer.BYTES;
                codes >>>= Integer.SIZE;
                codeBits -= Integer.SIZE;
            }
        }
        INT_LE.set(out, q, (int) codes);
        int codeBytes = q - codesAt + ((codeBits + 7) >>> 3);
        SHORT_LE.set(out, at, (short) codeBytes);
        int p = codesAt + codeBytes;
        for (int i = 0; i < n; i++) {
            long w = words[from + i];
            LONG_LE.set(out, p, w);
            p += WRITTEN_BYTES[bytesOf(w)];
        }
        return p;
    }

    /** Bytes that hold {@code w}: 0 for 0, up to 8. */
    private static int bytesOf(long w) {
        return (71 - Long.numberOfLeadingZeros(w)) >>> 3;
    }

    /**
     * Reads the first {@code count} words that {@link #encode} wrote at {@code at} into
     * {@code into}; returns where the bytes after the last one read begin. The codes come into
     * a register 32 bits at a time, so a word's code is a shift and a table lookup, not two
     * byte loads at a bit position (a refill may read up to 3 bytes past the codes, into the
     * words after them).
     */
    private static int decode(byte[] in, int at, long[] into, int count) {
        int q = at + CODES_HEADER;
        int p = q + ((short) SHORT_LE.get(in, at) & 0xFFFF);
        long codes = 0;
        int codeBits = 0;
        for (int i = 0; i < count; i++) {
            if (codeBits < MAX_CODE_BITS) {
                codes |= ((int) INT_LE.get(in, q) & 0xFFFF_FFFFL) << codeBits;
                q += Integer.BYTES;
                codeBits += Integer.SIZE;
            }
            int d = DECODE[(int) codes & 63];
            int bytes = d & 0xF;
            codes >>>= d >>> 4;
            codeBits -= d >>> 4;
            long mask = (-1L >>> (64 - 8 * bytes)) & -(long) ((bytes + 7) >>> 3);
            into[i] = (long) LONG_LE.get(in, p) & mask;
            p += bytes;
        }
        return p;
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
        return decode(in, offset + 1, into, Math.min(in[offset] & 0xFF, count));
    }

    /** A word {@link #num(long)} wrote, decoded. */
    static long fromNumber(long word) {
        return (word >>> 1) ^ -(word & 1);
    }

    /**
     * A word {@link #frame} wrote, decoded: relative to {@code first} or {@code latest}, as its
     * lowest bit says. (A time's microseconds are such a word too; see {@link #fromTime}.)
     */
    static long fromNearer(long word, long first, long latest) {
        long back = word - 1;
        long base = first ^ ((first ^ latest) & -(back & 1));
        long d = back >>> 1;
        return (base + ((d >>> 1) ^ -(d & 1))) & -((word | -word) >>> 63);
    }

    /**
     * The two words {@link #time} wrote, decoded; {@code first} and {@code latest} are the bases
     * in whole microseconds. (Multiplied back modulo 2^64, so even the microseconds of
     * {@code Long.MIN_VALUE} nanoseconds come back exact.)
     */
    static long fromTime(long micros, long nanos, long first, long latest) {
        long nonZero = -((micros | -micros) >>> 63);
        return (fromNearer(micros, first, latest) * NANOS_PER_MICRO + nanos) & nonZero;
    }

    /**
     * The key of {@code e}, as six words (not zigzagged: ports and IPv4 addresses are never
     * negative, IPv6 halves anything; {@link #keyLo}): written first, so that a frozen record is found
     * and moved by its key without thawing it ({@link FrozenTable}).
     */
    void key(TupleTable.Entry e) {
        e.setKey(word(e.aHi), keyLo(word(keyLo(e.aLo))), (int) word(e.aPort), word(e.bHi),
                keyLo(word(keyLo(e.bLo))), (int) word(e.bPort));
    }

    /**
     * An address's low word as a key word holds it, and back: the IPv4-mapped prefix flipped, so
     * that an IPv4 address takes 4 bytes, not 6.
     */
    static long keyLo(long lo) {
        return lo ^ Addresses.V4_MAPPED_LO_PREFIX;
    }

    /** The next word: {@code w}, written, or the word read. */
    long word(long w) {
        int i = wordCount++;
        long r = (words[i] & readMask) | (w & ~readMask);
        words[i] = r;
        return r;
    }

    /**
     * Times and frames from here on are relative to these (the connection's first packet), until
     * {@link #setLatest}.
     */
    void setBases(long tsNanos, long frame) {
        baseFrame = frame;
        latestFrame = frame;
        baseMicros = Math.floorDiv(tsNanos, NANOS_PER_MICRO);
        latestMicros = baseMicros;
    }

    /**
     * Times and frames from here on are relative to whichever is nearer of the first packet and
     * these (the connection's last): a connection's facts gather at its start and its latest
     * exchange, and a keep-alive connection's two are seconds apart (bench/README.md, "A smaller
     * frozen record").
     */
    void setLatest(long tsNanos, long frame) {
        latestFrame = frame;
        latestMicros = Math.floorDiv(tsNanos, NANOS_PER_MICRO);
    }

    long num(long v) {
        return fromNumber(word((v << 1) ^ (v >> 63)));
    }

    int num(int v) {
        return (int) num((long) v);
    }

    /**
     * A capture time, 0 for "never": whole microseconds relative to the nearer base (any two
     * times of a {@code long} of nanoseconds are fewer than 2^55 microseconds apart, so the word's
     * two extra bits always fit), then the nanoseconds left (0-999) as a word of their own, 0 bytes on a microsecond clock. Two words
     * always, not a flag and a branch on it: the branch would be taken late on a capture whose
     * clock counts nanoseconds (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    long time(long tsNanos) {
        long nonZero = -((tsNanos | -tsNanos) >>> 63);
        long micros = Math.floorDiv(tsNanos, NANOS_PER_MICRO);
        long m = word(nearer(micros, baseMicros, latestMicros) & nonZero);
        long n = word((tsNanos - micros * NANOS_PER_MICRO) & nonZero);
        return fromTime(m, n, baseMicros, latestMicros);
    }

    /**
     * A frame number, 0 for "none", relative to the nearer base (frame numbers less than 2^62
     * apart: a count of packets).
     */
    long frame(long frame) {
        long nonZero = -((frame | -frame) >>> 63);
        return fromNearer(word(nearer(frame, baseFrame, latestFrame) & nonZero), baseFrame,
                latestFrame);
    }

    /**
     * {@code v} relative to whichever of {@code first} and {@code latest} is nearer: the
     * difference zigzagged, then a bit for which base (1: {@code latest}), plus one so that 0
     * stays free for "never"; without a branch (either base is common).
     */
    private static long nearer(long v, long first, long latest) {
        long d1 = v - first;
        long d2 = v - latest;
        long z1 = (d1 << 1) ^ (d1 >> 63);
        long z2 = (d2 << 1) ^ (d2 >> 63);
        long useLatest = (z2 - z1) >> 63;
        return (((z1 & ~useLatest) | (z2 & useLatest)) << 1 | (useLatest & 1)) + 1;
    }

    /**
     * A 32-bit number (a raw sequence number) as its difference from {@code base}, modulo
     * 2^32, zigzagged: 0 bytes when it is what the record's other fields say it should be
     * (the sequence number at the highest relative one sent, the ISN + 1 the SYN-ACK
     * acknowledges), at most 4.
     */
    int wrapped(int v, int base) {
        int d = v - base;
        int z = (int) word(((d << 1) ^ (d >> 31)) & 0xFFFF_FFFFL);
        return base + ((z >>> 1) ^ -(z & 1));
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

    /**
     * The digest of an endpoint's last segment ({@link FlowTracker}'s duplicate test), as a word,
     * or 0 when the endpoint's last segment, at {@code lastTsNanos}, is older than
     * {@link #forgetDigestsBefore}: the test asks for a copy within the duplicate window (500 µs)
     * of it, and a connection is frozen after 100 ms of silence or more, so by then only a packet
     * that comes that far out of time order could still match. 16 bytes of a record
     * (bench/README.md, "A smaller frozen record").
     */
    long digest(long digest, long lastTsNanos) {
        long keep = -(long) ((Long.compare(lastTsNanos, forgetDigestsBeforeNanos) + 2) >>> 1);
        return word(digest & keep);
    }

    /** Digests of segments before {@code tsNanos} are written as 0 from now on: {@link #digest}. */
    void forgetDigestsBefore(long tsNanos) {
        forgetDigestsBeforeNanos = tsNanos;
    }

    /** A scratch array of at least {@code n} words, for {@link #writeBlock}'s caller. */
    long[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new long[Math.max(n, 2 * scratch.length)];
        }
        return scratch;
    }

    /**
     * Writes {@code n} words of {@code words} from {@code from} after the raw bytes so far, as the
     * record's fields are written (length codes, then as few bytes as hold each): a block
     * whose length its reader knows, such as {@link Connection#freezeEvents}'s events.
     */
    void writeBlock(long[] words, int from, int n) {
        int most = CODES_HEADER + (6 * n + 7) / 8 + Long.BYTES * n + WORD_OVERHANG;
        if (rawLength + most > raw.length) {
            raw = Arrays.copyOf(raw, 2 * (rawLength + most));
        }
        rawLength = encode(words, from, n, raw, rawLength);
    }

    /** Reads the {@code n} words of a block {@link #writeBlock} wrote, into {@link #scratch}. */
    long[] readBlock(int n) {
        long[] into = scratch(n);
        rawPosition = decode(in, rawPosition, into, n);
        return into;
    }
}
