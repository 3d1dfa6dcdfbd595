package io.synscope.report;

import io.synscope.capture.CaptureStats;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.LiveStatus;
import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code synscope live}'s text: a line per failed connection on stdout; on a terminal's stderr
 * a status line, erased before each connection line and drawn again after it, so the two never
 * share a line; no status line at all when stderr is not a terminal.
 */
class LiveTextTest {
    private static final String ERASE = "\r\u001b[K";

    private static ConnectionResult refused(int port) {
        return new Conversation("10.0.0.1", port, "10.0.0.2", 8080).client("S").server("RA")
                .single();
    }

    /** Refused at {@code seconds} after {@link Conversation#EPOCH_NANOS} (a UTC midnight). */
    private static ConnectionResult refusedAt(int port, double seconds) {
        return new Conversation("10.0.0.1", port, "10.0.0.2", 8080).at(seconds).client("S")
                .server("RA").single();
    }

    private static LiveStatus status(long drops) {
        return new LiveStatus(0, 1000, 900, 1234.4, 7, 40, new CaptureStats(1000, drops, 0),
                Map.of());
    }

    @Test
    void aStatusLineIsErasedBeforeEachConnectionLineAndDrawnAgainAfter() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        LiveText live = new LiveText(new PrintWriter(out), new PrintWriter(err), false, false, ReportZone.UTC,
                new TextReport(new PrintWriter(new StringWriter()), false, 20, "test"));
        ConnectionResult r = refused(40000);
        assertEquals(Verdict.REFUSED, r.verdict());

        live.onStatus(status(0));
        assertEquals(ERASE + "1,234 packets/s · 0 dropped by the kernel · 7 open · 0 failed"
                + " since the last update", err.toString());
        live.onConnection(r);
        String[] lines = out.toString().split("\n");
        assertEquals(1, lines.length);
        assertTrue(lines[0].contains("10.0.0.1:40000 → 10.0.0.2:8080  refused  failed")
                && lines[0].contains(" — nothing listens on this port"), lines[0]);
        String afterLine = err.toString();
        assertTrue(afterLine.endsWith(ERASE + "1,234 packets/s · 0 dropped by the kernel · 7"
                + " open · 0 failed since the last update"), afterLine);

        live.onConnection(refused(40001));
        live.onStatus(status(5));
        assertTrue(err.toString().endsWith(ERASE + "1,234 packets/s · 5 dropped by the kernel"
                + " · 7 open · 2 failed since the last update"), err.toString());
        live.onStatus(status(5));
        assertTrue(err.toString().endsWith("0 failed since the last update"), err.toString());
    }

    @Test
    void withoutATerminalThereIsNoStatusLine() throws Exception {
        StringWriter out = new StringWriter();
        LiveText live = new LiveText(new PrintWriter(out), null, false, false, ReportZone.UTC,
                new TextReport(new PrintWriter(new StringWriter()), false, 20, "test"));
        live.onStatus(status(0));
        live.onConnection(refused(40000));
        assertFalse(out.toString().contains("\r"), out.toString());
        assertFalse(out.toString().contains("packets/s"), out.toString());
        assertEquals(1, out.toString().lines().count());
    }

    /**
     * A capture that runs past midnight: lines of the first day show the time of day, lines from
     * the next day on their date too, in the zone asked for (Tokyo: UTC+9, so its midnight is
     * 15:00 UTC).
     */
    @Test
    void linesPastTheFirstDayCarryTheirDate() throws Exception {
        StringWriter out = new StringWriter();
        LiveText live = new LiveText(new PrintWriter(out), null, false, false,
                ReportZone.parse("Asia/Tokyo"),
                new TextReport(new PrintWriter(new StringWriter()), false, 20, "test"));
        live.onConnection(refusedAt(40000, 14 * 3600 + 59 * 60 + 59.5));
        live.onConnection(refusedAt(40001, 15 * 3600 + 0.25));
        String[] lines = out.toString().split("\n");
        assertTrue(lines[0].startsWith("23:59:59.500000  10.0.0.1:40000"), lines[0]);
        assertTrue(lines[1].startsWith("2026-01-02 00:00:00.250000  10.0.0.1:40001"), lines[1]);
    }
}
