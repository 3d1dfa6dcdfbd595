package io.synscope.report;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.LiveStatus;

import java.io.IOException;

/**
 * Hands a report only the connections a {@link Selection} picks; everything else (the summary,
 * the capture, live status) passes unchanged, so the report's tables still count the whole
 * capture while its list of connections is narrowed.
 *
 * <p>The report's {@link AnalysisSink#keeps} is asked only for selected connections, after the
 * selection: a report that keeps a few (the text report's ladders) then keeps the earliest
 * selected ones, and every selected one reaches it through {@link #keeps} once.
 */
public final class SelectingSink implements AnalysisSink {
    private final AnalysisSink report;
    private final Selection selection;
    /** The first frame's time, for times relative to it; set before any connection arrives. */
    private long captureStartNanos;

    public SelectingSink(AnalysisSink report, Selection selection) {
        this.report = report;
        this.selection = selection;
    }

    @Override
    public boolean wants(Verdict v) {
        return selection.allows(v) && report.wants(v);
    }

    /** True: whether a connection is selected is known only from its result. */
    @Override
    public boolean keeps(Verdict v, long firstSeenNanos, long id) {
        return true;
    }

    @Override
    public void onCaptureStart(long firstFrameNanos) throws IOException {
        captureStartNanos = firstFrameNanos;
        report.onCaptureStart(firstFrameNanos);
    }

    @Override
    public void onConnection(ConnectionResult r) throws IOException {
        if (selection.matches(r, captureStartNanos)
                && report.keeps(r.verdict(), r.firstSeenNanos(), r.id())) {
            report.onConnection(r);
        }
    }

    @Override
    public void onJudged(HostPort server, Judgement judgement) throws IOException {
        report.onJudged(server, judgement);
    }

    @Override
    public boolean judges() {
        return report.judges();
    }

    @Override
    public void onStatus(LiveStatus status) throws IOException {
        report.onStatus(status);
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        report.onFinish(capture, summary);
    }
}
