package io.synscope.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses a gzip file (RFC 1952) as one stream: its members one after the other, as
 * {@code gzip -d} reads {@code cat a.gz b.gz}. Written on {@link Inflater} rather than
 * {@link java.util.zip.GZIPInputStream} for what that one hides: it ends without a word at bytes
 * after a member that are not another member (damaged data, raw data, padding), and before Java
 * 23 even at a valid member that a pipe had not delivered yet (JDK-7036144). Here the bytes after
 * the last member are counted and described, with their offset in the file
 * ({@link #trailingNote()}), and a member is looked for whenever bytes follow.
 *
 * <p>Errors are {@link java.util.zip.GZIPInputStream}'s, which {@link CaptureInput} maps: a
 * {@link ZipException} for damaged compressed data or a checksum that does not match (a corrupt
 * capture), an {@link EOFException} for a file that ends inside a member (a capture cut short).
 * Their messages give the member and its offset in the compressed file.
 */
final class Gunzip implements ReadableByteChannel {
    private static final int ID1 = 0x1F;
    private static final int ID2 = 0x8B;
    private static final int DEFLATE = 8;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED_FLAGS = 0xE0;
    /** Fixed part of a member header: ID1 ID2 CM FLG MTIME(4) XFL OS. */
    private static final int FIXED_HEADER_BYTES = 10;
    /** Bytes of trailing data quoted in the note, at least. */
    private static final int QUOTED_BYTES = 4;

    private final InputStream compressed;
    private final byte[] in;
    /** Unconsumed compressed bytes are {@code in[inPos, inLimit)}. */
    private int inPos;
    private int inLimit;
    /** File offset of {@code in[0]}. */
    private long inStartOffset;
    private final Inflater inflater = new Inflater(true);
    /** Decompressed bytes not yet handed out are {@code out[outPos, outLimit)}. */
    private final byte[] out;
    private int outPos;
    private int outLimit;
    /** The error that ended decompression, thrown once {@link #out} is empty. */
    private IOException failure;
    private final CRC32 crc = new CRC32();
    /** 1-based number of the member being read, or of the last one once between members. */
    private int member;
    private long memberOffset;
    private boolean inMember;
    private boolean ended;
    private boolean open = true;
    private String trailingNote;

    /**
     * Reads the first member's header at once, so that a file that only starts like gzip is
     * refused at open.
     *
     * @throws ZipException  when the first header is not a gzip header
     * @throws EOFException  when the file ends inside it
     */
    Gunzip(InputStream compressed, int bufferBytes) throws IOException {
        this.compressed = compressed;
        this.in = new byte[bufferBytes];
        this.out = new byte[bufferBytes];
        String damage;
        try {
            if (nextByte() != ID1 || nextByte() != ID2) {
                throw new ZipException("not in gzip format");
            }
            damage = readHeaderAfterMagic();
        } catch (EOFException e) {
            throw new EOFException("the gzip stream ends inside its header");
        }
        if (damage != null) {
            throw new ZipException(damage);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        while (outPos == outLimit) {
            if (failure != null) {
                throw failure;
            }
            if (ended) {
                return -1;
            }
            try {
                produce();
            } catch (IOException e) {
                // Thrown once what was decompressed before the damage has been handed out.
                failure = e;
            }
        }
        int n = Math.min(dst.remaining(), outLimit - outPos);
        dst.put(out, outPos, n);
        outPos += n;
        return n;
    }

    /**
     * One step: a member header, a chunk of decompressed data into {@link #out} (possibly
     * none), or a member's trailer. Input and output go in chunks of fixed size at fixed file
     * offsets ({@link #fill()}), so the data decompressed before damage, all of which is handed
     * out, does not depend on how the file arrives (a pipe's short reads).
     */
    private void produce() throws IOException {
        outPos = 0;
        outLimit = 0;
        if (!inMember) {
            ended = !startNextMember();
            return;
        }
        if (inflater.finished()) {
            readTrailer();
            return;
        }
        if (inflater.needsInput()) {
            if (!fill()) {
                throw new EOFException(where() + " ends inside its compressed data");
            }
            inflater.setInput(in, inPos, inLimit - inPos);
        }
        int n;
        try {
            n = inflater.inflate(out);
        } catch (DataFormatException e) {
            throw new ZipException(where() + ": " + e.getMessage());
        }
        inPos = inLimit - inflater.getRemaining();
        crc.update(out, 0, n);
        outLimit = n;
        if (n == 0 && inflater.needsDictionary()) {
            throw new ZipException(where() + " needs a preset dictionary, which gzip never has");
        }
    }

    /**
     * What followed the last member and was skipped, or null when nothing did; set once
     * {@link #read} has returned -1.
     */
    String trailingNote() {
        return trailingNote;
    }

    /**
     * After a member: starts the next one if the bytes that follow are one; otherwise counts
     * them to the end of the file and describes them.
     *
     * @return false at the end
     */
    private boolean startNextMember() throws IOException {
        long start = offset();
        int id1 = nextByte();
        if (id1 < 0) {
            return false;
        }
        int id2 = nextByte();
        if (id1 == ID1 && id2 == ID2) {
            int previous = member;
            String damage = readHeaderAfterMagic();
            if (damage == null) {
                return true;
            }
            skipTrailing(start, "start like a gzip member after member " + previous
                    + ", but " + damage, id1, id2);
        } else {
            skipTrailing(start, "are not gzip data", id1, id2);
        }
        return false;
    }

    /**
     * Reads the rest of a member header (RFC 1952, 2.3.1) after its two magic bytes and prepares
     * the inflater for the member's data.
     *
     * @return null, or what is wrong with the header
     */
    private String readHeaderAfterMagic() throws IOException {
        memberOffset = offset() - 2;
        member++;
        CRC32 headerCrc = new CRC32();
        headerCrc.update(ID1);
        headerCrc.update(ID2);
        int method = headerByte(headerCrc);
        int flags = headerByte(headerCrc);
        if (method != DEFLATE) {
            return "its compression method is " + method + " (8, deflate, expected)";
        }
        if ((flags & RESERVED_FLAGS) != 0) {
            return "its header sets reserved flags (" + Integer.toHexString(flags) + ")";
        }
        for (int i = 2; i < FIXED_HEADER_BYTES - 2; i++) {
            headerByte(headerCrc);
        }
        if ((flags & FEXTRA) != 0) {
            int length = headerByte(headerCrc) | headerByte(headerCrc) << 8;
            for (int i = 0; i < length; i++) {
                headerByte(headerCrc);
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte(headerCrc) != 0) {
                // the original file name, zero-terminated: not needed
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte(headerCrc) != 0) {
                // a comment, zero-terminated: not needed
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) headerCrc.getValue() & 0xFFFF;
            int stored = headerByte(null) | headerByte(null) << 8;
            if (stored != expected) {
                return "its header checksum does not match";
            }
        }
        inflater.reset();
        crc.reset();
        inMember = true;
        return null;
    }

    /** One byte of a member header. */
    private int headerByte(CRC32 headerCrc) throws IOException {
        int b = nextByte();
        if (b < 0) {
            throw new EOFException(where() + " ends inside its header");
        }
        if (headerCrc != null) {
            headerCrc.update(b);
        }
        return b;
    }

    /** The member's trailer: CRC-32 and length (mod 2^32) of its uncompressed data. */
    private void readTrailer() throws IOException {
        long crcStored = 0;
        long sizeStored = 0;
        for (int i = 0; i < 4; i++) {
            crcStored |= (long) trailerByte() << (8 * i);
        }
        for (int i = 0; i < 4; i++) {
            sizeStored |= (long) trailerByte() << (8 * i);
        }
        if (crcStored != crc.getValue()) {
            throw new ZipException(where() + ": the CRC-32 of the decompressed data does not"
                    + " match the member's (corrupt gzip trailer)");
        }
        if (sizeStored != (inflater.getBytesWritten() & 0xFFFF_FFFFL)) {
            throw new ZipException(where() + ": the decompressed data's length does not match"
                    + " the member's (corrupt gzip trailer)");
        }
        inMember = false;
    }

    private int trailerByte() throws IOException {
        int b = nextByte();
        if (b < 0) {
            throw new EOFException(where() + " ends inside its trailer");
        }
        return b;
    }

    /**
     * Counts the bytes from {@code start} to the end of the file and describes them.
     *
     * @param first the first bytes from {@code start}, already read (-1: the file ended)
     */
    private void skipTrailing(long start, String what, int... first) throws IOException {
        StringBuilder quoted = new StringBuilder();
        boolean allZero = true;
        int quotedCount = 0;
        for (int b : first) {
            if (b >= 0) {
                quoted.append(quotedCount++ == 0 ? "" : " ").append(String.format("%02x", b));
                allZero &= b == 0;
            }
        }
        long end = offset();
        // Quoting goes on only if nothing was read beyond the quoted bytes (a header was not).
        boolean contiguous = end - start == quotedCount;
        int b;
        while ((b = nextByte()) >= 0) {
            if (contiguous && quotedCount < QUOTED_BYTES) {
                quoted.append(' ').append(String.format("%02x", b));
                quotedCount++;
            }
            allZero &= b == 0;
            end++;
        }
        long skipped = end - start;
        trailingNote = "skipped " + skipped + " byte" + (skipped == 1 ? "" : "s")
                + " after the gzip data, from byte " + start + " of the compressed file: they "
                + (allZero ? "are zeros (padding)"
                : what + " (they start " + quoted + (skipped > quotedCount ? " …" : "") + ")");
    }

    /** "gzip member 2 (at byte 1234 of the file)", for messages. */
    private String where() {
        return "gzip member " + member + " (at byte " + memberOffset + " of the compressed file)";
    }

    /** File offset of the next unconsumed compressed byte. */
    private long offset() {
        return inStartOffset + inPos;
    }

    private int nextByte() throws IOException {
        if (inPos == inLimit && !fill()) {
            return -1;
        }
        return in[inPos++] & 0xFF;
    }

    /**
     * Once every buffered compressed byte was consumed, reads the next {@code in.length} bytes of
     * the file (fewer only at its end), however many reads that takes.
     *
     * @return false at the end of the file
     */
    private boolean fill() throws IOException {
        if (inPos < inLimit) {
            return true;
        }
        inStartOffset += inLimit;
        inPos = 0;
        inLimit = 0;
        int n;
        while (inLimit < in.length && (n = compressed.read(in, inLimit, in.length - inLimit)) >= 0) {
            inLimit += n;
        }
        return inLimit > 0;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        inflater.end();
        compressed.close();
    }
}
