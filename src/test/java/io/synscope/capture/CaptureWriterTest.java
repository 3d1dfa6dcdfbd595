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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code live -w}'s files: every frame of a real capture copied through {@link CaptureWriter}
 * reads back byte for byte and nanosecond for nanosecond, in pcap and in pcapng; the pcapng's
 * statistics block gives back the end time and the drop counts; and tcpdump, when installed,
 * reads both files and counts the same frames.
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

    @Test
    void tcpdumpReadsTheFiles() throws Exception {
        Path tcpdump = Path.of("/usr/bin/tcpdump");
        Assumptions.assumeTrue(Files.isExecutable(tcpdump) || Files.isExecutable(
                Path.of("/usr/sbin/tcpdump")), "tcpdump is not installed (.ci/run installs it)");
        String bin = Files.isExecutable(tcpdump) ? tcpdump.toString() : "/usr/sbin/tcpdump";
        Path original = Path.of("sample-pcaps", "demo.pcap");
        int frames = read(original).size();
        for (String name : List.of("t.pcap", "t.pcapng")) {
            Path f = copy(original, name, Long.MIN_VALUE, new CaptureStats(5, 0, 0));
            Process p = new ProcessBuilder(bin, "-nn", "-r", f.toString()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);
            assertEquals(frames, out.lines().count(), name + ": " + err);
        }
    }
}
