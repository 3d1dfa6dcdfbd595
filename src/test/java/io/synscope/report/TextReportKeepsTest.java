package io.synscope.report;

import io.synscope.diagnose.Confidence;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Rule;
import io.synscope.diagnose.Traffic;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.Decision;
import io.synscope.flow.RoleBasis;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text report shows the earliest --max-ladders failures of each verdict, so it says up front
 * which results it would keep: any while the verdict has room, then only earlier starters.
 */
class TextReportKeepsTest {
    private static ConnectionResult refusedAt(long startSecond) {
        Diagnosis d = new Diagnosis(Verdict.REFUSED, Outcome.FAILED, -1, null,
                Rule.SYN_ANSWERED_BY_RST, Confidence.HIGH, List.of(), List.of(), List.of(),
                List.of(), List.of());
        long startNanos = startSecond * 1_000_000_000L;
        return new ConnectionResult(new HostPort("10.0.0.1", 40000), new HostPort("10.0.0.2", 80),
                4, startNanos, startNanos, startSecond, startSecond, new Traffic(1, 0, 0),
                new Traffic(1, 0, 0), "Sr", RoleBasis.SYN, Decision.CLOSED, d, d.rule().explanation(),
                List.of(), 0);
    }

    private static boolean keeps(TextReport report, long startSecond) {
        return report.keeps(Verdict.REFUSED, startSecond * 1_000_000_000L, startSecond);
    }

    @Test
    void keepsTheEarliestOfEachVerdictAsTheyArrive() {
        TextReport report = new TextReport(new PrintWriter(new StringWriter()), false, 2, "test");
        for (long start : new long[] {5, 3}) {
            assertTrue(keeps(report, start), "room for " + start);
            report.onConnection(refusedAt(start));
        }
        assertFalse(keeps(report, 9), "starts after both kept");
        assertTrue(keeps(report, 1), "starts before the latest kept");
        report.onConnection(refusedAt(1));
        assertFalse(keeps(report, 4), "kept now: 1 and 3");
        assertTrue(keeps(report, 2));
        assertTrue(report.keeps(Verdict.SYN_DROPPED, 9_000_000_000L, 9), "another verdict has room");
    }

    @Test
    void keepsNothingWithoutLadders() {
        TextReport report = new TextReport(new PrintWriter(new StringWriter()), false, 0, "test");
        assertFalse(keeps(report, 1));
    }
}
