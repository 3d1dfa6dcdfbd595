package io.synscope.flow;

import java.util.concurrent.TimeUnit;

/**
 * Linux's TCP timers, which the tracker and the classifier measure silences against. Facts of
 * the kernel, not thresholds to tune (those are in {@link AnalysisConfig} and the classifier's
 * config); docs/verdicts.md ("SYN retry cadence differs between kernels") has the history.
 */
public final class KernelTimers {
    /**
     * TCP_TIMEOUT_INIT: an unanswered SYN-ACK is resent after 1 s (then 2, 4 … s), and a SYN
     * since Linux 3.1 likewise.
     */
    public static final long INITIAL_RTO_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** TCP_RTO_MAX: the retransmission timer doubles up to 120 s and no further. */
    public static final long RTO_MAX_NANOS = TimeUnit.SECONDS.toNanos(120);

    /**
     * How long a lone SYN may go unretried before its client is taken to have given up: 3 s,
     * the initial timeout before Linux 3.1, covers every Linux retry cadence.
     */
    public static final long SYN_RETRY_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(3);

    /**
     * The shortest gap at which a second SYN-ACK can be the server's timer-driven retransmission
     * (half the initial timeout, for jitter): a closer one answered a retransmitted SYN instead.
     */
    public static final long SYNACK_RETRY_MIN_NANOS = INITIAL_RTO_NANOS / 2;

    private KernelTimers() {
    }
}
