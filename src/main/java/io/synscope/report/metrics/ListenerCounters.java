package io.synscope.report.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code synscope_connections_total{ip, port, verdict, outcome}}: decided connections by server
 * address and port, verdict and outcome. The first {@code maxListeners} servers seen get series
 * of their own; every later one is counted under {@code ip="other", port="other"}, so that a
 * port scan or a SYN flood from spoofed sources cannot grow the page (and Prometheus) without
 * bound: at most ({@code maxListeners} + 1) × the verdict × outcome pairs that occur.
 *
 * <p>Not thread-safe: {@link #count} calls are serialised, as an {@code AnalysisSink}'s are;
 * a scrape reads the counter from another thread, which the client library allows.
 */
final class ListenerCounters {
    /** The label value of servers beyond the cap: not an address or port, so never confused. */
    static final String OTHER = "other";
    private static final int OUTCOMES = Outcome.values().length;

    private final Counter counter;
    private final int maxListeners;
    /** The servers with series of their own: at most {@link #maxListeners} entries. */
    private final Map<HostPort, CounterDataPoint[]> own = new HashMap<>();
    private final CounterDataPoint[] other = points();

    ListenerCounters(PrometheusRegistry registry, int maxListeners) {
        this.maxListeners = maxListeners;
        counter = Counter.builder()
                .name("synscope_connections_total")
                .help("TCP connections decided, by server address and port (the first"
                        + " --metrics-listeners servers seen; the rest under ip and port"
                        + " \"other\"), verdict and outcome")
                .labelNames("ip", "port", "verdict", "outcome")
                // Exemplars link a sample to a trace: synscope has none, and sampling them reads
                // the clock and schedules a task on the client's timer thread every interval.
                .withoutExemplars()
                .register(registry);
    }

    void count(HostPort server, Judgement j) {
        CounterDataPoint[] points = own.get(server);
        String ip = server.ip();
        String port = null;
        if (points == null) {
            if (own.size() < maxListeners) {
                points = points();
                own.put(server, points);
            } else {
                points = other;
                ip = OTHER;
                port = OTHER;
            }
        }
        Verdict v = j.verdict();
        Outcome o = j.outcome();
        int i = v.ordinal() * OUTCOMES + o.ordinal();
        CounterDataPoint point = points[i];
        if (point == null) {
            // Label values from the enums' public keys and the parsed address: never raw input.
            point = counter.labelValues(ip, port != null ? port : Integer.toString(server.port()),
                    v.key(), o.key());
            points[i] = point;
        }
        point.inc();
    }

    /** One slot per verdict and outcome, filled when that pair first occurs. */
    private static CounterDataPoint[] points() {
        return new CounterDataPoint[Verdict.values().length * OUTCOMES];
    }
}
