package io.synscope.capture;

import static io.synscope.capture.ReadBack.bytes;
import static io.synscope.capture.ReadBack.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synscope.capture.ReadBack.Packet;
import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.CaptureFiles.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PcapReaderTest {
    private static final long T0 = 1_700_000_000_123_456_789L;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "LITTLE_ENDIAN, false, d4c3b2a1, pcap",
        "BIG_ENDIAN,    false, a1b2c3d4, pcap",
        "LITTLE_ENDIAN, true,  4d3cb2a1, pcap-ns",
        "BIG_ENDIAN,    true,  a1b23c4d, pcap-ns",
    })
    void readsEveryMagicAndByteOrder(String order, boolean nanos, String firstBytes, String format)
            throws Exception {
        List<Frame> frames = List.of(
                new Frame(bytes(60, 1), T0),
                new Frame(bytes(1514, 2), T0 + 1_000),
                new Frame(bytes(74, 3), T0 + 3_000_000_999L));
        CaptureFiles.Pcap pcap = CaptureFiles.pcap().order(byteOrder(order)).linkType(113);
        if (nanos) {
            pcap.nanos();
        }
        byte[] file = pcap.frames(frames).toBytes();
        assertEquals(firstBytes, HexFormat.of().formatHex(file, 0, 4), "the writer's magic");

        List<Packet> packets;
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals(format, source.format());
            packets = readAll(source);
            assertEquals(List.of(), source.warnings());
        }
        assertEquals(3, packets.size());
        long offset = 24;
        for (int i = 0; i < 3; i++) {
            Frame f = frames.get(i);
            Packet p = packets.get(i);
            assertArrayEquals(f.data(), p.bytes());
            assertEquals(f.data().length, p.originalLength());
            // A microsecond file keeps the time down to the microsecond.
            assertEquals(nanos ? f.tsNanos() : f.tsNanos() / 1000 * 1000, p.tsNanos());
            assertEquals(113, p.linkType());
            assertEquals(i + 1, p.frameNumber());
            assertEquals(offset, p.fileOffset());
            offset += 16 + f.data().length;
        }
    }

    @Test
    void nanosecondTimestampsKeepEveryDigit() throws Exception {
        byte[] file = CaptureFiles.pcap().nanos().frame(bytes(60, 4), T0).toBytes();
        assertEquals(1_700_000_000_123_456_789L, readAll(file).get(0).tsNanos());
    }

    @Test
    void secondsAreUnsignedPast2038() throws Exception {
        // 0xF0000000 s is in 2097; read as a signed int it would be before 1970.
        byte[] file = CaptureFiles.pcap().record(0xF000_0000, 999_999, 4, 4, bytes(4, 5)).toBytes();
        assertEquals(0xF000_0000L * 1_000_000_000L + 999_999_000L, readAll(file).get(0).tsNanos());
    }

    @Test
    void snappedFramesAreHandedOutAsTheyAre() throws Exception {
        byte[] snapped = bytes(96, 6);
        byte[] file = CaptureFiles.pcap().snapLength(96)
                .frame(new Frame(snapped, T0).withOriginalLength(1514)).toBytes();
        Packet p = readAll(file).get(0);
        assertArrayEquals(snapped, p.bytes());
        assertEquals(1514, p.originalLength());
    }

    @Test
    void capturedLengthAboveOriginalLengthUsesTheCapturedLength() throws Exception {
        byte[] data = bytes(60, 7);
        byte[] file = CaptureFiles.pcap().record(1, 0, 60, 40, data).toBytes();
        Packet p = readAll(file).get(0);
        assertArrayEquals(data, p.bytes());
        assertEquals(60, p.originalLength());
    }

    @Test
    void originalLengthAbove2GiBIsClampedNotNegative() throws Exception {
        byte[] file = CaptureFiles.pcap().record(1, 0, 4, 0xFFFF_FFF0, bytes(4, 8)).toBytes();
        assertEquals(Integer.MAX_VALUE, readAll(file).get(0).originalLength());
    }

    @Test
    void linkTypeFlagBitsAreMaskedOff() throws Exception {
        // FCS-present flag (bit 28) and FCS length 4 (bits 29-31 = 2 words), link type SLL.
        int field = (1 << 28) | (2 << 29) | 113;
        byte[] file = CaptureFiles.pcap().linkType(field).frame(bytes(60, 9), T0).toBytes();
        assertEquals(113, readAll(file).get(0).linkType());
    }

    @Test
    void cutLastRecordWarnsAndKeepsEarlierFrames() throws Exception {
        byte[] cutBody = bytes(600, 10);
        byte[] file = CaptureFiles.pcap()
                .frame(bytes(60, 11), T0).frame(bytes(70, 12), T0)
                .record(1, 0, 1514, 1514, cutBody).toBytes();
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals(2, readAll(source).size());
            long cutAt = 24 + (16 + 60) + (16 + 70);
            assertEquals(List.of("capture cut short at offset " + cutAt
                    + ": record 3 announces 1514 bytes, 600 present; analysed up to the cut"),
                    source.warnings());
            assertFalse(source.next(new RawPacket()), "still at the end");
            assertEquals(1, source.warnings().size(), "no second warning");
        }
    }

    @Test
    void cutTrailingRecordHeaderWarns() throws Exception {
        byte[] file = CaptureFiles.pcap().frame(bytes(60, 13), T0).raw(new byte[5]).toBytes();
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals(1, readAll(source).size());
            assertEquals(List.of("capture cut short at offset " + (24 + 16 + 60)
                    + ": record 2 needs a 16-byte header, 5 bytes present; analysed up to the cut"),
                    source.warnings());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 262_144 * 4 + 1})
    void absurdCapturedLengthIsCorruptAtOnce(int capturedLengthField) {
        byte[] file = CaptureFiles.pcap().frame(bytes(60, 14), T0)
                .record(1, 0, capturedLengthField, 60, bytes(60, 15)).toBytes();
        CaptureException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(CaptureException.class, () -> readAll(file)));
        assertEquals(CaptureException.Kind.CORRUPT, e.kind());
        assertEquals(24 + 16 + 60, e.offset());
        assertEquals("record 2 announces a captured length of "
                + Integer.toUnsignedString(capturedLengthField)
                + " bytes; at most 1048576 expected", e.getMessage());
    }

    @Test
    void largestAcceptedCapturedLengthIsRead() throws Exception {
        // Bigger than the default buffer: the buffer must grow for it.
        byte[] jumbo = bytes(262_144 * 4, 16);
        byte[] file = CaptureFiles.pcap().frame(jumbo, T0).frame(bytes(60, 17), T0).toBytes();
        List<Packet> packets = readAll(file);
        assertEquals(2, packets.size());
        assertArrayEquals(jumbo, packets.get(0).bytes());
    }

    @Test
    void fileHeaderCutShortIsCorrupt() {
        byte[] file = java.util.Arrays.copyOf(CaptureFiles.pcap().toBytes(), 10);
        CaptureException e = assertThrows(CaptureException.class, () -> ReadBack.open(file));
        assertEquals(CaptureException.Kind.CORRUPT, e.kind());
        assertEquals("pcap file header cut short: 24 bytes expected, 10 present", e.getMessage());
    }

    @Test
    void unusualVersionIsReadWithAWarning() throws Exception {
        byte[] file = CaptureFiles.pcap().frame(bytes(60, 18), T0).toBytes();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 3);
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals(1, readAll(source).size());
            assertEquals(List.of("unusual pcap version 3.4; read as version 2.4"),
                    source.warnings());
        }
    }

    /** Small buffers and short reads force compaction and growth on almost every record. */
    @ParameterizedTest(name = "buffer {0}, {1} bytes per read")
    @CsvSource({"64, 1", "64, 7", "100, 4096", "4096, 3"})
    void recordsStraddlingAndExceedingTheBufferAreExact(int bufferBytes, int bytesPerRead)
            throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            frames.add(new Frame(bytes((i * 37) % 500, i), T0 + i * 1_000L));
        }
        byte[] file = CaptureFiles.pcap().nanos().frames(frames).toBytes();
        try (PacketSource source = ReadBack.openTrickling(file, bytesPerRead, bufferBytes)) {
            List<Packet> packets = readAll(source);
            assertEquals(frames.size(), packets.size());
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(frames.get(i).data(), packets.get(i).bytes(), "frame " + i);
                assertEquals(frames.get(i).tsNanos(), packets.get(i).tsNanos());
            }
            assertTrue(source.warnings().isEmpty());
        }
    }

    @Test
    void lyingLengthCostsNoMemoryBeyondTheBytesPresent() throws Exception {
        // The largest legal captured length, but only 100 bytes follow.
        byte[] file = CaptureFiles.pcap().record(1, 0, 262_144 * 4, 262_144 * 4, bytes(100, 19))
                .toBytes();
        try (PacketSource source = ReadBack.openTrickling(file, 4096, 4096)) {
            assertFalse(source.next(new RawPacket()));
            assertEquals(4096, ((CaptureReader) source).in.capacity());
            assertTrue(source.warnings().get(0).contains("announces 1048576 bytes, 100 present"));
        }
    }

    private static ByteOrder byteOrder(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}
