package io.synscope.report.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.LiveStatus;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * {@code synscope live --metrics}: the run as Prometheus metrics (docs/metrics.md), a renderer
 * over the same results as the reports. It only counts, so it wants no connection's full result:
 * every decided connection reaches it through {@link #onJudged}, healthy ones included, at the
 * cost of a counter increment. The capture's counts come with each {@link LiveStatus}.
 *
 * <p>Families of other sources (the kernel's listen queues and counters) register in
 * {@link #registry()}, next to these, and are served by the same endpoint.
 */
public final class MetricsSink implements AnalysisSink {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ListenerCounters connections;
    /** Written by the reading thread, read by the HTTP server's at each scrape. */
    private volatile LiveStatus latest;

    /**
     * @param maxListeners servers (address and port) with series of their own; the rest are
     *                     counted together (see {@link ListenerCounters})
     * @param version      synscope's version, and {@code commit} the git commit it was built
     *                     from: {@code synscope_build_info}'s labels
     */
    public MetricsSink(int maxListeners, String version, String commit) {
        connections = new ListenerCounters(registry, maxListeners);
        CaptureCounters.register(registry, () -> latest);
        Info.builder()
                .name("synscope_build_info")
                .help("Always 1; the labels say which synscope serves these metrics")
                .labelNames("version", "commit")
                .register(registry)
                .setLabelValues(version, commit);
    }

    /**
     * Serves {@link #registry()} at {@code http://at/metrics} until the endpoint is closed, on
     * threads of its own; scrapes read the counters without stopping the capture.
     *
     * @param at an address of this host (resolved here if it is a name) and a port (0: any)
     * @throws IOException when it cannot: the port is taken, the address is not this host's or
     *                     not an address at all, the port is privileged
     */
    public Endpoint serve(InetSocketAddress at) throws IOException {
        InetAddress address = at.isUnresolved() ? InetAddress.getByName(at.getHostString())
                : at.getAddress();
        HTTPServer server = HTTPServer.builder().inetAddress(address).port(at.getPort())
                .registry(registry).buildAndStart();
        return new Endpoint(server, new HostPort(address.getHostAddress(), server.getPort()));
    }

    /** A running metrics endpoint; closing it stops serving. */
    public record Endpoint(HTTPServer server, HostPort address) implements Closeable {
        @Override
        public void close() {
            server.close();
        }
    }

    /** Where the metric families live: what the endpoint serves. */
    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public boolean wants(Verdict v) {
        return false;
    }

    @Override
    public void onConnection(ConnectionResult result) {
        // Never called: wants nothing; every connection is counted in onJudged.
    }

    @Override
    public void onJudged(HostPort server, Judgement judgement) {
        connections.count(server, judgement);
    }

    @Override
    public boolean judges() {
        return true;
    }

    @Override
    public void onStatus(LiveStatus status) {
        latest = status;
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) {
        // The endpoint closes when the capture ends: nothing is left to show.
    }
}
