package io.synscope.pipeline;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Evidence;
import io.synscope.diagnose.Failure;
import io.synscope.diagnose.Outcome;
import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.CollectingSink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as a capture, through the whole pipeline (read, decode, track, classify): the only
 * failure is a {@link CaptureException}; the counts add up (frames = TCP segments + skipped;
 * every connection the tracker saw is judged once, in exactly one outcome); and one thread and
 * two give the same connections, verdicts, rules, histories, evidence and counts. The seeds are
 * the sample captures, whose frames the fuzzer mutates into other conversations (flags,
 * numbers, times that jump). The committed inputs (PipelineFuzzTestInputs) run with every test
 * run; docs/fuzzing.md says how to fuzz.
 */
class PipelineFuzzTest {

    @FuzzTest
    void analyseAnyCapture(byte[] capture) throws IOException {
        assertEquals(analyse(capture, 1), analyse(capture, 2), "one thread and two");
    }

    /** Every connection and count, in an order that does not depend on the threads. */
    private static List<String> analyse(byte[] capture, int threads) throws IOException {
        CollectingSink sink = new CollectingSink();
        String error = null;
        try (PacketSource source = Captures.open("fuzz", new ByteArrayInputStream(capture))) {
            new Analyzer(AnalysisConfig.defaults(), threads).run(source, sink);
        } catch (CaptureException e) {
            if (sink.capture == null) {
                return List.of("unreadable: " + e.kind() + " " + e.describe());
            }
            error = e.kind() + " " + e.describe(); // damage part-way, after the report
        }
        CaptureInfo c = sink.capture;
        assertEquals(c.frames(), c.tcpSegments() + c.skippedTotal(), "frames = segments + skipped");
        assertEquals(c.connections(), sink.summary.connections(), "every connection judged");
        assertEquals(c.connections(), sink.connections.size(), "every connection reported");
        long byOutcome = 0;
        for (Outcome o : Outcome.values()) {
            byOutcome += sink.summary.byOutcome().get(o);
        }
        assertEquals(c.connections(), byOutcome, "one outcome each");
        List<String> lines = new ArrayList<>();
        for (ConnectionResult r : sink.connections) {
            assertFirstFailureFirst(r);
            lines.add(r.id() + " " + r.client() + " " + r.server() + " " + r.verdict().key() + " "
                    + r.outcome().key() + " " + r.diagnosis().rule() + " " + r.history() + " "
                    + r.decidedBy() + " "
                    + r.diagnosis().evidence().stream().map(Evidence::frame).toList() + " "
                    + r.diagnosis().also().stream().map(f -> f.rule() + "@" + f.atNanos()).toList());
        }
        lines.sort(null);
        lines.add("capture " + c.frames() + " " + c.tcpSegments() + " " + c.skipped() + " "
                + c.firstTsNanos() + " " + c.lastTsNanos() + " " + c.warnings() + " "
                + c.decodeProblems() + " " + c.connections() + " " + c.latePackets() + " "
                + c.duplicatePackets() + " " + error);
        lines.add("summary " + sink.summary.byVerdict() + " " + sink.summary.byOutcome() + " "
                + sink.summary.failures());
        return lines;
    }

    /**
     * The verdict is the first failure: every later one showed no earlier than the verdict's own
     * first evidence, and only a failure verdict has later ones.
     */
    private static void assertFirstFailureFirst(ConnectionResult r) {
        List<Failure> also = r.diagnosis().also();
        if (also.isEmpty()) {
            return;
        }
        assertTrue(r.verdict().isFailure(), "later failures behind " + r.verdict());
        long first = r.diagnosis().evidence().stream().mapToLong(Evidence::tsNanos).min()
                .orElse(r.firstSeenNanos());
        for (Failure f : also) {
            assertTrue(f.atNanos() >= first, "a later failure before the verdict's evidence: "
                    + r.diagnosis());
        }
    }
}
