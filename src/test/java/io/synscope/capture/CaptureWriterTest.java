package io.synscope.capture;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code live -w}'s files: every frame of a real capture copied through {@link CaptureWriter}
 * reads back byte for byte and nanosecond for nanosecond, in pcap and in pcapng; the pcapng's
 * statistics block gives back the end time and the drop counts; and tcpdump and tshark, when
 * installed, read both files and count the frames they count in the original.
 */
class CaptureWriterTest {
    @TempDir
    Path dir;

    private record Frame(byte[] data, long tsNanos, int originalLength, int linkType) {
    }

    private static List<Frame> read(Path file) throws Exception {
        List<Frame> frames = new ArrayList<>();
        try (PacketSource s = Captures.open(file.toString())) {
            RawPacket p = new RawPacket();
            while (s.next(p)) {
                frames.add(new Frame(Arrays.copyOfRange(p.data, p.offset,
                        p.offset + p.capturedLength), p.tsNanos, p.originalLength, p.linkType));
            }
        }
        return frames;
    }

    private Path copy(Path from, String name, long endNanos, CaptureStats stats) throws Exception {
        return copy(from, name, endNanos, stats, Map.of());
    }

    private Path copy(Path from, String name, long endNanos, CaptureStats stats,
                      Map<String, String> attachments) throws Exception {
        Path to = dir.resolve(name);
        try (PacketSource s = Captures.open(from.toString())) {
            RawPacket p = new RawPacket();
            CaptureWriter w = null;
            while (s.next(p)) {
                if (w == null) {
                    w = CaptureWriter.open(to.toString(), p.linkType, 128, "veth-é0");
                }
                w.write(p);
            }
            attachments.forEach(w::attach);
            w.finish(endNanos, stats);
            w.close();
        }
        return to;
    }

    @Test
    void framesReadBackAsTheyWereInPcapAndPcapng() throws Exception {
        for (String sample : List.of("demo.pcap", "ipv6.pcap", "overflow-reset.sll2.pcap",
                "ok.ng.pcapng")) {
            Path original = Path.of("sample-pcaps", sample);
            List<Frame> frames = read(original);
            for (String name : List.of("copy.pcap", "copy.pcapng")) {
                List<Frame> back = read(copy(original, name, Long.MIN_VALUE, null));
                assertEquals(frames.size(), back.size(), sample + " → " + name);
                for (int i = 0; i < frames.size(); i++) {
                    Frame a = frames.get(i);
                    Frame b = back.get(i);
                    assertArrayEquals(a.data(), b.data(), sample + " frame " + (i + 1));
                    assertEquals(a.tsNanos(), b.tsNanos(), sample + " frame " + (i + 1));
                    assertEquals(a.originalLength(), b.originalLength());
                    assertEquals(a.linkType(), b.linkType());
                }
            }
        }
    }

    @Test
    void pcapngKeepsTheEndTimeAndTheDropCounts() throws Exception {
        Path original = Path.of("sample-pcaps", "demo.pcap");
        List<Frame> frames = read(original);
        long end = frames.get(frames.size() - 1).tsNanos() + 7_123_456_789L;
        Path ng = copy(original, "stats.pcapng", end, new CaptureStats(1000, 17, 3));
        try (PacketSource s = Captures.open(ng.toString())) {
            RawPacket p = new RawPacket();
            while (s.next(p)) {
                // Read to the end: the statistics block comes last.
            }
            assertEquals(end, s.endNanos());
            assertEquals(new CaptureStats(1000, 17, 3), s.stats());
            assertTrue(s.warnings().isEmpty(), s.warnings().toString());
        }
        Path pcap = copy(original, "stats.pcap", end, new CaptureStats(1000, 17, 3));
        try (PacketSource s = Captures.open(pcap.toString())) {
            RawPacket p = new RawPacket();
            while (s.next(p)) {
                // pcap has no place for them.
            }
            assertNull(s.stats());
            assertEquals(Long.MIN_VALUE, s.endNanos());
        }
    }

    /** Text of {@code bytes} UTF-8 bytes at least, with 2-, 3- and 4-byte characters all over. */
    private static String mixedText(int bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < bytes / 2; i++) {
            b.append("{\"line\":").append(i).append(",\"é\":\"€𝄞\"}\n");
        }
        return b.toString();
    }

    @Test
    void attachmentsReadBackWholeFromPcapngAndAreIgnoredElsewhere() throws Exception {
        Path original = Path.of("sample-pcaps", "demo.pcap");
        // 2.5 MB: pieces cut at character boundaries, several statistics blocks.
        String big = mixedText(2_500_000);
        Map<String, String> attached = Map.of("kernel", big, "empty", "");
        Path ng = copy(original, "a.pcapng", Long.MIN_VALUE, new CaptureStats(5, 0, 0), attached);
        assertEquals(attached, Captures.attachments(ng.toString()));
        assertEquals(read(original).size(), read(ng).size());
        try (PacketSource s = Captures.open(ng.toString())) {
            RawPacket p = new RawPacket();
            while (s.next(p)) {
                // The attachments' blocks must not disturb the statistics read at the end.
            }
            assertEquals(new CaptureStats(5, 0, 0), s.stats());
            assertTrue(s.warnings().isEmpty(), s.warnings().toString());
        }
        Path pcap = copy(original, "a.pcap", Long.MIN_VALUE, null, attached);
        assertEquals(Map.of(), Captures.attachments(pcap.toString()));
        // A pcapng another program wrote is not read ahead at all.
        assertEquals(Map.of(), Captures.attachments("sample-pcaps/ok.ng.pcapng"));
        assertEquals(Map.of(), Captures.attachments(dir.resolve("missing.pcapng").toString()));
    }

    /**
     * tcpdump and tshark, when installed, count as many frames in every file written here as
     * they count in the original: the number is theirs, not synscope's reader's.
     */
    @Test
    void tcpdumpAndTsharkReadTheFiles() throws Exception {
        List<List<String>> readers = new ArrayList<>();
        for (String bin : List.of("/usr/bin/tcpdump", "/usr/sbin/tcpdump")) {
            if (Files.isExecutable(Path.of(bin))) {
                readers.add(List.of(bin, "-nn", "-r"));
                break;
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/tshark"))) {
            readers.add(List.of("/usr/bin/tshark", "-n", "-r"));
        }
        Assumptions.assumeFalse(readers.isEmpty(),
                "neither tcpdump nor tshark is installed (.ci/run installs both)");
        Path original = Path.of("sample-pcaps", "demo.pcap");
        Map<String, String> attached = Map.of("kernel", mixedText(300_000));
        for (String name : List.of("t.pcap", "t.pcapng")) {
            Path f = copy(original, name, Long.MIN_VALUE, new CaptureStats(5, 0, 0), attached);
            for (List<String> reader : readers) {
                long frames = framesAsRead(reader, original);
                assertTrue(frames > 0, reader.get(0) + " read no frame of " + original);
                assertEquals(frames, framesAsRead(reader, f), reader.get(0) + " " + name);
            }
        }
    }

    /** How many frames {@code reader} (tcpdump or tshark, one line per frame) reads in a file. */
    private static long framesAsRead(List<String> reader, Path file) throws Exception {
        List<String> command = new ArrayList<>(reader);
        command.add(file.toString());
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), reader.get(0) + " " + file + ": " + err);
        return out.lines().count();
    }

    /**
     * An export's writer ({@link CaptureWriter#create}): frames of two captures of the same
     * traffic, Ethernet and Linux cooked v2, with their own snap lengths, read back each with its
     * link type and snap length from pcapng; a pcap of one link type declares the largest snap
     * length of its frames and refuses a second link type; an empty export is a capture too.
     */
    @Test
    void anExportKeepsEachFramesLinkTypeAndSnapLength() throws Exception {
        Path ether = Path.of("sample-pcaps/overflow-reset.pcap");
        Path cooked = Path.of("sample-pcaps/overflow-reset.sll2.pcap");
        Path mixed = dir.resolve("mixed.pcapng");
        List<Frame> written = new ArrayList<>();
        try (CaptureWriter w = CaptureWriter.create(new java.io.FileOutputStream(mixed.toFile()),
                mixed.toString(), true)) {
            int snap = 96;
            for (Path in : List.of(ether, cooked, ether)) {
                try (PacketSource s = Captures.open(in.toString())) {
                    RawPacket p = new RawPacket();
                    for (int n = 0; n < 5 && s.next(p); n++) {
                        w.write(p, snap);
                        written.add(new Frame(Arrays.copyOfRange(p.data, p.offset,
                                p.offset + p.capturedLength), p.tsNanos, p.originalLength,
                                p.linkType));
                    }
                }
                snap += 32;
            }
            w.finish(Long.MIN_VALUE, null);
        }
        assertEquals(written.size(), read(mixed).size());
        for (int i = 0; i < written.size(); i++) {
            Frame a = written.get(i);
            Frame b = read(mixed).get(i);
            assertArrayEquals(a.data(), b.data(), "frame " + i);
            assertEquals(a.linkType(), b.linkType(), "frame " + i);
            assertEquals(a.tsNanos(), b.tsNanos(), "frame " + i);
        }
        List<Integer> snaps = new ArrayList<>();
        try (PacketSource s = Captures.open(mixed.toString())) {
            RawPacket p = new RawPacket();
            while (s.next(p)) {
                snaps.add(s.snaplen());
            }
        }
        assertEquals(List.of(96, 96, 96, 96, 96, 128, 128, 128, 128, 128, 160, 160, 160, 160,
                160), snaps, "each frame under an interface of its own snap length");

        Path pcap = dir.resolve("one.pcap");
        try (CaptureWriter w = CaptureWriter.create(new java.io.FileOutputStream(pcap.toFile()),
                pcap.toString(), false); PacketSource s = Captures.open(ether.toString())) {
            RawPacket p = new RawPacket();
            s.next(p);
            w.write(p, 96);
            s.next(p);
            w.write(p, 200);
            RawPacket other = new RawPacket();
            other.set(p.data, p.offset, p.capturedLength, p.originalLength, p.tsNanos,
                    LinkType.LINUX_SLL2, 3, 0);
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.IOException.class, () -> w.write(other, 96));
            assertTrue(e.getMessage().contains("need pcapng"), e.getMessage());
            w.finish(Long.MIN_VALUE, null);
        }
        try (PacketSource s = Captures.open(pcap.toString())) {
            RawPacket p = new RawPacket();
            assertTrue(s.next(p));
            assertEquals(200, s.snaplen(), "the largest snap length, declared at the end");
        }

        Path empty = dir.resolve("empty.pcap");
        try (CaptureWriter w = CaptureWriter.create(new java.io.FileOutputStream(empty.toFile()),
                empty.toString(), false)) {
            w.finish(Long.MIN_VALUE, null);
        }
        assertEquals(List.of(), read(empty));
    }
}
