package io.synscope.report.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.synscope.pipeline.KernelLog;
import io.synscope.pipeline.KernelSummary;

import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The kernel's evidence at each scrape (docs/metrics.md, docs/kernel.md): every listening
 * socket's accept-queue depth and backlog at the latest sample, at most {@code maxListeners} of
 * them (a host can listen on thousands of ports), and the rise of the listen-queue and reset
 * counters since the capture started. Counter names come from
 * {@link KernelSummary#FAILURE_COUNTERS}, never from
 * what the kernel's files list, so the label set is fixed.
 */
public final class KernelGauges {
    private KernelGauges() {
    }

    public static void register(PrometheusRegistry registry, Supplier<KernelLog.Now> now,
                                int maxListeners) {
        listenerGauge(registry, "synscope_listen_queue_depth", "Connections waiting to be"
                + " accepted by the listening socket, at the latest sample (ss -lnt Recv-Q)",
                now, maxListeners, KernelLog.ListenerNow::acceptQueue);
        listenerGauge(registry, "synscope_listen_queue_backlog", "The listening socket's accept"
                + " queue limit, min(listen() backlog, net.core.somaxconn) (ss -lnt Send-Q)",
                now, maxListeners, KernelLog.ListenerNow::backlog);
        CounterWithCallback.builder()
                .name("synscope_kernel_tcp_stat_total")
                .help("Rise of the kernel's TCP counter since the capture started (nstat's"
                        + " TcpExt/Tcp names without the prefix)")
                .labelNames("name")
                .callback(cb -> {
                    KernelLog.Now n = now.get();
                    for (String name : KernelSummary.FAILURE_COUNTERS) {
                        Long rise = n.counterRises().get(name);
                        if (rise != null) {
                            cb.call(Math.max(0, rise), name);
                        }
                    }
                })
                .register(registry);
    }

    private static void listenerGauge(PrometheusRegistry registry, String name, String help,
                                      Supplier<KernelLog.Now> now, int maxListeners,
                                      ToIntFunction<KernelLog.ListenerNow> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("ip", "port")
                .callback(cb -> {
                    int shown = 0;
                    for (KernelLog.ListenerNow l : now.get().listeners()) {
                        if (shown++ == maxListeners) {
                            break;
                        }
                        cb.call(value.applyAsInt(l), l.listener().ip(),
                                Integer.toString(l.listener().port()));
                    }
                })
                .register(registry);
    }
}
