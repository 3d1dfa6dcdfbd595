package io.synscope.diagnose;

import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.Connection;
import io.synscope.flow.ConnectionListener;
import io.synscope.flow.Decision;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bridge from the tracker to a sink: classifies each decided connection, counts it in the
 * summary, and builds a full {@link ConnectionResult} only when the sink wants that verdict.
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
        summary.add(c.server().addrHi(), c.server().addrLo(), c.server().port(), d,
                c.firstTsNanos(), c.server().packets() > 0);
        if (sink.wants(d.verdict())) {
            try {
                sink.onConnection(ConnectionResult.of(c, reason, d));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The counts of everything this diagnoser decided so far. */
    SummaryBuilder counts() {
        return summary;
    }
}
