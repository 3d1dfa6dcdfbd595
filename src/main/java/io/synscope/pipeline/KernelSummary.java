package io.synscope.pipeline;

import io.synscope.diagnose.HostPort;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel said over a whole capture (see {@link KernelLog}): the report's "kernel" and
 * "listeners" sections.
 *
 * @param sources   the kernel sources that worked ({@code sock_diag}, {@code counters},
 *                  {@code tracefs})
 * @param missing   those that did not, with why
 * @param sysctls   read at the start, e.g. {@code net.core.somaxconn}
 * @param counters  the counters that moved over the capture, by how much, the most first
 * @param listeners the listeners whose queues held anything, busiest first
 * @param quietListeners listeners sampled whose queues stayed empty, counted only
 * @param dropped   kernel records not kept because a bound was reached
 */
public record KernelSummary(List<String> sources, Map<String, String> missing,
                            Map<String, Long> sysctls, Map<String, Long> counters,
                            List<Listener> listeners, long quietListeners, long dropped) {
    /**
     * The TcpExt and Tcp counters that bear on connection failures (listen queues, SYN cookies,
     * aborts, resets): what the text report and the metrics show; the JSON has every counter.
     */
    public static final List<String> FAILURE_COUNTERS = List.of("ListenOverflows",
            "ListenDrops", "TCPReqQFullDrop", "TCPReqQFullDoCookies", "SyncookiesSent",
            "SyncookiesRecv", "SyncookiesFailed", "EmbryonicRsts", "TCPAbortOnClose",
            "TCPAbortOnData", "TCPAbortOnLinger", "TCPAbortOnMemory", "TCPAbortOnTimeout",
            "TCPSynRetrans", "AttemptFails", "EstabResets", "OutRsts");

    public KernelSummary {
        sources = List.copyOf(sources);
        // In the order the sources were asked, the same every run.
        missing = Collections.unmodifiableMap(new LinkedHashMap<>(missing));
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        listeners = List.copyOf(listeners);
    }

    /**
     * One listener's queues.
     *
     * @param backlog       the accept queue's limit, min(listen() backlog, net.core.somaxconn),
     *                      at the last sample
     * @param peakDepth     the most connections waiting to be accepted at one sample
     * @param fullNanos     time the accept queue was sampled full: from each sample that found it
     *                      full to the next that did not (0 when only the last sample did)
     * @param fullIntervals when it was, in order (at most {@link #MAX_INTERVALS}, the first; the
     *                      rest are in {@code fullNanos} only); empty exactly when no sample
     *                      found it full
     * @param synRecvPeak   the most half-open connections (SYN_RECV) at one sample
     * @param synQueueLimit the SYN queue's limit: the backlog, or with tcp_syncookies=0 three
     *                      quarters of net.ipv4.tcp_max_syn_backlog when that is lower
     * @param acceptQueueLimitBy which limit set {@code backlog}: {@code net.core.somaxconn} when
     *                      the backlog equals it (the application may have asked for more),
     *                      else {@code listen() backlog}
     * @param synQueueLimitBy which limit set {@code synQueueLimit}:
     *                      {@code net.ipv4.tcp_max_syn_backlog} when it is below the backlog,
     *                      else the accept queue's
     * @param depth         the accept queue's depth over time, each value holding until the
     *                      next (for a chart): every change, or when there were more than
     *                      {@link #MAX_DEPTH_POINTS}, the deepest of each run of changes
     */
    public record Listener(HostPort listener, int backlog, int peakDepth, long fullNanos,
                           List<Interval> fullIntervals, int synRecvPeak, int synQueueLimit,
                           String acceptQueueLimitBy, String synQueueLimitBy, List<Depth> depth) {
        public static final int MAX_INTERVALS = 100;
        public static final int MAX_DEPTH_POINTS = 600;

        public Listener {
            fullIntervals = List.copyOf(fullIntervals);
            depth = List.copyOf(depth);
        }

        /**
         * Whether a sample found the accept queue full: holding more than the backlog, the
         * kernel's own test (sk_acceptq_is_full), even if only the last sample did.
         */
        public boolean acceptQueueFull() {
            return !fullIntervals.isEmpty();
        }

        /** Whether the half-open connections reached the SYN queue's limit at a sample. */
        public boolean synQueueFull() {
            return synRecvPeak >= synQueueLimit && synQueueLimit > 0;
        }

        /**
         * The limit that bound the listener: the accept queue's when it was full, else the SYN
         * queue's when it reached its limit, else the accept queue's (the first a burst of
         * connections meets).
         */
        public String limitedBy() {
            return !acceptQueueFull() && synQueueFull() ? synQueueLimitBy : acceptQueueLimitBy;
        }
    }

    /** The accept queue's depth from {@code tsNanos} on. */
    public record Depth(long tsNanos, int depth) {
    }

    public record Interval(long fromNanos, long toNanos) {
        public long nanos() {
            return toNanos - fromNanos;
        }
    }
}
