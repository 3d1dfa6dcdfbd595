package io.synscope.diagnose;

import io.synscope.flow.KernelTimers;

import java.util.concurrent.TimeUnit;

/**
 * The classifier's thresholds, in one place (the tracker's are in
 * {@link io.synscope.flow.AnalysisConfig}, the kernel's timers in {@link KernelTimers}).
 *
 * @param synRetryWindowNanos   a lone unanswered SYN followed by at least this much capture is
 *                              judged (the client did not retry in time); closer to the capture's
 *                              end it is {@code incomplete}
 * @param overflowResetMaxNanos a stateless server RST this soon after the handshake's ACK, before
 *                              the server acknowledged anything, is an accept-queue overflow reset
 * @param ackIgnoredMinRetrans  client data retransmissions with no server progress at all after a
 *                              completed handshake before we call the ACK ignored (cookie variant,
 *                              where the server does not resend its SYN-ACK)
 * @param stallMinRetrans       retransmissions of the same data, unanswered till the end, before a
 *                              connection counts as stalled rather than an ordinary loss
 * @param synAckUnansweredRtts  round trips of silence after a SYN-ACK, beyond the kernel's first
 *                              retransmission timeout, before it counts as unanswered
 * @param floodMinSynAcks       SYN-ACKs left unanswered at one listener before it is called a
 *                              flood or a scan rather than a stray client
 * @param lossLikeMaxIgnoredAcks unconfirmed ignored ACKs (no client data left unanswered) up to
 *                              this many at one listener read as possible packet loss
 */
public record ClassifierConfig(
        long synRetryWindowNanos,
        long overflowResetMaxNanos,
        int ackIgnoredMinRetrans,
        int stallMinRetrans,
        int synAckUnansweredRtts,
        int floodMinSynAcks,
        int lossLikeMaxIgnoredAcks) {

    public static ClassifierConfig defaults() {
        return new ClassifierConfig(KernelTimers.SYN_RETRY_WINDOW_NANOS,
                TimeUnit.SECONDS.toNanos(1), 2, 3, 10, 10, 2);
    }

    public ClassifierConfig {
        if (synRetryWindowNanos < 0 || overflowResetMaxNanos < 0) {
            throw new IllegalArgumentException("windows must not be negative");
        }
        if (ackIgnoredMinRetrans < 1 || stallMinRetrans < 1 || synAckUnansweredRtts < 1
                || floodMinSynAcks < 1 || lossLikeMaxIgnoredAcks < 0) {
            throw new IllegalArgumentException("counts must be ≥ 1");
        }
    }
}
