package io.synscope.pipeline;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;

import java.io.IOException;

/**
 * Two sinks fed by one run (a report and live metrics). A connection's result is built when
 * either wants and would keep it, and handed to each sink that wants its verdict; a sink that
 * would not have kept it drops it, as {@link AnalysisSink#keeps} allows.
 */
public record TeeSink(AnalysisSink first, AnalysisSink second) implements AnalysisSink {

    @Override
    public boolean wants(Verdict v) {
        return first.wants(v) || second.wants(v);
    }

    @Override
    public boolean keeps(Verdict v, long firstSeenNanos, long id) {
        return first.wants(v) && first.keeps(v, firstSeenNanos, id)
                || second.wants(v) && second.keeps(v, firstSeenNanos, id);
    }

    @Override
    public void onCaptureStart(long firstFrameNanos) throws IOException {
        first.onCaptureStart(firstFrameNanos);
        second.onCaptureStart(firstFrameNanos);
    }

    @Override
    public void onConnection(ConnectionResult result) throws IOException {
        if (first.wants(result.verdict())) {
            first.onConnection(result);
        }
        if (second.wants(result.verdict())) {
            second.onConnection(result);
        }
    }

    @Override
    public void onJudged(HostPort server, Judgement judgement) throws IOException {
        first.onJudged(server, judgement);
        second.onJudged(server, judgement);
    }

    @Override
    public boolean judges() {
        return first.judges() || second.judges();
    }

    @Override
    public void onStatus(LiveStatus status) throws IOException {
        first.onStatus(status);
        second.onStatus(status);
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        first.onFinish(capture, summary);
        second.onFinish(capture, summary);
    }
}
