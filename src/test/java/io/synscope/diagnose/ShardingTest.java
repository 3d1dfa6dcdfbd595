package io.synscope.diagnose;

import io.synscope.testutil.CollectingSink;
import io.synscope.testutil.Corpus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tracking on several threads must not change a single verdict, evidence frame or count. */
class ShardingTest {

    private static List<String> analyze(Path capture, int shards) throws Exception {
        CollectingSink sink = CollectingSink.analyze(capture, shards);
        List<String> lines = new ArrayList<>();
        for (ConnectionResult r : sink.connections) {
            lines.add(r.id() + " " + r.client() + " " + r.server() + " " + r.verdict().key() + " "
                    + r.outcome().key() + " " + r.diagnosis().rule().key() + " " + r.history() + " "
                    + r.diagnosis().evidence().stream().map(Evidence::frame).toList());
        }
        lines.sort(null);
        lines.add("summary " + sink.summary.connections() + " " + sink.summary.failures());
        return lines;
    }

    /**
     * Two shards: the reading thread follows a quarter of the connections; three and four: none,
     * every connection goes to another thread.
     */
    @Test
    void samplesGiveTheSameResultsOnOneToFourShards() throws Exception {
        for (String name : List.of("demo.pcap", "syn-dropped-syn-queue.pcap", "half-open.pcap")) {
            Path p = Path.of("sample-pcaps", name);
            List<String> one = analyze(p, 1);
            for (int shards = 2; shards <= 4; shards++) {
                assertEquals(one, analyze(p, shards), name + " on " + shards + " shards");
            }
        }
    }

    @Test
    void corpusGivesTheSameResultsOnOneAndOnTwoShards() throws Exception {
        Path corpus = Corpus.dir();
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files = s.filter(p -> p.toString().matches(".*\\.(pcap|pcapng)$")).sorted().toList();
        }
        int compared = 0;
        for (Path f : files) {
            List<String> one;
            try {
                one = analyze(f, 1);
            } catch (io.synscope.capture.CaptureException e) {
                continue; // unreadable files are the reader tests' business
            }
            assertEquals(one, analyze(f, 2), f.toString());
            compared++;
        }
        assertTrue(compared > 100, "compared " + compared);
    }
}
