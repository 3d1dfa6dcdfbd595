package io.synscope.testutil;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.AnalysisConfig;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import io.synscope.pipeline.CaptureInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps everything: every connection, the capture info and the summary. */
public class CollectingSink implements AnalysisSink {
    /**
     * Every connection, in the order the sink got them. A plain list: with several shards the
     * analyser already calls its sink one call at a time.
     */
    public final List<ConnectionResult> connections = new ArrayList<>();
    public CaptureInfo capture;
    public Summary summary;

    /** Analyses {@code file} on one thread with the default configuration. */
    public static CollectingSink analyze(Path file) throws CaptureException, IOException {
        return analyze(file, 1);
    }

    public static CollectingSink analyze(Path file, int threads)
            throws CaptureException, IOException {
        CollectingSink sink = new CollectingSink();
        try (PacketSource source = Captures.open(file.toString())) {
            new Analyzer(AnalysisConfig.defaults(), threads).run(source, sink);
        }
        return sink;
    }

    @Override
    public boolean wants(Verdict v) {
        return true;
    }

    @Override
    public void onConnection(ConnectionResult r) {
        connections.add(r);
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) {
        this.capture = capture;
        this.summary = summary;
    }
}
