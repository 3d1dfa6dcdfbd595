package io.synscope.report.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.synscope.capture.CaptureStats;
import io.synscope.pipeline.LiveStatus;

import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The capture's own counts, read at each scrape from the latest {@link LiveStatus}: packets
 * read, TCP segments, connections being followed, and what libpcap says was received and
 * dropped. Before the first status (a second into the capture) these families have no sample;
 * libpcap's have none when it cannot tell.
 */
final class CaptureCounters {
    private CaptureCounters() {
    }

    static void register(PrometheusRegistry registry, Supplier<LiveStatus> latest) {
        counter(registry, "synscope_capture_packets_total",
                "Packets (frames) synscope read from the capture", latest, LiveStatus::frames);
        counter(registry, "synscope_capture_tcp_segments_total",
                "Of the packets read, the TCP segments analysed", latest,
                LiveStatus::tcpSegments);
        GaugeWithCallback.builder()
                .name("synscope_open_connections")
                .help("Connections being followed now (not yet decided)")
                .callback(cb -> {
                    LiveStatus s = latest.get();
                    if (s != null) {
                        cb.call(s.openConnections());
                    }
                })
                .register(registry);
        Supplier<CaptureStats> stats = () -> {
            LiveStatus s = latest.get();
            return s == null ? null : s.stats();
        };
        counter(registry, "synscope_capture_received_packets_total", "Packets the kernel handed"
                        + " to the capture (libpcap ps_recv: those that passed the filter, dropped"
                        + " ones included)", stats, CaptureStats::received);
        CounterWithCallback.builder()
                .name("synscope_capture_dropped_packets_total")
                .help("Packets the capture lost (libpcap): by=\"kernel\", its buffer was full"
                        + " (ps_drop); by=\"interface\", the interface or driver dropped them"
                        + " (ps_ifdrop)")
                .labelNames("by")
                .callback(cb -> {
                    CaptureStats c = stats.get();
                    if (c != null) {
                        cb.call(c.kernelDrops(), "kernel");
                        cb.call(c.interfaceDrops(), "interface");
                    }
                })
                .register(registry);
    }

    /** A counter without labels whose value is read from {@code source} when it has one. */
    private static <T> void counter(PrometheusRegistry registry, String name, String help,
                                    Supplier<T> source, ToLongFunction<T> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> {
                    T t = source.get();
                    if (t != null) {
                        cb.call(value.applyAsLong(t));
                    }
                })
                .register(registry);
    }
}
