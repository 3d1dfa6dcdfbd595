package io.synscope.pipeline;

import io.synscope.diagnose.Classifier;
import io.synscope.diagnose.ClassifierConfig;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.KernelView;
import io.synscope.diagnose.SummaryBuilder;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.Connection;
import io.synscope.flow.ConnectionListener;
import io.synscope.flow.Decision;
import io.synscope.flow.Endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bridge from the tracker to a sink: judges each decided connection, counts it in the
 * summary, and explains it in a full {@link ConnectionResult} only when the sink wants that
 * verdict and would keep that connection.
 * A sink's {@link IOException} is rethrown unchecked (the tracker's callback cannot throw it);
 * {@link Analyzer} unwraps it.
 */
public final class Diagnoser implements ConnectionListener {
    /**
     * A live connection is classified once the kernel's evidence reaches this far past its
     * last packet: one listen-queue sample interval (docs/kernel.md).
     */
    static final long KERNEL_MARGIN_NANOS = 100_000_000;
    /**
     * At most this long a live verdict waits for the kernel's evidence (a stalled source must
     * not stall the verdicts: the target is a second from packet to verdict).
     */
    static final long KERNEL_WAIT_NANOS = 400_000_000;
    private final Classifier classifier;
    private final SummaryBuilder summary = new SummaryBuilder();
    private final AnalysisSink sink;
    /** {@link AnalysisSink#judges()}, asked once. */
    private final boolean judges;
    private final KernelView kernel;
    /** The same, for a live capture: its evidence comes in as the capture runs. */
    private final KernelLog liveKernel;

    public Diagnoser(ClassifierConfig config, AnalysisSink sink) {
        this(config, sink, KernelView.NONE, null);
    }

    /**
     * @param kernel     what the kernel said, {@link KernelView#NONE} if nothing
     * @param liveKernel the same log when it is still being filled (a live capture): each
     *                   connection waits for its evidence to be in (see {@link #KERNEL_WAIT_NANOS})
     */
    Diagnoser(ClassifierConfig config, AnalysisSink sink, KernelView kernel, KernelLog liveKernel) {
        this.classifier = new Classifier(config);
        this.sink = sink;
        this.judges = sink.judges();
        this.kernel = kernel;
        this.liveKernel = liveKernel;
    }

    @Override
    public void onDecided(Connection c, Decision reason, long nowNanos) {
        if (liveKernel != null) {
            // The sample after the connection's last packet, and the traced events up to it.
            liveKernel.awaitUntil(c.lastTsNanos() + KERNEL_MARGIN_NANOS, KERNEL_WAIT_NANOS);
        }
        Judgement j = classifier.judge(c, reason, nowNanos, kernel);
        Endpoint server = c.server();
        summary.add(server.addrHi(), server.addrLo(), server.port(), j, c.firstTsNanos(),
                server.packets() > 0,
                retransmittedBeyondHandshake(c.client()) || retransmittedBeyondHandshake(server));
        Verdict v = j.verdict();
        try {
            if (judges) {
                sink.onJudged(summary.lastServer(), j);
            }
            if (sink.wants(v) && sink.keeps(v, c.firstTsNanos(), c.firstFrame())) {
                // The rules run again, explaining this time: only for connections a report shows.
                Diagnosis d = classifier.classify(c, reason, nowNanos, kernel);
                sink.onConnection(ConnectionResult.of(c, reason, d, summary.lastServer()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code e} resent anything but its SYN (or SYN-ACK). */
    private static boolean retransmittedBeyondHandshake(Endpoint e) {
        return e.retransmissions() > Math.max(0, e.synCount() - 1);
    }

    /** The counts of everything this diagnoser decided so far. */
    SummaryBuilder counts() {
        return summary;
    }
}
