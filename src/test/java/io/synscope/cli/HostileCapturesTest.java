package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.decode.TcpSegment;
import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.CaptureFiles.Frame;
import io.synscope.testutil.CaptureFiles.Iface;
import io.synscope.testutil.FrameBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.synscope.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captures made to mislead: bytes after the gzip data, time that runs backwards, timestamps
 * centuries apart, control characters in what is printed. Each is analysed as far as it can be,
 * with a warning that says what was found where, and never changes with the thread count.
 */
class HostileCapturesTest {
    private static final long DAY_NANOS = 86_400_000_000_000L;
    private static final Path DEMO = Path.of("sample-pcaps", "demo.pcap");

    @TempDir
    Path dir;

    /** The frames of a capture, copied out. */
    private static List<Frame> frames(Path capture) throws Exception {
        List<Frame> frames = new ArrayList<>();
        try (PacketSource source = Captures.open(capture.toString())) {
            RawPacket raw = new RawPacket();
            while (source.next(raw)) {
                frames.add(new Frame(Arrays.copyOfRange(raw.data, raw.offset,
                        raw.offset + raw.capturedLength), raw.tsNanos));
            }
        }
        return frames;
    }

    private static JsonNode json(BadInputTest.Run r) throws IOException {
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void gzipFollowedByRawBytesIsAnalysedWholeWithAWarningNamingFileOffsetAndCount()
            throws Exception {
        byte[] pcap = Files.readAllBytes(DEMO);
        byte[] gz = CaptureFiles.gzipMembers(Arrays.copyOfRange(pcap, 0, 3000),
                Arrays.copyOfRange(pcap, 3000, pcap.length));
        byte[] file = Arrays.copyOf(gz, gz.length + 100);
        Arrays.fill(file, gz.length, file.length, (byte) 0x41);
        Path f = CaptureFiles.write(dir.resolve("demo.pcap.gz"), file);

        BadInputTest.Run r = run("analyze", "--format", "json", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertEquals(frames(DEMO).size(), json(r).get("capture").get("packets").asInt());
        assertTrue(r.err().contains("synscope: warning: " + f + ": skipped 100 bytes after the"
                + " gzip data, from byte " + gz.length + " of the compressed file: they are not"
                + " gzip data (they start 41 41 41 41 …)"), r.err());
    }

    /**
     * One frame stamped a day late: every later frame is older than it. The warning counts them
     * and names the first, with the step back; the verdicts are the same on 1 to 4 threads.
     */
    @Test
    void aFrameFromTheFutureIsWarnedAboutAndVerdictsDoNotDependOnThreads() throws Exception {
        List<Frame> frames = new ArrayList<>(frames(DEMO));
        int late = 20; // 0-based: frame 21
        Frame moved = frames.get(late);
        frames.set(late, new Frame(moved.data(), moved.tsNanos() + DAY_NANOS));
        Path f = CaptureFiles.pcap().nanos().frames(frames).write(dir.resolve("future.pcap"));

        long back = frames.get(late).tsNanos() - frames.get(late + 1).tsNanos();
        String warning = "timestamps go backwards: " + (frames.size() - late - 1) + " frames are"
                + " older than a frame before them (the first: frame " + (late + 2) + ", "
                + back / 1_000_000_000L + "." + String.format("%09d", back % 1_000_000_000L)
                + " s before the latest time until then)";
        assertVerdictsDoNotDependOnThreads(f, warning);
    }

    /** `cat later.pcap earlier.pcap`, as mergecap -a would write it: the second half goes back. */
    @Test
    void capturesConcatenatedOutOfOrderAreWarnedAboutAndVerdictsDoNotDependOnThreads()
            throws Exception {
        List<Frame> frames = frames(DEMO);
        int half = frames.size() / 2;
        List<Frame> swapped = new ArrayList<>(frames.subList(half, frames.size()));
        swapped.addAll(frames.subList(0, half));
        Path f = CaptureFiles.pcap().nanos().frames(swapped).write(dir.resolve("swapped.pcap"));

        long back = frames.get(frames.size() - 1).tsNanos() - frames.get(0).tsNanos();
        String warning = "timestamps go backwards: " + half + " frames are older than a frame"
                + " before them (the first: frame " + (frames.size() - half + 1) + ", "
                + back / 1_000_000_000L + "." + String.format("%09d", back % 1_000_000_000L)
                + " s before the latest time until then)";
        assertVerdictsDoNotDependOnThreads(f, warning);
    }

    private void assertVerdictsDoNotDependOnThreads(Path f, String warning) throws Exception {
        List<String> first = null;
        for (int threads = 1; threads <= 4; threads++) {
            BadInputTest.Run r = run("analyze", "--format", "json", "--all", "--threads",
                    String.valueOf(threads), f.toString());
            assertEquals(ExitCode.OK, r.code(), r.err());
            JsonNode doc = json(r);
            assertTrue(doc.get("capture").get("warnings").get(0).asText().startsWith(warning),
                    doc.get("capture").get("warnings").toString());
            List<String> connections = new ArrayList<>();
            doc.get("connections").forEach(c -> connections.add(c.toString()));
            connections.sort(null);
            connections.add(doc.get("summary").toString());
            if (first == null) {
                first = connections;
            } else {
                assertEquals(first, connections, threads + " threads");
            }
        }
    }

    /**
     * A pcapng whose frames span 1716 to 2262 (an interface offset of -9e9 s, a timestamp field
     * of 2^64-1 ns): no duration fits a long nanosecond count across that. Both are moved to
     * the nearer end of what pcap holds, 1970 to 2106, and said so; the one in range is kept.
     */
    @Test
    void framesCenturiesApartAreAnalysedWithinPcapsTimeRangeWithAWarning() throws Exception {
        FrameBuilder client = FrameBuilder.tcp().from("10.0.0.1", 40000).to("10.0.0.2", 80);
        byte[] syn = client.copy().seq(1000).flags(TcpSegment.SYN).build();
        byte[] synAck = client.copy().swapEnds().seq(5000).ack(1001)
                .flags(TcpSegment.SYN | TcpSegment.ACK).build();
        byte[] ack = client.copy().seq(1001).ack(5001).flags(TcpSegment.ACK).build();
        long now = 1_767_225_600_000_000_000L;
        Iface nanos = Iface.of(CaptureFiles.LINKTYPE_ETHERNET).tsresol(9);
        Iface past = Iface.of(CaptureFiles.LINKTYPE_ETHERNET).tsresol(9).tsOffset(-9_000_000_000L);
        long year1716 = -8_000_000_000_000_000_000L;
        Path f = CaptureFiles.pcapng().iface(nanos).iface(past)
                .epb(new Frame(syn, now))
                .epbUnits(0, -1L, synAck, synAck.length)
                .epb(new Frame(ack, year1716).onIface(1))
                .write(dir.resolve("centuries.pcapng"));

        BadInputTest.Run r = run("analyze", "--format", "json", "--all", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        JsonNode capture = json(r).get("capture");
        assertEquals("1970-01-01T00:00:00Z", capture.get("first_time").asText());
        assertEquals("2106-02-07T06:28:15.999999999Z", capture.get("last_time").asText());
        assertTrue(capture.get("warnings").toString().contains("2 frames have a timestamp outside"
                + " 1970-01-01 to 2106-02-07 UTC, the times a pcap file can hold (the first:"
                + " frame 2, 2262-04-11T23:47:16.854775807Z)"), capture.get("warnings").toString());
        assertEquals(3, capture.get("packets").asInt());

        BadInputTest.Run text = run("analyze", f.toString());
        assertEquals(ExitCode.OK, text.code(), text.err());
        // 2^32 s apart: both ends dated, the span in days.
        assertTrue(text.out().contains("time 1970-01-01 00:00:00.000000 → 2106-02-07"
                + " 06:28:15.999999 UTC (49710d 06h 28m)"), text.out());
    }

    @Test
    void controlCharactersInTheCommandLineArePrintedEscaped() {
        BadInputTest.Run r = run("analyze", "--threads", "\u001b[2J\u009b1m", "x.pcap");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("'\\x1b[2J\\x9b1m'"), r.err());
        assertNoRawControls(r.err());
    }

    /**
     * JSON is data: the name reads back exactly. Raw, it holds no character a terminal acts on
     * (JSON itself allows DEL, C1 controls and direction overrides unescaped).
     */
    @Test
    void aFileNameInJsonReadsBackExactlyButHoldsNothingATerminalActsOn() throws Exception {
        String name = "n\u001b]0;x\u0007\u009b2J\u007f\u202e\\.pcap";
        Path f = Files.copy(DEMO, dir.resolve(name));
        BadInputTest.Run r = run("analyze", "--format", "json", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertEquals(f.toString(), json(r).get("capture").get("file").asText());
        assertNoRawControls(r.out());
        assertTrue(r.out().contains("n\\u001b]0;x\\u0007\\u009b2J\\u007f\\u202e\\\\.pcap"),
                r.out());
    }

    private static void assertNoRawControls(String text) {
        for (char c : text.toCharArray()) {
            assertFalse(c != '\n' && (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == '\u202e'),
                    "raw U+" + Integer.toHexString(c) + " in " + text);
        }
    }

    /**
     * `synscope analyze --format json x | head -c 10`: the report's output breaks while a shard
     * writes the last connections. Every run ends, with the I/O error's exit code; none waits
     * for a shard that already gave up.
     */
    @Test
    void aReportWhoseOutputBreaksEndsWithAnIoErrorOnAnyThreadCount() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 40; i++) {
                StringWriter err = new StringWriter();
                int code = Main.run(new String[] {"analyze", "--format", "json", "--all",
                        "--threads", String.valueOf(1 + i % 3), DEMO.toString()},
                        new PrintWriter(new BreaksAfter(10), true), new PrintWriter(err, true));
                assertEquals(ExitCode.IO_ERROR, code, err.toString());
            }
        });
    }

    /** A pipe whose reader goes away after {@code chars} characters. */
    private static final class BreaksAfter extends Writer {
        private int left;

        BreaksAfter(int chars) {
            this.left = chars;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            left -= len;
            if (left < 0) {
                throw new IOException("Broken pipe");
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void warningsOnStandardErrorNameTheCapture() throws Exception {
        byte[] pcap = Files.readAllBytes(DEMO);
        Path f = CaptureFiles.write(dir.resolve("cut.pcap"),
                Arrays.copyOf(pcap, pcap.length - 10));
        BadInputTest.Run r = run("analyze", "--format", "json", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.err().startsWith("synscope: warning: " + f + ": capture cut short at"
                + " offset "), r.err());
    }
}
