package io.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.Corpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads every file of the shared corpus of real captures (written by other tools) and compares
 * the frame counts with what tshark counted, kept in {@code corpus-frame-counts.tsv}. The corpus
 * lives outside the repository: {@code $SYNSCOPE_CORPUS}, else {@code ../shared/corpus} beside
 * the project; without it the test is skipped.
 */
class CorpusTest {

    @Test
    void everyCorpusFileReadsWithTheFrameCountTsharkFound() throws IOException {
        Path corpus = Corpus.dir();
        Map<String, Long> expected = expectedCounts();
        List<String> failures = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (Stream<Path> files = Files.walk(corpus)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String relative = corpus.relativize(file).toString().replace('\\', '/');
                seen.add(relative);
                Long frames = expected.get(relative);
                String outcome = frameCount(() -> Captures.open(file.toString()));
                if (frames != null && !outcome.equals(frames.toString())) {
                    failures.add(relative + ": expected " + frames + " frames, got " + outcome);
                } else if (frames == null && outcome.startsWith("threw")) {
                    failures.add(relative + ": " + outcome);
                }
            }
        }
        expected.keySet().stream().filter(f -> !seen.contains(f))
                .forEach(f -> failures.add(f + ": listed in the table but not in " + corpus));
        assertEquals(List.of(), failures);
    }

    /** The same captures gzipped in memory: the decompressing path sees real files too. */
    @Test
    void gzippedCorpusCapturesGiveTheSameCounts() throws IOException {
        Path corpus = Corpus.dir();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Long> entry : expectedCounts().entrySet()) {
            byte[] gz = CaptureFiles.gzip(Files.readAllBytes(corpus.resolve(entry.getKey())));
            String outcome = frameCount(() -> ReadBack.open(gz));
            if (!outcome.equals(entry.getValue().toString())) {
                failures.add(entry.getKey() + ".gz: expected " + entry.getValue() + ", got "
                        + outcome);
            }
        }
        assertEquals(List.of(), failures);
    }

    private interface Opener {
        PacketSource open() throws CaptureException;
    }

    /**
     * The frame count as text, {@code "CaptureException: …"} for a capture refused cleanly, or
     * {@code "threw …"} for anything else, which is always a bug.
     */
    private static String frameCount(Opener opener) {
        try (PacketSource source = opener.open()) {
            RawPacket raw = new RawPacket();
            long frames = 0;
            while (source.next(raw)) {
                frames++;
            }
            return source.warnings().isEmpty() ? Long.toString(frames)
                    : frames + " with warnings " + source.warnings();
        } catch (CaptureException e) {
            return "CaptureException: " + e.describe();
        } catch (Throwable t) {
            return "threw " + t;
        }
    }

    private static Map<String, Long> expectedCounts() throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (InputStream in = CorpusTest.class.getResourceAsStream("/corpus-frame-counts.tsv");
             BufferedReader reader = new BufferedReader(
                     new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] fields = line.split("\t");
                    counts.put(fields[0], Long.parseLong(fields[1]));
                }
            }
        }
        return counts;
    }
}
