package io.synscope.diagnose;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Counts over every connection of a capture, failures over time, and what each listener's
 * failures point at.
 *
 * @param oneDirection       connections of which only one side's packets were captured, though
 *                           the other side's must have been sent (rule {@code one-direction-only})
 * @param byVerdict          connections per verdict, every verdict present (zero or not)
 * @param failuresByOutcome  connections with a failure verdict, per outcome (every outcome
 *                           present): how the failures relate to the outcomes (a failed
 *                           connection is one failure however many it had in {@code also})
 * @param servers            per server endpoint, most failures first
 * @param failuresPerSecond  failed connections per second of capture time (epoch second of the
 *                           connection's first packet); only seconds with failures are present
 * @param recoveryDelays     for connections that recovered, the delays per verdict
 * @param listenerFindings   one finding per server endpoint whose failures point at a cause
 */
public record Summary(
        long connections,
        long oneDirection,
        Map<Verdict, Long> byVerdict,
        Map<Outcome, Long> byOutcome,
        Map<Outcome, Long> failuresByOutcome,
        List<ServerSummary> servers,
        SortedMap<Long, Long> failuresPerSecond,
        Map<Verdict, DelayStats> recoveryDelays,
        List<ListenerFinding> listenerFindings) {

    /** Connections with a failure verdict (recovered ones included). */
    public long failures() {
        long failures = 0;
        for (Map.Entry<Verdict, Long> e : byVerdict.entrySet()) {
            if (e.getKey().isFailure()) {
                failures += e.getValue();
            }
        }
        return failures;
    }

    /**
     * One server endpoint.
     *
     * @param failures          connections with a failure verdict, recovered ones included
     * @param answered          connections in which the server sent at least one packet
     * @param worked            connections whose outcome is ok or recovered
     * @param laterByVerdict    connections with a failure after their first, per verdict of
     *                          that later failure (a SYN dropped, then the ACK ignored)
     * @param healthyWithLoss   connections judged ok that resent more than their handshake: the
     *                          path to this server loses packets
     * @param ackIgnoredUnconfirmed {@code synack-resent-after-ack} connections below high
     *                          confidence: no client data left unanswered
     */
    public record ServerSummary(HostPort server, long connections, Map<Verdict, Long> byVerdict,
                                long failures, long answered, long worked,
                                Map<Verdict, Long> laterByVerdict, long healthyWithLoss,
                                long ackIgnoredUnconfirmed) {

        /** Connections that had {@code v}, as their verdict or as a later failure. */
        public long involving(Verdict v) {
            return byVerdict.getOrDefault(v, 0L) + laterByVerdict.getOrDefault(v, 0L);
        }

        /** Failed connections over all connections, 0..1. */
        public double failureRate() {
            return connections == 0 ? 0 : (double) failures / connections;
        }
    }

    /** Delays of recovered connections. */
    public record DelayStats(long count, long minNanos, long maxNanos, long totalNanos) {
        public long meanNanos() {
            return count == 0 ? 0 : totalNanos / count;
        }
    }

    /**
     * What one listener's failures, taken together, point at.
     *
     * @param rule a stable id, e.g. {@code accept-queue-overflow}
     */
    public record ListenerFinding(HostPort server, String rule, String finding, String remedy) {
    }
}
