package io.synscope.flow;

import java.util.concurrent.TimeUnit;

/**
 * The tracker's thresholds, in one place (the classifier's are in
 * {@code io.synscope.diagnose.ClassifierConfig}, the kernel's timers in {@link KernelTimers}).
 * Times are capture time (packet timestamps), never wall-clock time, so a capture gives the same
 * answer however fast it is read.
 *
 * @param idleTimeoutNanos        a connection with no packet for this long is decided as it stands
 *                                (Zeek's tcp_inactivity_timeout is 5 min)
 * @param closeLingerNanos        how long after a connection is reset or closed its stragglers (a
 *                                second RST answering data, a retransmitted ACK) are recognised
 *                                as such rather than taken for a new mid-stream connection
 * @param maxEventsPerConnection  packets kept per connection for ladders; evidence frames are kept
 *                                separately and never dropped
 * @param expiryScanNanos         capture time between scans of the open connections for ones silent
 *                                past their window (idle timeout, handshake window): each is decided
 *                                at most this late. A scan walks every open connection, so a file,
 *                                read many times faster than it was captured, scans every 2 s of its
 *                                time (on the bench capture, every 250 ms cost 15 % more CPU); a live
 *                                capture, where verdicts must come within a second, every 250 ms
 * @param duplicateWindowNanos    a segment equal in every field to its sender's previous one and
 *                                this close behind it is the same packet captured twice, not a
 *                                retransmission (Linux's minimum RTO is 200 ms)
 * @param maxOpenConnections      connections followed at once before the oldest are decided early
 *                                (handshake-only ones first; see {@link FlowTracker}): a flood of
 *                                spoofed SYNs must not exhaust the heap. By default what the heap
 *                                holds ({@link #openConnectionsFor})
 * @param freezeAboveOpen         with more than this many connections open, those silent for
 *                                {@code freezeAfterNanos} past their handshake are frozen: held as
 *                                a compact byte string until their next packet (see
 *                                {@link FrozenTable}). Tens of thousands open cost little as
 *                                they are (65,536 take some 60 MB), and freezing and thawing cost
 *                                CPU: the bench capture, 36,050 open at its peak, took 10-20 %
 *                                more CPU with freezing from 32,768 on
 * @param freezeAfterNanos        the least silence after which a connection is frozen (and the
 *                                capture time between the scans that freeze): 100 ms, which
 *                                took the state-heavy capture's peak RSS some 20 MB below 500 ms
 *                                at no CPU cost measured: fewer connections in use at once
 *                                (bench/README.md, "Freezing sooner")
 * @param freezeAfterRoundTrips   a connection is frozen only once silent for this many round
 *                                trips of its handshake (the client's SYN to its ACK) when that
 *                                is longer than {@code freezeAfterNanos}: 4. Silence within an
 *                                exchange lasts about a round trip, so a connection on a long
 *                                path (200 ms across the world) is frozen once its exchange is
 *                                over, not frozen and thawed at each round trip of it
 */
public record AnalysisConfig(
        long idleTimeoutNanos,
        long closeLingerNanos,
        int maxEventsPerConnection,
        long expiryScanNanos,
        long duplicateWindowNanos,
        long maxOpenConnections,
        long freezeAboveOpen,
        long freezeAfterNanos,
        int freezeAfterRoundTrips) {

    /**
     * Heap an open connection takes, measured with bench/GenStateHeavy's keep-alive connections
     * (885 bytes each at 546,000 open, table and pool included) and a SYN flood's half-open ones
     * (720-1,040 bytes); docs/performance.md#m1-connection-state. A frozen connection costs
     * some 385; the estimate stays at a connection in use, the flood's case, whose half-open
     * connections are never frozen (docs/performance.md#m2-a-cap-instead-of-running-out-of-heap).
     */
    static final long OPEN_CONNECTION_BYTES = 900;
    /** The share of the heap open connections may take; reports and the JVM need the rest. */
    static final double HEAP_SHARE = 0.65;

    public static AnalysisConfig defaults() {
        return new AnalysisConfig(
                TimeUnit.SECONDS.toNanos(300),
                TimeUnit.SECONDS.toNanos(2),
                48,
                TimeUnit.SECONDS.toNanos(2),
                TimeUnit.MICROSECONDS.toNanos(500),
                openConnectionsFor(Runtime.getRuntime().maxMemory()),
                65_536,
                TimeUnit.MILLISECONDS.toNanos(100),
                4);
    }

    /** The connections a heap of {@code maxHeapBytes} holds open, with room for the rest. */
    static long openConnectionsFor(long maxHeapBytes) {
        return Math.max(1_000, (long) (maxHeapBytes * HEAP_SHARE / OPEN_CONNECTION_BYTES));
    }

    public AnalysisConfig {
        if (idleTimeoutNanos <= 0 || closeLingerNanos < 0 || duplicateWindowNanos < 0
                || expiryScanNanos <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxEventsPerConnection < 8) {
            throw new IllegalArgumentException("events kept per connection must be ≥ 8");
        }
        if (maxOpenConnections < 1) {
            throw new IllegalArgumentException("max open connections must be ≥ 1");
        }
        if (freezeAboveOpen < 0 || freezeAfterNanos <= 0 || freezeAfterRoundTrips < 0) {
            throw new IllegalArgumentException(
                    "freezing needs a count ≥ 0, a positive silence and round trips ≥ 0");
        }
    }

    /**
     * How long a connection that is only a handshake so far (SYNs, SYN-ACKs) may stay silent
     * before the side retrying it is taken to have given up: {@link KernelTimers#SYN_RETRY_WINDOW_NANOS} plus
     * a quarter more than the handshake has lasted. Linux retries a SYN or a SYN-ACK on a
     * doubling timer (1 s, 2 s, 4 s … after 0, 1, 3, 7 s), so the next retry comes one initial
     * timeout after the span so far; this waits for it with room to spare (3 s after a lone
     * SYN, 11.75 s after SYNs at 0, 1, 3 and 7 s), then decides instead of waiting out the
     * idle timeout. Files and live captures are decided alike.
     *
     * @param spanNanos time from the connection's first packet to its last
     */
    public long handshakeWindowNanos(long spanNanos) {
        return KernelTimers.SYN_RETRY_WINDOW_NANOS + spanNanos + spanNanos / 4;
    }

    public AnalysisConfig withIdleTimeoutNanos(long nanos) {
        return new AnalysisConfig(nanos, closeLingerNanos,
                maxEventsPerConnection, expiryScanNanos, duplicateWindowNanos, maxOpenConnections,
                freezeAboveOpen, freezeAfterNanos, freezeAfterRoundTrips);
    }

    /** The same, deciding the oldest connections early beyond {@code count} open at once. */
    public AnalysisConfig withMaxOpenConnections(long count) {
        return new AnalysisConfig(idleTimeoutNanos, closeLingerNanos,
                maxEventsPerConnection, expiryScanNanos, duplicateWindowNanos, count,
                freezeAboveOpen, freezeAfterNanos, freezeAfterRoundTrips);
    }

    /**
     * For a live capture: the same, with connections scanned for silence every 250 ms, so that
     * a verdict decided by a timeout comes within a quarter second of its window's end.
     */
    public AnalysisConfig forLiveCapture() {
        return withExpiryScanNanos(TimeUnit.MILLISECONDS.toNanos(250));
    }

    private AnalysisConfig withExpiryScanNanos(long nanos) {
        return new AnalysisConfig(idleTimeoutNanos, closeLingerNanos,
                maxEventsPerConnection, nanos, duplicateWindowNanos, maxOpenConnections,
                freezeAboveOpen, freezeAfterNanos, freezeAfterRoundTrips);
    }

    /**
     * The same, freezing connections silent for {@code afterNanos}, or {@code afterRoundTrips}
     * round trips of their handshake when that is longer, once more than {@code aboveOpen} are
     * open (0: always).
     */
    public AnalysisConfig withFreezing(long aboveOpen, long afterNanos, int afterRoundTrips) {
        return new AnalysisConfig(idleTimeoutNanos, closeLingerNanos, maxEventsPerConnection,
                expiryScanNanos, duplicateWindowNanos, maxOpenConnections, aboveOpen, afterNanos,
                afterRoundTrips);
    }
}
