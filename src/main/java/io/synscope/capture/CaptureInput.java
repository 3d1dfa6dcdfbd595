package io.synscope.capture;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.ZipException;

/**
 * The one buffered input under both capture readers: a {@code byte[]} window over a
 * {@link ReadableByteChannel}, read strictly front to back.
 *
 * <p>Readers {@link #request} the bytes of a whole record, parse them in place at
 * {@link #position()} in {@link #buffer()}, hand out windows into the buffer (zero-copy, see the
 * reuse contract of {@link RawPacket}) and {@link #skip} past them. A request that does not fit
 * behind the current position compacts the unread tail to the front of the buffer, so
 * {@link #position()} and even {@link #buffer()} may change across a {@code request}: callers read
 * both again after each one. The buffer grows beyond its initial size only while it is full of
 * bytes that were really read, doubling up to {@link #MAX_RECORD_BYTES}, so a length field that
 * lies costs no more memory than about twice the bytes that actually follow it.
 *
 * <p>Multi-byte fields are read in the byte order set with {@link #order}; the readers switch it
 * per file (pcap) or per section (pcapng).
 */
final class CaptureInput implements Closeable {
    /**
     * Big enough that a refill's system call costs little next to the records it brings, small
     * enough that they are still in the core's L2 cache when read. Small also so that a refill
     * comes every few hundred records: the JIT profiles the reader's refill path before it
     * compiles the read loop, instead of compiling the loop without it and throwing the compiled
     * code away at the first refill.
     */
    static final int DEFAULT_BUFFER_BYTES = 64 << 10;
    /**
     * No record or block may be longer: Wireshark's own pcapng limit, and well above any link
     * layer's frame size (jumbo frames, TSO super-frames of 256 KiB).
     */
    static final int MAX_RECORD_BYTES = 16 << 20;

    private static final VarHandle INT_LE = view(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = view(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT_LE = view(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_BE = view(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = view(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = view(long[].class, ByteOrder.BIG_ENDIAN);

    private final ReadableByteChannel channel;
    /**
     * The capture file read, compressed or not, for {@link #fileBytesRead()}: null when reading
     * a pipe or a stream.
     */
    private final FileChannel file;
    /** {@link #file}'s size when opened, or -1. */
    private final long fileBytes;
    private final String source;
    /** The decompressor {@link #channel} is, or null for an uncompressed capture. */
    private final Gunzip gunzip;
    private byte[] buf;
    private ByteBuffer window;
    /** Next unread byte in {@link #buf}. */
    private int pos;
    /** End of the bytes read into {@link #buf}. */
    private int limit;
    /** Stream offset of {@code buf[0]}. */
    private long bufStartOffset;
    private boolean eof;
    private boolean bigEndian;
    /** Why the stream ended before its own end marker (a cut gzip stream), or null. */
    private String cutShortNote;

    CaptureInput(ReadableByteChannel channel, String source, int bufferBytes) {
        this(channel, null, source, bufferBytes, regularFile(channel), size(channel));
    }

    /** An input of what {@code gunzip} decompresses from {@code compressed}'s file. */
    CaptureInput(Gunzip gunzip, CaptureInput compressed, int bufferBytes) {
        this(gunzip, gunzip, compressed.source, bufferBytes, compressed.file,
                compressed.fileBytes);
    }

    private CaptureInput(ReadableByteChannel channel, Gunzip gunzip, String source,
                         int bufferBytes, FileChannel file, long fileBytes) {
        if (bufferBytes < 64 || bufferBytes > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("buffer size " + bufferBytes);
        }
        this.channel = channel;
        this.source = source;
        this.gunzip = gunzip;
        this.file = file;
        this.fileBytes = file == null ? -1 : fileBytes;
        this.buf = new byte[bufferBytes];
        this.window = ByteBuffer.wrap(buf);
    }

    /** {@code channel} when it reads a file with a size (not a pipe or a terminal), else null. */
    private static FileChannel regularFile(ReadableByteChannel channel) {
        return size(channel) > 0 ? (FileChannel) channel : null;
    }

    private static long size(ReadableByteChannel channel) {
        try {
            return channel instanceof FileChannel f ? f.size() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * How far into the capture file reading has got, as stored (compressed bytes for a gzip
     * file: what its decompressor has taken in); -1 when not reading a file. A file already
     * closed (the decompressor closes it at the end of its stream) was read whole.
     */
    long fileBytesRead() {
        if (file == null) {
            return -1;
        }
        try {
            return file.isOpen() ? file.position() : fileBytes;
        } catch (IOException e) {
            return fileBytes;
        }
    }

    /** The capture file's size when it was opened; -1 when not reading a file. */
    long fileBytes() {
        return fileBytes;
    }

    private static VarHandle view(Class<?> arrayType, ByteOrder order) {
        return MethodHandles.byteArrayViewVarHandle(arrayType, order);
    }

    /**
     * Makes {@code n} bytes available from {@link #position()}, reading and compacting as needed.
     *
     * @return false when the stream ends first; {@link #available()} then tells how many are left
     * @throws IllegalArgumentException when {@code n} exceeds {@link #MAX_RECORD_BYTES}: readers
     *                                  check lengths from the file before asking for them
     */
    boolean request(int n) throws CaptureException {
        return limit - pos >= n || fill(n);
    }

    private boolean fill(int n) throws CaptureException {
        if (n < 0 || n > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("request of " + n + " bytes");
        }
        if (pos > 0 && n > buf.length - pos) {
            compact();
        }
        while (limit - pos < n) {
            if (eof) {
                return false;
            }
            if (limit == buf.length) {
                grow();
            }
            readMore();
        }
        return true;
    }

    private void compact() {
        int unread = limit - pos;
        System.arraycopy(buf, pos, buf, 0, unread);
        bufStartOffset += pos;
        pos = 0;
        limit = unread;
    }

    /** Called only when the buffer is full of real bytes and a record still needs more. */
    private void grow() {
        byte[] bigger = new byte[Math.min(buf.length * 2, MAX_RECORD_BYTES)];
        System.arraycopy(buf, 0, bigger, 0, limit);
        buf = bigger;
        window = ByteBuffer.wrap(buf);
    }

    private void readMore() throws CaptureException {
        window.limit(buf.length).position(limit);
        try {
            if (channel.read(window) < 0) {
                eof = true;
            }
        } catch (EOFException e) {
            // GZIPInputStream's way of saying the compressed stream stops mid-member: what was
            // decompressed so far is good, the rest is missing, like a capture cut short.
            eof = true;
            cutShortNote = (gunzipped() ? "gzip stream cut short" : "input ended abruptly")
                    + " after " + (bufStartOffset + window.position()) + " bytes"
                    + (gunzipped() ? " of decompressed data" : "") + " (" + e.getMessage() + ")";
        } catch (ZipException e) {
            throw new CaptureException(CaptureException.Kind.CORRUPT, source,
                    bufStartOffset + window.position(),
                    "corrupt gzip stream: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.IO, source,
                    bufStartOffset + window.position(), "read failed: " + e, e);
        } finally {
            // A stream adapter may have put bytes into the window before it threw.
            limit = window.position();
        }
    }

    /** Bytes buffered from {@link #position()} on. */
    int available() {
        return limit - pos;
    }

    /** {@code length} bytes at index {@code index} of {@link #buffer()}, as UTF-8 text. */
    String utf8(int index, int length) {
        return new String(buf, index, length, StandardCharsets.UTF_8);
    }

    /** The buffer; valid until the next {@link #request}. */
    byte[] buffer() {
        return buf;
    }

    /** Index in {@link #buffer()} of the next unread byte; valid until the next request. */
    int position() {
        return pos;
    }

    /** Stream offset of the next unread byte. */
    long offset() {
        return bufStartOffset + pos;
    }

    /** Consumes {@code n} of the {@link #available()} bytes. */
    void skip(int n) {
        if (n < 0 || n > limit - pos) {
            throw new IllegalArgumentException("skip " + n + " of " + (limit - pos));
        }
        pos += n;
    }

    /** Sets the byte order of {@link #int32}, {@link #uint16} and {@link #int64}. */
    void order(boolean bigEndian) {
        this.bigEndian = bigEndian;
    }

    /** The 32-bit field at {@code index} of {@link #buffer()}. */
    int int32(int index) {
        return bigEndian ? (int) INT_BE.get(buf, index) : (int) INT_LE.get(buf, index);
    }

    /** The 32-bit field at {@code index} read big-endian whatever the {@link #order}: magics. */
    int int32BigEndian(int index) {
        return (int) INT_BE.get(buf, index);
    }

    /** The unsigned 16-bit field at {@code index} of {@link #buffer()}. */
    int uint16(int index) {
        short s = bigEndian ? (short) SHORT_BE.get(buf, index) : (short) SHORT_LE.get(buf, index);
        return s & 0xFFFF;
    }

    /** The 64-bit field at {@code index} of {@link #buffer()}. */
    long int64(int index) {
        return bigEndian ? (long) LONG_BE.get(buf, index) : (long) LONG_LE.get(buf, index);
    }

    /** Whether the stream was decompressed from gzip. */
    boolean gunzipped() {
        return gunzip != null;
    }

    /**
     * What followed the compressed data and was skipped (damaged or raw bytes after the last
     * gzip member), or null; known once the stream has ended.
     */
    String trailingNote() {
        return gunzip == null ? null : gunzip.trailingNote();
    }

    /** Why the stream ended before its own end marker (a cut gzip stream), or null. */
    String cutShortNote() {
        return cutShortNote;
    }

    String source() {
        return source;
    }

    /** Current buffer size, for tests of the growth policy. */
    int capacity() {
        return buf.length;
    }

    /**
     * The unread bytes followed by the rest of the channel, for stacking a decoder (gzip) on top.
     * This input must not be read afterwards; closing the stream closes the channel.
     */
    InputStream remainingAsStream() {
        return new SequenceInputStream(new ByteArrayInputStream(buf, pos, limit - pos),
                Channels.newInputStream(channel));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
