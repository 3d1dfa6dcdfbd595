package io.synscope.pipeline;

import io.synscope.capture.PacketSource;
import io.synscope.capture.Captures;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.CollectingSink;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freezing idle connections ({@link AnalysisConfig#freezeAboveOpen()}) changes memory only: every
 * sample capture, analysed with every connection frozen whenever it has been silent for a
 * nanosecond (so nearly every connection is frozen and thawed between its packets, and decided
 * from frozen by the scans and the capture's end), gives the same connections, ladders,
 * verdicts, evidence, counts and summary as without freezing, on one thread (in the same order)
 * and on two.
 */
class FreezingTest {
    private static final AnalysisConfig FREEZE_ALWAYS =
            AnalysisConfig.defaults().withFreezing(0, 1, 0);
    private static final AnalysisConfig NEVER_FREEZE =
            AnalysisConfig.defaults().withFreezing(Long.MAX_VALUE, 1, 0);

    @Test
    void everySampleCaptureReadsTheSameWithConnectionsFrozen() throws Exception {
        List<Path> captures;
        try (Stream<Path> files = Files.list(Path.of("sample-pcaps"))) {
            captures = files.filter(p -> p.toString().matches(".*\\.(pcap|pcapng)(\\.gz)?$"))
                    .sorted().toList();
        }
        assertTrue(captures.size() >= 10, "sample captures found: " + captures);
        long connections = 0;
        for (Path capture : captures) {
            for (int threads = 1; threads <= 2; threads++) {
                CollectingSink plain = analyse(capture, NEVER_FREEZE, threads);
                CollectingSink frozen = analyse(capture, FREEZE_ALWAYS, threads);
                String what = capture + ", " + threads + " thread(s)";
                // One thread decides in the same order too (--format json's order, usage.md).
                assertEquals(threads == 1 ? plain.connections : sorted(plain.connections),
                        threads == 1 ? frozen.connections : sorted(frozen.connections), what);
                assertEquals(plain.summary, frozen.summary, what);
                assertEquals(plain.capture, frozen.capture, what);
                connections += plain.connections.size();
            }
        }
        assertTrue(connections > 100, "connections compared: " + connections);
    }

    private static CollectingSink analyse(Path file, AnalysisConfig config, int threads)
            throws Exception {
        CollectingSink sink = new CollectingSink();
        try (PacketSource source = Captures.open(file.toString())) {
            new Analyzer(config, threads).run(source, sink);
        }
        return sink;
    }

    private static List<ConnectionResult> sorted(List<ConnectionResult> results) {
        List<ConnectionResult> copy = new ArrayList<>(results);
        copy.sort(Comparator.comparingLong(ConnectionResult::id));
        return copy;
    }
}
