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
import io.synscope.testutil.CaptureFiles.Iface;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PcapngReaderTest {
    private static final long T0 = 1_700_000_000_123_456_789L;
    /** A time that interfaces without {@code if_tsresol} (microseconds) keep exactly. */
    private static final long WHOLE_MICROS = 1_700_000_000_123_456_000L;
    private static final int SHB_BYTES = 28;
    private static final int IDB_BYTES = 20;
    private static final int ETHERNET = CaptureFiles.LINKTYPE_ETHERNET;
    private static final int RAW = CaptureFiles.LINKTYPE_RAW;
    private static final int SLL = CaptureFiles.LINKTYPE_LINUX_SLL;

    @ParameterizedTest
    @CsvSource({"BIG_ENDIAN, 1a2b3c4d", "LITTLE_ENDIAN, 4d3c2b1a"})
    void readsASectionInEitherByteOrder(String order, String byteOrderMagic) throws Exception {
        Frame a = new Frame(bytes(60, 1), T0);
        Frame b = new Frame(bytes(1514, 2), T0 + 1);
        byte[] file = CaptureFiles.pcapng().section(order(order))
                .iface(Iface.of(ETHERNET).tsresol(9)).epb(a).epb(b).toBytes();
        assertEquals("0a0d0d0a" + byteOrderMagic, HexFormat.of().formatHex(file, 0, 4)
                + HexFormat.of().formatHex(file, 8, 12), "what the writer wrote");
        List<Packet> packets;
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals("pcapng", source.format());
            packets = readAll(source);
            assertEquals(List.of(), source.warnings());
        }
        assertEquals(2, packets.size());
        assertArrayEquals(a.data(), packets.get(0).bytes());
        assertArrayEquals(b.data(), packets.get(1).bytes());
        assertEquals(T0, packets.get(0).tsNanos());
        assertEquals(T0 + 1, packets.get(1).tsNanos());
        assertEquals(ETHERNET, packets.get(1).linkType());
        int idbWithTsresol = IDB_BYTES + 8 + 4;
        assertEquals(SHB_BYTES + idbWithTsresol, packets.get(0).fileOffset());
        assertEquals(SHB_BYTES + idbWithTsresol + 32 + 60, packets.get(1).fileOffset());
    }

    @Test
    void sectionsOfDifferentByteOrdersNumberFramesAcrossTheFile() throws Exception {
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng();
        long[] offsets = new long[5];
        ng.section(ByteOrder.LITTLE_ENDIAN).iface(ETHERNET);
        offsets[0] = ng.size();
        ng.epb(new Frame(bytes(60, 3), 1_000));
        offsets[1] = ng.size();
        ng.epb(new Frame(bytes(61, 4), 2_000));
        ng.section(ByteOrder.BIG_ENDIAN).iface(RAW);
        offsets[2] = ng.size();
        ng.epb(new Frame(bytes(62, 5), 3_000));
        offsets[3] = ng.size();
        ng.epb(new Frame(bytes(63, 6), 4_000));
        ng.section(ByteOrder.LITTLE_ENDIAN).iface(SLL);
        offsets[4] = ng.size();
        ng.epb(new Frame(bytes(64, 7), 5_000));

        List<Packet> packets = readAll(ng.toBytes());
        int[] linkTypes = {ETHERNET, ETHERNET, RAW, RAW, SLL};
        assertEquals(5, packets.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, packets.get(i).frameNumber());
            assertEquals(offsets[i], packets.get(i).fileOffset());
            assertEquals(linkTypes[i], packets.get(i).linkType());
            assertEquals((i + 1) * 1_000L, packets.get(i).tsNanos());
            assertArrayEquals(bytes(60 + i, 3 + i), packets.get(i).bytes());
        }
    }

    @Test
    void eachSectionStartsANewInterfaceTable() {
        byte[] file = CaptureFiles.pcapng().iface(ETHERNET).iface(RAW)
                .epb(new Frame(bytes(60, 8), T0).onIface(1))
                .section(ByteOrder.BIG_ENDIAN).iface(SLL)
                .epbUnits(1, 0, bytes(60, 9), 60).toBytes();
        CaptureException e = assertThrows(CaptureException.class, () -> readAll(file));
        assertEquals(CaptureException.Kind.CORRUPT, e.kind());
        assertEquals("block 7 (enhanced packet) refers to interface 1, but section 2 defines"
                + " only 1 (0-0)", e.getMessage());
    }

    @Test
    void interfacesKeepTheirOwnLinkTypeAndResolution() throws Exception {
        Frame[] frames = {
            new Frame(bytes(60, 10), WHOLE_MICROS),                      // µs, the default
            new Frame(bytes(61, 11), T0).onIface(1),                     // ns
            new Frame(bytes(62, 12), 1_700_000_000_123_000_000L).onIface(2), // ms
            new Frame(bytes(63, 13), 1_700_000_000_500_000_000L).onIface(3), // 2^-30: .5 s exact
            new Frame(bytes(64, 14), 1_700_000_000_000_000_000L).onIface(4), // 2^-0: seconds
        };
        byte[] file = CaptureFiles.pcapng()
                .iface(ETHERNET)
                .iface(Iface.of(RAW).tsresol(9))
                .iface(Iface.of(SLL).tsresol(3))
                .iface(Iface.of(ETHERNET).tsresol(0x80 | 30))
                .iface(Iface.of(RAW).tsresol(0x80))
                .frames(List.of(frames)).toBytes();
        List<Packet> packets = readAll(file);
        int[] linkTypes = {ETHERNET, RAW, SLL, ETHERNET, RAW};
        for (int i = 0; i < frames.length; i++) {
            assertEquals(frames[i].tsNanos(), packets.get(i).tsNanos(), "frame " + i);
            assertEquals(linkTypes[i], packets.get(i).linkType(), "frame " + i);
        }
    }

    /**
     * Any timestamp field in any resolution gives floor(units × 10^9 / units per second),
     * computed here with BigInteger. Units are unsigned 64-bit values.
     */
    @ParameterizedTest(name = "tsresol {0}, units {1}")
    @CsvSource({
        "6,    1700000000123456",
        "9,    1700000000123456789",
        "3,    1700000000123",
        "0,    1700000000",
        "12,   1234567890123456789",      // picoseconds: floor to the nanosecond
        "19,   18446744073709551615",     // 2^64-1 in 10^-19 s
        "28,   18446744073709551615",     // 10^19 as an unsigned divisor: 1 ns
        "28,   9999999999999999999",      // just below it: 0 ns
        "30,   18446744073709551615",     // no 64-bit count reaches a nanosecond
        "128,  1700000000",               // 2^-0: seconds
        "158,  1825361100800012345",      // 2^-30: 1.7e9 s and 12345 units
        "158,  1825361101337",
        "183,  18446744073709551615",     // 2^-55
        "191,  18446744073709551615",     // 2^-63
        "192,  18446744073709551615",     // 2^-64
        "255,  18446744073709551615",     // 2^-127
    })
    void timestampsConvertExactlyInEveryResolution(int tsresol, BigInteger units)
            throws Exception {
        Iface iface = Iface.of(ETHERNET).tsresol(tsresol);
        byte[] file = CaptureFiles.pcapng().iface(iface)
                .epbUnits(0, units.longValue(), bytes(60, 15), 60).toBytes();
        long expected = units.multiply(BigInteger.valueOf(1_000_000_000L))
                .divide(iface.unitsPerSecond()).longValueExact();
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals(expected, readAll(source).get(0).tsNanos());
            assertEquals(List.of(), source.warnings());
        }
    }

    @Test
    void tsoffsetAddsSecondsToEveryTimestamp() throws Exception {
        Iface shifted = Iface.of(ETHERNET).tsresol(9).tsOffset(1_600_000_000L);
        Iface backwards = Iface.of(RAW).tsOffset(-2_000_000_000L);
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng().iface(shifted).iface(backwards);
        int firstEpb = ng.size();
        ng.epb(new Frame(bytes(60, 16), T0))
                // 1 s after an offset of -2e9 s: long before 1970.
                .epbUnits(1, 1_000_000, bytes(60, 17), 60);
        byte[] file = ng.toBytes();
        ByteBuffer epb = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long written = ((long) epb.getInt(firstEpb + 12) << 32) | (epb.getInt(firstEpb + 16)
                & 0xFFFF_FFFFL);
        assertEquals(T0 - 1_600_000_000L * 1_000_000_000L, written, "units relative to the offset");

        List<Packet> packets = readAll(file);
        assertEquals(T0, packets.get(0).tsNanos());
        assertEquals((1 - 2_000_000_000L) * 1_000_000_000L, packets.get(1).tsNanos());
    }

    @Test
    void timestampsBeyondTheNanosecondRangeAreClampedAndCounted() throws Exception {
        byte[] file = CaptureFiles.pcapng()
                .iface(Iface.of(ETHERNET).tsresol(0))                  // seconds
                .iface(Iface.of(ETHERNET).tsOffset(Long.MAX_VALUE / 2))
                .iface(Iface.of(ETHERNET).tsOffset(-9_000_000_000L))
                .iface(Iface.of(ETHERNET).tsOffset(9_000_000_000L))
                .epbUnits(0, 1L << 62, bytes(60, 18), 60)
                .epbUnits(0, -1L, bytes(60, 19), 60)
                .epbUnits(1, 0, bytes(60, 20), 60)
                .epbUnits(2, 0, bytes(60, 21), 60)
                .epbUnits(2, 1_000_000L * 1_000_000_000L, bytes(60, 22), 60)
                // 9e9 s offset plus 1e9 s: the sum passes 2262.
                .epbUnits(3, 1_000_000L * 1_000_000_000L, bytes(60, 23), 60)
                .toBytes();
        try (PacketSource source = ReadBack.open(file)) {
            List<Packet> packets = readAll(source);
            assertEquals(Long.MAX_VALUE, packets.get(0).tsNanos());
            assertEquals(Long.MAX_VALUE, packets.get(1).tsNanos());
            assertEquals(Long.MAX_VALUE, packets.get(2).tsNanos(), "the clamped offset");
            assertEquals(-9_000_000_000L * 1_000_000_000L, packets.get(3).tsNanos(),
                    "fits: no clamp");
            assertEquals(-8_000_000_000L * 1_000_000_000L, packets.get(4).tsNanos());
            assertEquals(Long.MAX_VALUE, packets.get(5).tsNanos());
            assertEquals(List.of(
                    "block 3 (interface description): if_tsoffset of " + (Long.MAX_VALUE / 2)
                            + " seconds is beyond the nanosecond range; clamped",
                    "clamped 3 timestamps beyond the nanosecond range (before 1678 or after 2262)"),
                    source.warnings());
        }
    }

    @Test
    void simplePacketBlocksUseInterfaceZeroAndTheSmallestLength() throws Exception {
        byte[] big = bytes(100, 23);
        byte[] file = CaptureFiles.pcapng()
                .iface(Iface.of(RAW).snapLength(90)).iface(ETHERNET)
                .epb(new Frame(bytes(60, 24), WHOLE_MICROS).onIface(1))
                .spb(new Frame(big, 0).withOriginalLength(1514))   // snap length wins: 90
                .spb(new Frame(big, 0).withOriginalLength(80))     // original length wins: 80
                .spb(new Frame(bytes(40, 25), 0).withOriginalLength(1514)) // block body wins
                .section(ByteOrder.BIG_ENDIAN).iface(Iface.of(SLL).snapLength(0))
                .spb(new Frame(big, 0).withOriginalLength(1514))   // no snap length: body, 100
                .toBytes();
        List<Packet> packets = readAll(file);
        assertEquals(5, packets.size());
        assertArrayEquals(Arrays.copyOf(big, 90), packets.get(1).bytes());
        assertEquals(1514, packets.get(1).originalLength());
        assertArrayEquals(Arrays.copyOf(big, 80), packets.get(2).bytes());
        assertEquals(80, packets.get(2).originalLength());
        assertArrayEquals(bytes(40, 25), packets.get(3).bytes());
        assertArrayEquals(big, packets.get(4).bytes());
        for (int i = 1; i < 4; i++) {
            assertEquals(RAW, packets.get(i).linkType());
            assertEquals(WHOLE_MICROS, packets.get(i).tsNanos(), "the time of the frame before");
        }
        assertEquals(SLL, packets.get(4).linkType());
    }

    @Test
    void obsoletePacketBlocksAreRead() throws Exception {
        Frame a = new Frame(bytes(60, 26), T0).onIface(1);
        Frame b = new Frame(bytes(70, 27), T0 + 5).onIface(0);
        byte[] file = CaptureFiles.pcapng().section(ByteOrder.BIG_ENDIAN)
                .iface(Iface.of(ETHERNET).tsresol(9)).iface(Iface.of(RAW).tsresol(9))
                .pb(a).pb(b).toBytes();
        List<Packet> packets = readAll(file);
        assertArrayEquals(a.data(), packets.get(0).bytes());
        assertEquals(RAW, packets.get(0).linkType());
        assertEquals(T0, packets.get(0).tsNanos());
        assertEquals(ETHERNET, packets.get(1).linkType());
        assertEquals(T0 + 5, packets.get(1).tsNanos());
    }

    @Test
    void unknownBlocksAreSkippedAndCountedInOneWarning() throws Exception {
        byte[] file = CaptureFiles.pcapng().iface(ETHERNET)
                .block(0xBAD, bytes(10, 28))
                .epb(new Frame(bytes(60, 29), 1_000))
                .block(0x4000_0BAD, new byte[0])
                .block(0xBAD, new byte[0])
                .block(4, new byte[8])      // name resolution: known, not counted
                .block(5, new byte[12])     // interface statistics: known, not counted
                .block(0xBAD, bytes(3, 30))
                .epb(new Frame(bytes(61, 31), 2_000))
                .toBytes();
        try (PacketSource source = ReadBack.open(file)) {
            List<Packet> packets = readAll(source);
            assertEquals(2, packets.size());
            assertEquals(2, packets.get(1).frameNumber());
            assertEquals(List.of("skipped 4 blocks of unknown type (0x00000bad ×3, 0x40000bad ×1)"),
                    source.warnings());
        }
    }

    @Test
    void manyUnknownTypesStillGiveOneBoundedWarning() throws Exception {
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng();
        for (int type = 0x100; type < 0x100 + 20; type++) {
            ng.block(type, new byte[0]);
        }
        try (PacketSource source = ReadBack.open(ng.toBytes())) {
            assertEquals(0, readAll(source).size());
            assertEquals(List.of("skipped 20 blocks of unknown type (0x00000100 ×1, 0x00000101 ×1,"
                    + " 0x00000102 ×1, 0x00000103 ×1, 0x00000104 ×1, 0x00000105 ×1,"
                    + " 0x00000106 ×1, 0x00000107 ×1, other types ×12)"), source.warnings());
        }
    }

    /** Each length check on its own: one good frame, then a crafted block that breaks one rule. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "shorter than any block  | 00000bad 00000008 00000008 | block 4 (type 0x00000bad) has a total length of 8; at least 12 expected",
        "shorter than an EPB     | 00000006 00000018 00000000 00000000 00000000 00000018 | block 4 (enhanced packet) has a total length of 24; at least 32 expected",
        "not a multiple of 4     | 00000bad 0000000e 00000000 0000 0000000e | block 4 (type 0x00000bad) has a total length of 14; a multiple of 4 expected",
        "above the cap           | 00000006 7fffffff | block 4 (enhanced packet) has a total length of 2147483647; at most 16777216 expected",
        "negative as an int      | 00000006 fffffff0 | block 4 (enhanced packet) has a total length of 4294967280; at most 16777216 expected",
        "trailing copy differs   | 00000bad 00000010 00000000 00000014 | block 4 (type 0x00000bad) ends with a total length of 20; 16 expected (the leading copy)",
        "EPB data past its block | 00000006 00000024 00000000 00000000 00000000 00000005 00000005 00000000 00000024 | block 4 (enhanced packet) announces a captured length of 5 bytes; at most 4 expected (what the block's length leaves for packet data)",
        "IDB option past its end | 00000001 0000001c 00010000 00000000 00090008 01000000 0000001c | block 4 (interface description): option 9 at offset 156 announces 8 bytes; at most 4 expected (what the block's length leaves)",
        "SHB byte-order magic    | 0a0d0d0a 0000001c 1a2b3c4e 00010000 ffffffff ffffffff 0000001c | block 4 (section header) has byte-order magic 1a2b3c4e; 1a2b3c4d expected, in either byte order",
        "SHB version 2           | 0a0d0d0a 0000001c 1a2b3c4d 00020000 ffffffff ffffffff 0000001c | block 4 (section header) has pcapng version 2.0; version 1.x expected",
    })
    void malformedBlocksAreCorruptWithTheirOffset(String rule, String blockHex, String message)
            throws Exception {
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng().section(ByteOrder.BIG_ENDIAN)
                .iface(ETHERNET).epb(new Frame(bytes(60, 32), T0));
        int badAt = ng.size();
        byte[] file = ng.raw(HexFormat.of().parseHex(blockHex.replace(" ", ""))).toBytes();
        assertEquals(SHB_BYTES + IDB_BYTES + 32 + 60, badAt, "the option offset above assumes it");
        try (PacketSource source = ReadBack.open(file)) {
            RawPacket raw = new RawPacket();
            assertTrue(source.next(raw), "the frame before the bad block is delivered");
            CaptureException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> assertThrows(CaptureException.class, () -> source.next(raw)));
            assertEquals(CaptureException.Kind.CORRUPT, e.kind());
            assertEquals(badAt, e.offset());
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    void packetOnAnUndefinedInterfaceIsCorrupt() {
        byte[] epb = CaptureFiles.pcapng().iface(ETHERNET).epbUnits(2, 0, bytes(60, 33), 60)
                .toBytes();
        CaptureException e = assertThrows(CaptureException.class, () -> readAll(epb));
        assertEquals(CaptureException.Kind.CORRUPT, e.kind());
        assertEquals(SHB_BYTES + IDB_BYTES, e.offset());
        assertEquals("block 3 (enhanced packet) refers to interface 2, but section 1 defines only"
                + " 1 (0-0)", e.getMessage());

        byte[] spb = CaptureFiles.pcapng().spb(new Frame(bytes(60, 34), 0)).toBytes();
        e = assertThrows(CaptureException.class, () -> readAll(spb));
        assertEquals("block 2 (simple packet) refers to interface 0, but section 1 defines none",
                e.getMessage());
    }

    @Test
    void cutLastBlockWarnsAndKeepsEarlierFrames() throws Exception {
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng().iface(ETHERNET)
                .epb(new Frame(bytes(60, 35), T0));
        int cutAt = ng.size();
        byte[] whole = ng.epb(new Frame(bytes(68, 36), T0)).toBytes();
        byte[] cut = Arrays.copyOf(whole, cutAt + 40);
        try (PacketSource source = ReadBack.open(cut)) {
            assertEquals(1, readAll(source).size());
            assertEquals(List.of("capture cut short at offset " + cutAt
                    + ": block 4 (enhanced packet) announces 100 bytes, 40 present;"
                    + " analysed up to the cut"), source.warnings());
        }
        try (PacketSource source = ReadBack.open(Arrays.copyOf(whole, cutAt + 5))) {
            assertEquals(1, readAll(source).size());
            assertEquals(List.of("capture cut short at offset " + cutAt
                    + ": block 4 needs an 8-byte header, 5 bytes present; analysed up to the cut"),
                    source.warnings());
        }
    }

    @Test
    void cutFirstSectionHeaderYieldsNoFramesAndAWarning() throws Exception {
        byte[] shb = CaptureFiles.pcapng().section(ByteOrder.LITTLE_ENDIAN).toBytes();
        try (PacketSource source = ReadBack.open(Arrays.copyOf(shb, 20))) {
            assertFalse(source.next(new RawPacket()));
            assertEquals(List.of("capture cut short at offset 0: block 1 (section header)"
                    + " announces 28 bytes, 20 present; analysed up to the cut"),
                    source.warnings());
        }
    }

    @Test
    void badByteOrderMagicIsRefusedAtOpen() {
        byte[] file = CaptureFiles.pcapng().iface(ETHERNET).toBytes();
        file[8] ^= 0x01;
        CaptureException e = assertThrows(CaptureException.class, () -> ReadBack.open(file));
        assertEquals(CaptureException.Kind.CORRUPT, e.kind());
        assertEquals(0, e.offset());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void malformedTimestampOptionsAreIgnoredWithAWarning(int which) throws Exception {
        // if_tsresol with 2 bytes, or if_tsoffset with 4: ignored, the defaults stay.
        String option = which == 0 ? "0009 0002 0900 0000" : "000e 0004 00000064";
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng().section(ByteOrder.BIG_ENDIAN);
        byte[] body = HexFormat.of().parseHex(("0001 0000 00040000" + option + "00000000")
                .replace(" ", ""));
        byte[] file = ng.block(1, body).epbUnits(0, 1_000_000, bytes(60, 37), 60).toBytes();
        try (PacketSource source = ReadBack.open(file)) {
            assertEquals(1_000_000_000L, readAll(source).get(0).tsNanos(), "microseconds, no offset");
            assertEquals(List.of(which == 0
                    ? "block 2 (interface description): if_tsresol has 2 bytes, 1 expected; ignored"
                    : "block 2 (interface description): if_tsoffset has 4 bytes, 8 expected; ignored"),
                    source.warnings());
        }
    }

    @Test
    void warningsAreBoundedHoweverManyBlocksDeserveOne() throws Exception {
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng().section(ByteOrder.BIG_ENDIAN);
        byte[] badTsresol = HexFormat.of().parseHex("0001000000040000" + "0009000209000000");
        for (int i = 0; i < 105; i++) {
            ng.block(1, badTsresol);
        }
        try (PacketSource source = ReadBack.open(ng.toBytes())) {
            assertEquals(0, readAll(source).size());
            List<String> warnings = source.warnings();
            assertEquals(101, warnings.size());
            assertEquals("block 101 (interface description): if_tsresol has 2 bytes, 1 expected;"
                    + " ignored", warnings.get(99));
            assertEquals("5 further warnings not shown", warnings.get(100));
        }
    }

    @Test
    void aSectionMayDefineAtMost65536Interfaces() throws Exception {
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng();
        for (int i = 0; i < 65_536; i++) {
            ng.iface(ETHERNET);
        }
        ng.epb(new Frame(bytes(60, 38), WHOLE_MICROS).onIface(65_535));
        int extraAt = ng.size();
        byte[] file = ng.iface(RAW).toBytes();
        try (PacketSource source = ReadBack.open(file)) {
            RawPacket raw = new RawPacket();
            assertTrue(source.next(raw));
            assertEquals(WHOLE_MICROS, raw.tsNanos);
            CaptureException e = assertThrows(CaptureException.class, () -> source.next(raw));
            assertEquals(extraAt, e.offset());
            assertEquals("block 65539 (interface description) would be interface 65536 of"
                    + " section 1; at most 65536 expected", e.getMessage());
        }
    }

    @Test
    void lyingBlockLengthCostsNoMoreThanTwiceTheBytesPresent() throws Exception {
        int announced = 16 << 20;
        int present = 1 << 20;
        CaptureFiles.Pcapng ng = CaptureFiles.pcapng().iface(ETHERNET);
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        byte[] file = ng.raw(header.putInt(6).putInt(announced).array())
                .raw(new byte[present - 8]).toBytes();
        try (PacketSource source = ReadBack.openTrickling(file, 1 << 16, 1 << 16)) {
            assertFalse(source.next(new RawPacket()));
            assertTrue(((CaptureReader) source).in.capacity() <= 2 * present,
                    "buffer of " + ((CaptureReader) source).in.capacity());
            assertTrue(source.warnings().get(0).endsWith("block 3 (enhanced packet) announces "
                    + announced + " bytes, " + present + " present; analysed up to the cut"));
        }
    }

    private static ByteOrder order(String name) {
        return name.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
}
