package io.synscope.capture;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.ZipException;

/**
 * Opens captures. The format is told by the first bytes, never by the name: gzip ({@code 1f 8b},
 * one or several members) is unwrapped first, then the content must start with a pcap magic
 * ({@code a1b2c3d4} or {@code a1b23c4d}, either byte order) or a pcapng Section Header Block
 * ({@code 0a0d0d0a}).
 *
 * <p>Nothing is loaded whole: files are read through a {@link FileChannel}, streams through a
 * channel over the stream, both into one reusable buffer (see {@link CaptureInput}). The returned
 * source owns what it reads from: closing it closes the file or the stream.
 */
public final class Captures {
    private static final int GZIP_MAGIC = 0x1F8B;
    private static final int GZIP_BUFFER_BYTES = 64 << 10;
    private static final String EXPECTED_MAGICS = "expected a pcap magic (a1b2c3d4 or a1b23c4d,"
            + " in either byte order), a pcapng Section Header Block (0a0d0d0a) or gzip (1f8b)";

    private Captures() {
    }

    /**
     * Opens a capture file, or standard input for {@code "-"}.
     *
     * @throws CaptureException {@code NOT_FOUND} for a missing, unreadable or non-regular path
     *                          (a directory), {@code EMPTY}, {@code NOT_A_CAPTURE},
     *                          {@code CORRUPT} for a broken header, {@code IO} for read errors
     */
    public static PacketSource open(String nameOrDash) throws CaptureException {
        if ("-".equals(nameOrDash)) {
            // A FileInputStream's channel reads fd 0 straight into our buffer, no extra copy.
            return open("-", Channels.newChannel(new FileInputStream(FileDescriptor.in)),
                    CaptureInput.DEFAULT_BUFFER_BYTES);
        }
        return open(nameOrDash, openFile(nameOrDash), CaptureInput.DEFAULT_BUFFER_BYTES);
    }

    /**
     * Opens a capture read from {@code in} (standard input, a pipe, a test's bytes).
     *
     * @param name what messages call the capture
     */
    public static PacketSource open(String name, InputStream in) throws CaptureException {
        return open(name, Channels.newChannel(in), CaptureInput.DEFAULT_BUFFER_BYTES);
    }

    /**
     * The {@linkplain CaptureWriter#attach attachments} of a pcapng file that synscope wrote
     * (its section header's {@code shb_userappl}), by kind; empty for any other capture, for
     * standard input (it can be read once only, and the attachments are at the end) and for a
     * file that cannot be read (opening it again for the analysis says why). They sit at the
     * end of the file, and the analysis needs them before the first connection is decided, so
     * this reads the file once ahead of it: block headers and frames, no decoding.
     */
    public static Map<String, String> attachments(String path) {
        if ("-".equals(path)) {
            return Map.of();
        }
        try (PacketSource source = open(path)) {
            if (!(source instanceof PcapngReader reader)) {
                return Map.of();
            }
            RawPacket frame = new RawPacket();
            try {
                boolean more = reader.next(frame);
                String writer = reader.userApplication();
                if (writer == null || !writer.startsWith(CaptureWriter.USER_APPLICATION)) {
                    return Map.of();
                }
                while (more) {
                    more = reader.next(frame);
                }
            } catch (CaptureException damaged) {
                // What came before the damage still counts; the analysis reports the damage.
            }
            return reader.attachments();
        } catch (CaptureException | IOException e) {
            return Map.of();
        }
    }

    /** As the public methods, with the buffer's initial size chosen (tests use small ones). */
    static PacketSource open(String name, ReadableByteChannel channel, int bufferBytes)
            throws CaptureException {
        CaptureInput input = new CaptureInput(channel, name, bufferBytes);
        try {
            input.request(4);
            if (startsWithGzipMagic(input)) {
                input = gunzip(input, bufferBytes);
                input.request(4);
            }
            return readerFor(input);
        } catch (CaptureException | RuntimeException | Error e) {
            closeQuietly(input, e);
            throw e;
        }
    }

    private static boolean startsWithGzipMagic(CaptureInput input) {
        byte[] b = input.buffer();
        int p = input.position();
        return input.available() >= 2
                && ((b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF)) == GZIP_MAGIC;
    }

    private static PacketSource readerFor(CaptureInput input) throws CaptureException {
        String inside = input.gunzipped() ? " after gzip decompression" : "";
        int present = input.available();
        if (present == 0) {
            String note = input.cutShortNote() != null ? input.cutShortNote()
                    : input.trailingNote();
            String why = note == null ? "" : " (" + note + ")";
            throw new CaptureException(CaptureException.Kind.EMPTY, input.source(), -1,
                    "empty: 0 bytes" + inside + why);
        }
        if (present < 4) {
            throw new CaptureException(CaptureException.Kind.NOT_A_CAPTURE, input.source(), 0,
                    "not a capture: only " + present + " bytes" + inside + "; " + EXPECTED_MAGICS);
        }
        int magic = input.int32BigEndian(input.position());
        if (PcapReader.isMagic(magic)) {
            return new PcapReader(input);
        }
        if (magic == PcapngReader.SECTION_HEADER) {
            return new PcapngReader(input);
        }
        throw new CaptureException(CaptureException.Kind.NOT_A_CAPTURE, input.source(), 0,
                "not a capture: " + EXPECTED_MAGICS + "; found "
                        + String.format("%08x", magic) + inside);
    }

    /** Stacks a gzip decoder ({@link Gunzip}) on what {@code input} has not consumed. */
    private static CaptureInput gunzip(CaptureInput input, int bufferBytes)
            throws CaptureException {
        InputStream compressed = input.remainingAsStream();
        try {
            return new CaptureInput(new Gunzip(compressed, GZIP_BUFFER_BYTES), input,
                    bufferBytes);
        } catch (ZipException e) {
            closeQuietly(compressed, e);
            throw new CaptureException(CaptureException.Kind.CORRUPT, input.source(), 0,
                    "corrupt gzip header: " + e.getMessage(), e);
        } catch (EOFException e) {
            closeQuietly(compressed, e);
            throw new CaptureException(CaptureException.Kind.EMPTY, input.source(), -1,
                    "empty: " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(compressed, e);
            throw new CaptureException(CaptureException.Kind.IO, input.source(), -1,
                    "read failed: " + e, e);
        }
    }

    private static ReadableByteChannel openFile(String name) throws CaptureException {
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            throw notFound(name, "not a valid path (" + e.getReason() + ")", e);
        }
        if (Files.isDirectory(path)) {
            throw notFound(name, "is a directory, not a capture file", null);
        }
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw notFound(name, "no such file", e);
        } catch (AccessDeniedException e) {
            throw notFound(name, "permission denied", e);
        } catch (IOException | SecurityException e) {
            throw new CaptureException(CaptureException.Kind.IO, name, -1,
                    "cannot open: " + e, e);
        }
    }

    private static CaptureException notFound(String name, String why, Throwable cause) {
        return new CaptureException(CaptureException.Kind.NOT_FOUND, name, -1, why, cause);
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable pending) {
        try {
            closeable.close();
        } catch (Exception e) {
            pending.addSuppressed(e);
        }
    }
}
