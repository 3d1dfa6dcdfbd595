package io.synscope.capture;

import static io.synscope.capture.ReadBack.bytes;
import static io.synscope.capture.ReadBack.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.synscope.capture.CaptureException.Kind;
import io.synscope.capture.ReadBack.Packet;
import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.CaptureFiles.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CapturesTest {
    private static final List<Frame> FRAMES = frames(200);
    private static final byte[] PCAP = CaptureFiles.pcap().frames(FRAMES).toBytes();
    private static final byte[] PCAP_NS = CaptureFiles.pcap().nanos().frames(FRAMES).toBytes();
    private static final byte[] PCAPNG = CaptureFiles.pcapng().iface(CaptureFiles.LINKTYPE_ETHERNET)
            .frames(FRAMES).toBytes();

    @TempDir
    Path dir;

    /** Frames of varied sizes on whole microseconds, so that every format keeps them exactly. */
    private static List<Frame> frames(int count) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(new Frame(bytes(54 + (i * 97) % 1460, i), 1_700_000_000_000_000_000L
                    + i * 1_000L));
        }
        return frames;
    }

    private static void assertFrames(List<Frame> expected, List<Packet> actual) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).data(), actual.get(i).bytes(), "frame " + (i + 1));
            assertEquals(expected.get(i).tsNanos(), actual.get(i).tsNanos(), "frame " + (i + 1));
        }
    }

    private PacketSource openFile(String name, byte[] content) throws CaptureException {
        return Captures.open(CaptureFiles.write(dir.resolve(name), content).toString());
    }

    @Test
    void formatIsToldByTheBytesNotTheName() throws Exception {
        try (PacketSource pcapng = openFile("looks-like.pcap", PCAPNG);
             PacketSource pcap = openFile("looks-like.pcapng", PCAP);
             PacketSource gzipped = openFile("plain.txt", CaptureFiles.gzip(PCAP_NS))) {
            assertEquals("pcapng", pcapng.format());
            assertEquals("pcap", pcap.format());
            assertEquals("pcap-ns (gzip)", gzipped.format());
            assertFrames(FRAMES, readAll(pcapng));
            assertFrames(FRAMES, readAll(pcap));
            assertFrames(FRAMES, readAll(gzipped));
            assertEquals(dir.resolve("plain.txt").toString(), gzipped.name());
        }
    }

    @Test
    void gzipWithOneMember() throws Exception {
        try (PacketSource source = ReadBack.open(CaptureFiles.gzip(PCAPNG))) {
            assertEquals("pcapng (gzip)", source.format());
            assertFrames(FRAMES, readAll(source));
            assertEquals(List.of(), source.warnings());
        }
    }

    /** Members split mid-record, read from a file, a stream and a pipe that never has available(). */
    @Test
    void gzipWithSeveralMembersIsReadToTheLastOne() throws Exception {
        byte[] multi = CaptureFiles.gzipMembers(Arrays.copyOfRange(PCAP, 0, 1000),
                Arrays.copyOfRange(PCAP, 1000, 1001), Arrays.copyOfRange(PCAP, 1001, 50_000),
                Arrays.copyOfRange(PCAP, 50_000, PCAP.length));
        try (PacketSource file = openFile("multi.gz", multi);
             PacketSource stream = ReadBack.open(multi);
             PacketSource pipe = Captures.open("pipe", new ReadBack.Trickle(multi, 13))) {
            for (PacketSource source : List.of(file, stream, pipe)) {
                assertEquals("pcap (gzip)", source.format());
                assertFrames(FRAMES, readAll(source));
                assertEquals(List.of(), source.warnings());
            }
        }
    }

    /**
     * A named pipe opened by name is a {@link java.nio.channels.FileChannel} that cannot seek,
     * as standard input is when piped: everything must work without position or size.
     */
    @Test
    void namedPipeWithSeveralGzipMembers() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available here");
        byte[] multi = CaptureFiles.gzipMembers(Arrays.copyOfRange(PCAP, 0, 30_000),
                Arrays.copyOfRange(PCAP, 30_000, PCAP.length));
        Thread writer = new Thread(() -> CaptureFiles.write(fifo, multi));
        writer.setDaemon(true);
        writer.start();
        try (PacketSource source = Captures.open(fifo.toString())) {
            assertEquals("pcap (gzip)", source.format());
            assertFrames(FRAMES, readAll(source));
            assertEquals(List.of(), source.warnings());
        } finally {
            writer.join(10_000);
        }
    }

    @Test
    void gzipCutShortDeliversWhatWasThereAndWarns() throws Exception {
        byte[] gz = CaptureFiles.gzip(PCAP);
        byte[] cut = Arrays.copyOf(gz, gz.length * 7 / 10);
        try (PacketSource source = ReadBack.open(cut)) {
            List<Packet> packets = readAll(source);
            assertTrue(packets.size() > 0 && packets.size() < FRAMES.size(), packets.size() + "");
            assertFrames(FRAMES.subList(0, packets.size()), packets);
            List<String> warnings = source.warnings();
            assertTrue(warnings.get(0).startsWith("gzip stream cut short after "), warnings.get(0));
            assertTrue(warnings.get(0).contains(" bytes of decompressed data"), warnings.get(0));
            assertTrue(warnings.get(1).contains(": record " + (packets.size() + 1) + " "),
                    warnings.get(1));
        }
    }

    /** `cat x.pcap.gz notes.bin`: every frame is read, the rest is counted and quoted. */
    @Test
    void bytesAfterTheLastGzipMemberAreSkippedWithTheirOffsetAndCount() throws Exception {
        byte[] members = CaptureFiles.gzipMembers(Arrays.copyOfRange(PCAP, 0, 40_000),
                Arrays.copyOfRange(PCAP, 40_000, PCAP.length));
        byte[] raw = Arrays.copyOf(PCAP, 1234);
        byte[] file = concat(members, raw);
        for (PacketSource source : List.of(ReadBack.open(file),
                ReadBack.openTrickling(file, 7, 4096), openFile("x.pcap.gz", file))) {
            try (source) {
                assertFrames(FRAMES, readAll(source));
                assertEquals(List.of("skipped 1234 bytes after the gzip data, from byte "
                        + members.length + " of the compressed file: they are not gzip data"
                        + " (they start d4 c3 b2 a1 …)"), source.warnings());
            }
        }
    }

    @Test
    void aDamagedMemberHeaderAfterTheFirstMemberIsSkippedNotRead() throws Exception {
        byte[] first = CaptureFiles.gzip(PCAP);
        byte[] second = CaptureFiles.gzip(new byte[100]);
        second[2] = 9; // compression method 9: not deflate
        try (PacketSource source = ReadBack.open(concat(first, second))) {
            assertFrames(FRAMES, readAll(source));
            assertEquals(List.of("skipped " + second.length + " bytes after the gzip data, from"
                    + " byte " + first.length + " of the compressed file: they start like a gzip"
                    + " member after member 1, but its compression method is 9 (8, deflate,"
                    + " expected) (they start 1f 8b …)"), source.warnings());
        }
    }

    /** tar and some copy tools pad to a block size with zeros, which gzip -d ignores too. */
    @Test
    void zeroPaddingAfterTheGzipDataIsNamedPadding() throws Exception {
        byte[] gz = CaptureFiles.gzip(PCAP);
        try (PacketSource source = ReadBack.open(concat(gz, new byte[512]))) {
            assertFrames(FRAMES, readAll(source));
            assertEquals(List.of("skipped 512 bytes after the gzip data, from byte " + gz.length
                    + " of the compressed file: they are zeros (padding)"), source.warnings());
        }
    }

    @Test
    void aSecondMemberCutInsideItsHeaderIsACutCapture() throws Exception {
        byte[] first = CaptureFiles.gzip(PCAP);
        byte[] second = Arrays.copyOf(CaptureFiles.gzip(PCAP), 6);
        try (PacketSource source = ReadBack.open(concat(first, second))) {
            assertFrames(FRAMES, readAll(source));
            assertEquals(List.of("gzip stream cut short after " + PCAP.length + " bytes of"
                    + " decompressed data (gzip member 2 (at byte " + first.length + " of the"
                    + " compressed file) ends inside its header)"), source.warnings());
        }
    }

    @Test
    void damagedCompressedDataInALaterMemberIsCorruptNamingTheMember() throws Exception {
        byte[] first = CaptureFiles.gzip(Arrays.copyOfRange(PCAP, 0, 30_000));
        byte[] second = CaptureFiles.gzip(Arrays.copyOfRange(PCAP, 30_000, PCAP.length));
        // First deflate block header: final block, type 3, which RFC 1951 reserves as an error.
        second[10] = 0x07;
        try (PacketSource source = ReadBack.open(concat(first, second))) {
            RawPacket raw = new RawPacket();
            CaptureException e = assertThrows(CaptureException.class, () -> {
                while (source.next(raw)) {
                    // the frames of the first member
                }
            });
            assertEquals(Kind.CORRUPT, e.kind());
            assertTrue(e.getMessage().startsWith("corrupt gzip stream: gzip member 2 (at byte "
                    + first.length + " of the compressed file): "), e.getMessage());
        }
    }

    @Test
    void aChecksumThatDoesNotMatchIsCorrupt() {
        byte[] gz = CaptureFiles.gzip(PCAP);
        gz[gz.length - 8] ^= 1; // the trailer's CRC-32
        CaptureException e = assertThrows(CaptureException.class, () -> readAll(gz));
        assertEquals(Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains("gzip member 1 (at byte 0 of the compressed file):"
                + " the CRC-32 of the decompressed data does not match"), e.getMessage());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void corruptGzipIsCorrupt() {
        byte[] gz = CaptureFiles.gzip(PCAP);
        // First deflate block header: final block, type 3, which RFC 1951 reserves as an error.
        gz[10] = 0x07;
        CaptureException e = assertThrows(CaptureException.class, () -> readAll(gz));
        assertEquals(Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().startsWith("corrupt gzip stream: "), e.getMessage());
    }

    @Test
    void gzipCutInsideItsHeaderOrHoldingNothingIsEmpty() {
        byte[] headerOnly = Arrays.copyOf(CaptureFiles.gzip(PCAP), 5);
        CaptureException e = assertThrows(CaptureException.class, () -> ReadBack.open(headerOnly));
        assertEquals(Kind.EMPTY, e.kind());
        assertEquals("empty: the gzip stream ends inside its header", e.getMessage());

        e = assertThrows(CaptureException.class,
                () -> ReadBack.open(CaptureFiles.gzip(new byte[0])));
        assertEquals(Kind.EMPTY, e.kind());
        assertEquals("empty: 0 bytes after gzip decompression", e.getMessage());
    }

    @Test
    void gzippedTextIsNotACapture() {
        byte[] text = CaptureFiles.gzip("hello, world".getBytes(StandardCharsets.US_ASCII));
        CaptureException e = assertThrows(CaptureException.class, () -> ReadBack.open(text));
        assertEquals(Kind.NOT_A_CAPTURE, e.kind());
        assertTrue(e.getMessage().endsWith("found 68656c6c after gzip decompression"),
                e.getMessage());
    }

    @Test
    void aStreamIsReadLikeStandardInputAndClosedWithTheSource() throws Exception {
        ReadBack.Trickle stdin = new ReadBack.Trickle(PCAPNG, 3);
        PacketSource source = Captures.open("-", stdin);
        assertEquals("-", source.name());
        assertFrames(FRAMES, readAll(source));
        source.close();
        assertTrue(stdin.closed);
    }

    @Test
    void emptyFileIsEmpty() {
        CaptureException e = assertThrows(CaptureException.class, () -> openFile("e", new byte[0]));
        assertEquals(Kind.EMPTY, e.kind());
        assertEquals("empty: 0 bytes", e.getMessage());
    }

    @Test
    void missingFileIsNotFound() {
        String name = dir.resolve("nope.pcap").toString();
        CaptureException e = assertThrows(CaptureException.class, () -> Captures.open(name));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertEquals(name + ": no such file", e.describe());
    }

    @Test
    void directoryIsNotFound() {
        CaptureException e = assertThrows(CaptureException.class,
                () -> Captures.open(dir.toString()));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertEquals("is a directory, not a capture file", e.getMessage());
    }

    @Test
    void unreadableFileIsNotFound() throws IOException {
        Path file = CaptureFiles.write(dir.resolve("secret.pcap"), PCAP);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "running as root: permissions do not apply");
        CaptureException e = assertThrows(CaptureException.class,
                () -> Captures.open(file.toString()));
        assertEquals(Kind.NOT_FOUND, e.kind());
        assertEquals("permission denied", e.getMessage());
    }

    @Test
    void otherBytesAreNotACaptureAndTheMessageSaysWhatWasExpected() {
        byte[] html = "<html><body>".getBytes(StandardCharsets.US_ASCII);
        CaptureException e = assertThrows(CaptureException.class, () -> openFile("x.pcap", html));
        assertEquals(Kind.NOT_A_CAPTURE, e.kind());
        assertEquals(0, e.offset());
        assertEquals("not a capture: expected a pcap magic (a1b2c3d4 or a1b23c4d, in either byte"
                + " order), a pcapng Section Header Block (0a0d0d0a) or gzip (1f8b); found 3c68746d",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aFewBytesAreNotACapture(int length) {
        byte[] few = Arrays.copyOf(PCAP, length);
        CaptureException e = assertThrows(CaptureException.class,
                () -> ReadBack.open(few));
        assertEquals(Kind.NOT_A_CAPTURE, e.kind());
        assertTrue(e.getMessage().startsWith("not a capture: only " + length + " bytes; expected"),
                e.getMessage());
    }
}
