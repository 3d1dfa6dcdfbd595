package io.synscope.pipeline;

import io.synscope.kernel.KernelConfig;
import io.synscope.kernel.KernelEvent;
import io.synscope.kernel.KernelReport;
import io.synscope.kernel.KernelSampler;
import io.synscope.kernel.SampleSink;
import io.synscope.kernel.SourceStatus;
import io.synscope.kernel.TraceConfig;
import io.synscope.kernel.TraceEvents;
import io.synscope.kernel.TraceStatus;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The kernel sources of a live capture, feeding one {@link KernelLog}: the tracefs events
 * ({@link TraceEvents}) and the listen-queue and counter samples. Each source starts on its own
 * and degrades alone: what does not work is said once in the log's missing sources, the rest
 * goes on. Start it on the thread that entered the captured network namespace (the sources
 * see the namespace of the thread that opens them, docs/kernel.md).
 */
public final class KernelSources implements AutoCloseable {
    static final String TRACEFS = "tracefs";
    /** The sampled sources' mark in the log: their samples come in together. */
    static final String SAMPLES = "samples";
    /** The sampler's sources whose readings a sample carries. */
    private static final List<String> SAMPLED = List.of(SourceStatus.SOCK_DIAG,
            SourceStatus.NETSTAT, SourceStatus.SNMP);
    /**
     * How often traced events are moved into the log. Events reach the reader within
     * microseconds of the packet (docs/kernel.md); the pump's period is what a verdict may
     * wait for them.
     */
    private static final long PUMP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * Events still in the kernel's buffer when tracing stops are lost: the last packets'
     * events get this long to come through first.
     */
    private static final long TRACE_TAIL_MILLIS = 300;

    private final KernelLog log;
    private final TraceEvents trace;
    private final KernelSampler sampler;
    private final Thread pump;
    private volatile boolean stopping;
    private boolean closed;

    private KernelSources(KernelLog log, TraceEvents trace, KernelSampler sampler) {
        this.log = log;
        this.trace = trace;
        this.sampler = sampler;
        this.pump = new Thread(this::pumpLoop, "synscope-kernel-pump");
        pump.setDaemon(true);
    }

    /**
     * Starts every source, into {@code log}.
     *
     * @param netns the captured namespace as {@code --netns} named it, or null for this
     *              thread's own
     * @param local the captured namespace's own addresses: traced events are global to the
     *              host, and only those that involve these are kept
     */
    public static KernelSources start(KernelLog log, String netns,
                                      Collection<InetAddress> local) {
        KernelSampler sampler = startSampler(log, netns == null ? KernelConfig.defaults()
                : KernelConfig.defaults().withNetns(netns));
        TraceEvents trace = TraceEvents.open(TraceConfig.defaults(), TraceEvents.involving(local));
        boolean tracing = trace.running();
        for (TraceStatus s : trace.statuses()) {
            if (!s.available() && (s.source().equals(TRACEFS) || !tracing)) {
                log.sourceMissing(TRACEFS, s.source() + ": " + s.why());
            }
        }
        if (tracing) {
            log.sourceAvailable(TRACEFS);
            log.follow(TRACEFS);
        }
        KernelSources sources = new KernelSources(log, trace, sampler);
        sources.pump.start();
        return sources;
    }

    /**
     * Starts the sampled sources (listen queues, SYN_RECV counts, sysctls, counters) into
     * {@code log}, as a live capture does: the tests that hold the sampled evidence against
     * {@code ss} and {@code nstat} start them here, so they check what the reports show.
     * Close the sampler to take its last sample.
     */
    static KernelSampler startSampler(KernelLog log, KernelConfig config) {
        Set<String> sampling = ConcurrentHashMap.newKeySet();
        sampling.addAll(SAMPLED);
        KernelSampler sampler = KernelSampler.start(config, s -> {
            if (!s.available()) {
                log.sourceMissing(s.name(), s.why());
                // Nothing to wait for once no sampled source is left (the sink failed, or
                // every source did): verdicts must not wait for samples that never come.
                if (s.name().equals(SourceStatus.SAMPLE_SINK)
                        || sampling.remove(s.name()) && sampling.isEmpty()) {
                    log.unfollow(SAMPLES);
                }
            }
        }, new SampleSink() {
            @Override
            public void sample(long tsNanos) {
                log.sample(tsNanos);
            }

            @Override
            public void listener(byte[] address, int port, int acceptQueue, int backlog,
                                 int synRecv) {
                log.listener(address, port, acceptQueue, backlog, synRecv);
            }

            @Override
            public void counter(String name, long value) {
                log.counter(name, value);
            }

            @Override
            public void sampled(long tsNanos) {
                // A listener missing from a sample whose listeners were not read is no
                // closed listener.
                log.endSample(sampling.contains(SourceStatus.SOCK_DIAG));
                log.advanceTo(SAMPLES, tsNanos);
            }
        });
        KernelReport first = sampler.snapshot();
        first.sysctls().forEach(log::sysctl);
        for (SourceStatus s : first.sources()) {
            if (s.available()) {
                log.sourceAvailable(s.name());
            } else {
                log.sourceMissing(s.name(), s.why());
                sampling.remove(s.name());
            }
        }
        if (!sampling.isEmpty()) {
            log.follow(SAMPLES);
        }
        return sampler;
    }

    private void pumpLoop() {
        List<KernelEvent> batch = new ArrayList<>();
        while (!stopping) {
            // Whatever the reader had before this moment is in the store now.
            long upTo = System.currentTimeMillis() * 1_000_000L;
            moveEvents(batch);
            log.advanceTo(TRACEFS, upTo);
            try {
                TimeUnit.NANOSECONDS.sleep(PUMP_NANOS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void moveEvents(List<KernelEvent> batch) {
        batch.clear();
        trace.drainTo(batch);
        for (KernelEvent e : batch) {
            if (e.event().equals(KernelEvent.SEND_RESET) && e.src() != null && e.dst() != null) {
                log.reset(e.tsNanos(), e.src().getAddress(), e.srcPort(), e.dst().getAddress(),
                        e.dstPort(), e.state(), e.reason());
            }
        }
    }

    /** Stops the sources, after the last events had time to come through; once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (trace.running()) {
            try {
                Thread.sleep(TRACE_TAIL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopping = true;
        pump.interrupt();
        try {
            pump.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        trace.close();
        moveEvents(new ArrayList<>());
        log.unfollow(TRACEFS);
        // Its last sample is the capture's end.
        sampler.close();
        log.unfollow(SAMPLES);
    }
}
