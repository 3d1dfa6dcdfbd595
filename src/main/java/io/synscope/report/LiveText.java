package io.synscope.report;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.LiveStatus;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code synscope live}'s text output: a line per failed connection (every connection with
 * {@code --all}) the moment it is decided, a status line on the terminal refreshed with each
 * {@link LiveStatus}, and at the end the full report {@code analyze} prints.
 *
 * <p>The status line lives on stderr and is redrawn in place ({@code \r}, erase line); it is
 * erased before each connection line so the two never garble each other on a terminal.
 */
public final class LiveText implements AnalysisSink {
    private static final String ERASE_LINE = "\r\u001b[K";

    private final PrintWriter out;
    /** Where the status line goes, or null for none (not a terminal). */
    private final PrintWriter status;
    private final Style style;
    private final boolean all;
    private final TextReport report;
    /** Times of day until a line falls on another day than the first line did, then dates. */
    private Times times;
    private long firstDay = Long.MIN_VALUE;
    private String statusLine = "";
    private long failuresSinceStatus;

    /**
     * @param status where to draw the status line (a terminal), or null for none
     * @param all    a line for every connection, not only failed ones
     * @param zone   the zone of the lines' times (the report's are its own)
     * @param report the report printed at the end, fed the same connections
     */
    public LiveText(PrintWriter out, PrintWriter status, boolean color, boolean all,
                    ReportZone zone, TextReport report) {
        this.out = out;
        this.status = status;
        this.style = new Style(color);
        this.all = all;
        this.report = report;
        this.times = Times.timeOfDay(zone);
    }

    @Override
    public boolean wants(Verdict v) {
        return all || v.isFailure();
    }

    @Override
    public void onConnection(ConnectionResult r) throws IOException {
        if (r.verdict().isFailure()) {
            failuresSinceStatus++;
            if (report.keeps(r.verdict(), r.firstSeenNanos(), r.id())) {
                report.onConnection(r);
            }
        }
        eraseStatus();
        String cause = r.explanation().cause();
        long day = times.day(r.firstSeenNanos());
        if (firstDay == Long.MIN_VALUE) {
            firstDay = day;
        } else if (day != firstDay) {
            times = times.withDates();
        }
        out.println(TextReport.headline(r, style, times)
                + (cause.isEmpty() ? "" : " — " + cause));
        out.flush();
        drawStatus();
        if (out.checkError()) {
            throw new IOException("writing the output failed");
        }
    }

    @Override
    public void onStatus(LiveStatus s) {
        if (status == null) {
            return;
        }
        StringBuilder line = new StringBuilder();
        line.append(Format.count(Math.round(s.framesPerSecond()))).append(" packets/s · ");
        if (s.stats() != null) {
            String drops = Format.count(s.stats().kernelDrops()) + " dropped by the kernel";
            line.append(s.stats().kernelDrops() > 0 ? style.bad(drops) : drops).append(" · ");
        }
        line.append(Format.count(s.openConnections())).append(" open · ");
        String failures = Format.count(failuresSinceStatus) + " failed since the last update";
        line.append(failuresSinceStatus > 0 ? style.bad(failures) : failures);
        failuresSinceStatus = 0;
        statusLine = line.toString();
        eraseStatus();
        drawStatus();
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        eraseStatus();
        statusLine = "";
        out.println();
        report.onFinish(capture, summary);
    }

    private void eraseStatus() {
        if (status != null && !statusLine.isEmpty()) {
            status.print(ERASE_LINE);
            status.flush();
        }
    }

    private void drawStatus() {
        if (status != null && !statusLine.isEmpty()) {
            status.print(style.dim(statusLine));
            status.flush();
        }
    }
}
