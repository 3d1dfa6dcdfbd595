package io.synscope.diagnose;

import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.Connection;
import io.synscope.flow.ConnectionListener;
import io.synscope.flow.Decision;
import io.synscope.flow.Endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bridge from the tracker to a sink: classifies each decided connection, counts it in the
 * summary, and builds a full {@link ConnectionResult} only when the sink wants that verdict and
 * would keep that connection.
 * A sink's {@link IOException} is rethrown unchecked (the tracker's callback cannot throw it);
 * {@link Analyzer} unwraps it.
 */
public final class Diagnoser implements ConnectionListener {
    private final Classifier classifier;
    private final SummaryBuilder summary = new SummaryBuilder();
    private final AnalysisSink sink;

    public Diagnoser(AnalysisConfig config, AnalysisSink sink) {
        this.classifier = new Classifier(config);
        this.sink = sink;
    }

    @Override
    public void onDecided(Connection c, Decision reason, long nowNanos) {
        Diagnosis d = classifier.classify(c, reason, nowNanos);
        Endpoint server = c.server();
        summary.add(server.addrHi(), server.addrLo(), server.port(), d, c.firstTsNanos(),
                server.packets() > 0);
        Verdict v = d.verdict();
        if (sink.wants(v) && sink.keeps(v, c.firstTsNanos(), c.firstFrame())) {
            report(c, reason, d);
        }
    }

    private void report(Connection c, Decision reason, Diagnosis d) {
        try {
            sink.onConnection(ConnectionResult.of(c, reason, d, summary.lastServer()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The counts of everything this diagnoser decided so far. */
    SummaryBuilder counts() {
        return summary;
    }
}
