package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.capture.CaptureWriter;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.cli.BadInputTest.Run;
import io.synscope.testutil.Samples;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several inputs read as one capture ({@code analyze a.pcap b.pcap.gz dir/}). The ground truth
 * is how the parts were made: a sample capture cut into parts (pcap, pcapng, gzip), so the
 * merged analysis must give the connections, verdicts and outcomes of the sample's
 * {@code .expected.json} (made from what its client saw and the kernel's counters), the whole
 * file's summary and packet count, and frame numbers that are the whole file's.
 */
class SeveralInputsTest {
    private static final Path SAMPLES = Samples.DIR;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What a written part holds: its path and how many frames went into it. */
    record Part(Path path, int frames) {
    }

    @TestFactory
    Stream<DynamicTest> partsGivenOutOfOrderAreTheWholeCapture() throws IOException {
        return Samples.expectations().stream().map(e -> DynamicTest.dynamicTest(
                e.getFileName().toString(), () -> checkParts(e)));
    }

    private void checkParts(Path expectationFile) throws Exception {
        JsonNode expected = JSON.readTree(expectationFile.toFile());
        Path capture = SAMPLES.resolve(expected.get("capture").asText());
        Path out = Files.createDirectories(dir.resolve(expectationFile.getFileName() + ".parts"));
        List<Part> parts = splitInThree(capture, out);
        List<String> given = new ArrayList<>();
        for (Part p : parts) {
            given.add(p.path().toString());
        }
        Collections.reverse(given);
        JsonNode whole = json(capture.toString());
        JsonNode merged = json(given.toArray(String[]::new));

        assertEquals(verdicts(expected), verdicts(merged), capture + " in parts");
        assertEquals(withFrames(whole), withFrames(merged), "frame numbers");
        assertEquals(whole.get("summary"), merged.get("summary"));
        assertEquals(whole.get("capture").get("packets"), merged.get("capture").get("packets"));
        JsonNode files = merged.get("capture").get("files");
        assertEquals(parts.size(), files.size());
        long firstFrame = 1;
        for (int i = 0; i < parts.size(); i++) {
            JsonNode f = files.get(i);
            assertEquals(parts.get(i).path().toString(), f.get("file").asText());
            assertEquals(parts.get(i).frames(), f.get("packets").asInt());
            assertEquals(firstFrame, f.get("first_frame").asLong());
            firstFrame += parts.get(i).frames();
            assertEquals(firstFrame - 1, f.get("last_frame").asLong());
        }
        assertTrue(merged.get("capture").get("format").asText().contains("gzip"),
                merged.get("capture").get("format").asText());
    }

    /** The eight lab runs demo.pcap was merged from, given last first, are demo.pcap. */
    @Test
    void theRunsDemoWasMergedFromAreDemo() throws Exception {
        JsonNode expected = JSON.readTree(SAMPLES.resolve("demo.expected.json").toFile());
        String madeBy = expected.get("made_by").asText();
        List<String> runs = new ArrayList<>();
        for (String name : madeBy.substring(madeBy.indexOf(':') + 1, madeBy.indexOf(" merged"))
                .split(",")) {
            runs.add(SAMPLES.resolve(name.trim()).toString());
        }
        assertEquals(8, runs.size(), madeBy);
        Collections.reverse(runs);
        JsonNode merged = json(runs.toArray(String[]::new));
        assertEquals(verdicts(expected), verdicts(merged));
        assertEquals(withFrames(json(SAMPLES.resolve("demo.pcap").toString())),
                withFrames(merged));
    }

    /** Files that overlap in time (every other frame in each) are merged frame by frame. */
    @Test
    void overlappingFilesAreMergedByTime() throws Exception {
        Path capture = SAMPLES.resolve("demo.pcap");
        Path odd = dir.resolve("odd.pcap");
        Path even = dir.resolve("even.pcapng");
        write(capture, odd, n -> n % 2 == 1);
        write(capture, even, n -> n % 2 == 0);
        JsonNode whole = json(capture.toString());
        JsonNode merged = json(even.toString(), odd.toString());
        assertEquals(withFrames(whole), withFrames(merged));
        assertEquals(whole.get("summary"), merged.get("summary"));
        assertTrue(merged.get("capture").get("warnings").toString().contains("overlap"),
                merged.get("capture").get("warnings").toString());
    }

    /**
     * tcpdump stamps the last frame of one file and the first of the next the same microsecond
     * at times: still one file after the other, whatever order they are given in.
     */
    @Test
    void aRotationWithinOneMicrosecondKeepsTheFilesApart() throws Exception {
        Path capture = SAMPLES.resolve("ok.pcap");
        int total = count(capture);
        int cut = total / 2;
        long[] lastOfFirst = new long[1];
        Path first = dir.resolve("r.pcap");
        Path second = dir.resolve("r.pcap1");
        write(capture, first, n -> n <= cut, (n, ts) -> {
            lastOfFirst[0] = ts;
            return ts;
        });
        write(capture, second, n -> n > cut, (n, ts) -> n == cut + 1 ? lastOfFirst[0] : ts);
        JsonNode merged = json(second.toString(), first.toString());
        JsonNode files = merged.get("capture").get("files");
        assertEquals(first.toString(), files.get(0).get("file").asText());
        assertEquals(cut, files.get(0).get("last_frame").asInt());
        assertEquals(cut + 1, files.get(1).get("first_frame").asInt());
        assertEquals("[]", merged.get("capture").get("warnings").toString());
    }

    /** A directory stands for its capture files; what is not a capture is skipped and named. */
    @Test
    void aDirectoryIsItsCaptures() throws Exception {
        Path capture = SAMPLES.resolve("demo.pcap");
        Path rotated = Files.createDirectories(dir.resolve("rotated"));
        List<Part> parts = splitInThree(capture, rotated);
        Files.writeString(rotated.resolve("notes.txt"), "not a capture\n");
        Files.createDirectories(rotated.resolve("sub"));
        JsonNode expected = JSON.readTree(SAMPLES.resolve("demo.expected.json").toFile());
        JsonNode merged = json(rotated.toString());
        assertEquals(verdicts(expected), verdicts(merged));
        assertEquals(withFrames(json(capture.toString())), withFrames(merged));
        assertEquals(parts.size(), merged.get("capture").get("files").size());
        String warnings = merged.get("capture").get("warnings").toString();
        assertTrue(warnings.contains("notes.txt") && warnings.contains("sub"), warnings);

        Run text = run("analyze", "--color", "never", rotated.toString());
        assertEquals(ExitCode.OK, text.code(), text.err());
        for (Part p : parts) {
            assertTrue(text.out().contains(p.path().toString()), text.out());
        }
    }

    /** File names in the list of files are printed with control characters made visible. */
    @Test
    void hostileFileNamesInTheListAreEscaped() throws Exception {
        Path rotated = Files.createDirectories(dir.resolve("hostile"));
        Files.copy(SAMPLES.resolve("ok.pcap"), rotated.resolve("a\u001b[2J.pcap"));
        Files.copy(SAMPLES.resolve("refused.pcap"), rotated.resolve("b\u202e.pcap"));
        Run text = run("analyze", "--color", "never", rotated.toString());
        assertEquals(ExitCode.OK, text.code(), text.err());
        assertTrue(text.out().contains("a\\x1b[2J.pcap") && text.out().contains("b\\u202e.pcap"),
                text.out());
        assertFalse(text.out().contains("\u001b") || text.out().contains("\u202e"));
        JsonNode json = json(rotated.toString());
        assertEquals(rotated.resolve("a\u001b[2J.pcap").toString(),
                json.get("capture").get("files").get(0).get("file").asText());
    }

    @Test
    void aDirectoryWithoutCapturesIsAnError() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("nothing"));
        Files.writeString(empty.resolve("notes.txt"), "not a capture\n");
        Run r = run("analyze", empty.toString(), SAMPLES.resolve("ok.pcap").toString());
        assertEquals(ExitCode.NOT_A_CAPTURE, r.code());
        assertTrue(r.err().contains("nothing") && r.err().contains("notes.txt"), r.err());
        assertEquals("", r.out());
    }

    /**
     * A middle part damaged part-way: analysed up to its damage with a warning naming it, the
     * other parts in full, and the run ends with the damage's exit code.
     */
    @Test
    void aDamagedPartStopsOnlyItself() throws Exception {
        Path capture = SAMPLES.resolve("demo.pcap");
        List<Part> parts = splitInThree(capture, dir);
        Part middle = parts.get(2 - 1);
        // The middle part is gzip'd pcapng; damage a plain pcap copy of it instead.
        Path damaged = dir.resolve("part-1-damaged.pcap");
        write(middle.path(), damaged, n -> true);
        int goodFrames = 5;
        long offset = recordOffset(damaged, goodFrames);
        try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
            f.seek(offset + 8);
            f.write(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}); // incl_len
        }
        Run r = run("analyze", "--format", "json", parts.get(2).path().toString(),
                damaged.toString(), parts.get(0).path().toString());
        assertEquals(ExitCode.CORRUPT, r.code(), r.err());
        assertTrue(r.err().contains(damaged.toString()), r.err());
        JsonNode report = JSON.readTree(r.out());
        assertEquals(parts.get(0).frames() + goodFrames + parts.get(2).frames(),
                report.get("capture").get("packets").asInt());
        String warnings = report.get("capture").get("warnings").toString();
        assertTrue(warnings.contains(damaged.getFileName().toString()), warnings);
    }

    @Test
    void aMissingFileIsAnErrorBeforeAnythingIsRead() {
        Path missing = dir.resolve("gone.pcap");
        Run r = run("analyze", SAMPLES.resolve("ok.pcap").toString(), missing.toString());
        assertEquals(ExitCode.NOT_FOUND, r.code());
        assertTrue(r.err().contains("gone.pcap"), r.err());
        assertEquals("", r.out());
        Run notCapture = run("analyze", SAMPLES.resolve("ok.pcap").toString(),
                SAMPLES.resolve("README.md").toString());
        assertEquals(ExitCode.NOT_A_CAPTURE, notCapture.code());
        assertTrue(notCapture.err().contains("README.md"), notCapture.err());
    }

    @Test
    void stdinIsOnlyEverTheSingleInput() {
        Run r = run("analyze", "-", SAMPLES.resolve("ok.pcap").toString());
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("stdin"), r.err());
    }

    // ---- helpers ------------------------------------------------------------------------

    /**
     * Cuts {@code capture} into three parts by frame count: a pcap, a gzip-compressed pcapng
     * and a pcap, as {@code tcpdump -C} rotation would (in time order, not overlapping).
     */
    private static List<Part> splitInThree(Path capture, Path into) throws IOException {
        int total = count(capture);
        int[] bounds = {0, total / 3, 2 * total / 3, total};
        String[] names = {"part-0.pcap", "part-1.pcapng", "part-2.pcap"};
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int from = bounds[i];
            int to = bounds[i + 1];
            Path p = into.resolve(names[i]);
            write(capture, p, n -> n > from && n <= to);
            if (i == 1) {
                Path gz = into.resolve(names[i] + ".gz");
                try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
                    Files.copy(p, o);
                }
                Files.delete(p);
                p = gz;
            }
            parts.add(new Part(p, to - from));
        }
        return parts;
    }

    private static int count(Path capture) throws IOException {
        int n = 0;
        try (PacketSource s = Captures.open(capture.toString())) {
            RawPacket raw = new RawPacket();
            while (s.next(raw)) {
                n++;
            }
        } catch (io.synscope.capture.CaptureException e) {
            throw new IOException(e.describe(), e);
        }
        return n;
    }

    /** Writes the frames of {@code capture} whose 1-based number passes {@code keep}. */
    private static void write(Path capture, Path to, IntPredicate keep) throws IOException {
        write(capture, to, keep, (n, ts) -> ts);
    }

    /** As above, with each kept frame's time as {@code time} says from its number and time. */
    private static void write(Path capture, Path to, IntPredicate keep, Retime time)
            throws IOException {
        try (PacketSource s = Captures.open(capture.toString())) {
            RawPacket raw = new RawPacket();
            CaptureWriter w = null;
            int n = 0;
            while (s.next(raw)) {
                if (w == null) {
                    w = CaptureWriter.open(to.toString(), raw.linkType, 65535, "part");
                }
                if (keep.test(++n)) {
                    raw.tsNanos = time.at(n, raw.tsNanos);
                    w.write(raw);
                }
            }
            if (w != null) {
                w.close();
            }
        } catch (io.synscope.capture.CaptureException e) {
            throw new IOException(e.describe(), e);
        }
    }

    private interface Retime {
        long at(int frame, long tsNanos);
    }

    /** Byte offset of the pcap record header of frame {@code index} (0-based). */
    private static long recordOffset(Path pcap, int index) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(pcap.toFile(), "r")) {
            long at = 24;
            for (int i = 0; i < index; i++) {
                f.seek(at + 8);
                int b0 = f.read();
                int b1 = f.read();
                int b2 = f.read();
                int b3 = f.read();
                at += 16 + (b0 | b1 << 8 | b2 << 16 | b3 << 24);
            }
            return at;
        }
    }

    /** Each connection's addresses, verdict and outcome, sorted: a report's or a truth's. */
    private static List<String> verdicts(JsonNode report) {
        List<String> lines = new ArrayList<>();
        for (JsonNode c : report.get("connections")) {
            lines.add(line(c) + " " + c.get("verdict").asText() + "/" + c.get("outcome").asText());
        }
        Collections.sort(lines);
        return lines;
    }

    private static List<String> withFrames(JsonNode report) {
        List<String> lines = new ArrayList<>();
        for (JsonNode c : report.get("connections")) {
            lines.add(c.get("first_frame").asLong() + " " + line(c) + " "
                    + c.get("verdict").asText() + " " + c.get("evidence"));
        }
        Collections.sort(lines);
        return lines;
    }

    private static String line(JsonNode c) {
        return c.get("client").get("ip").asText() + ":" + c.get("client").get("port").asInt()
                + " -> " + c.get("server").get("ip").asText() + ":"
                + c.get("server").get("port").asInt();
    }

    private static JsonNode json(String... inputs) throws IOException {
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "json", "--all",
                "--threads", "1"));
        args.addAll(List.of(inputs));
        Run r = run(args.toArray(String[]::new));
        assertEquals(ExitCode.OK, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    private static Run run(String... args) {
        return BadInputTest.run(args);
    }
}
