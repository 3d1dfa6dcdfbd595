package io.synscope.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the kernel sampler is doing so far: an immutable snapshot. What the kernel said (queues,
 * counters) is not here: it goes to the {@link SampleSink} at every sample.
 *
 * @param sources              every source, available or not and why, in a fixed order
 * @param sysctls              the sysctls read at start ({@code net.core.somaxconn} → 4096), those
 *                             that could be read
 * @param listenersNotKept     the most open listening sockets one sample listed beyond
 *                             {@link KernelConfig#maxListeners}
 * @param closedListenersDropped closed listeners forgotten to make room for new ones
 * @param samples              samples taken
 * @param lateSamples          samples due while the previous one was still running or the thread
 *                             was not scheduled: skipped, not queued
 * @param firstSampleNanos     CLOCK_REALTIME of the first sample, 0 before it
 * @param lastSampleNanos      of the latest
 * @param samplerCpuNanos      CPU time the sampler thread has used (-1 when the JVM cannot tell)
 */
public record KernelReport(
        List<SourceStatus> sources,
        Map<String, Long> sysctls,
        int listenersNotKept,
        long closedListenersDropped,
        long samples,
        long lateSamples,
        long firstSampleNanos,
        long lastSampleNanos,
        long samplerCpuNanos) {

    public KernelReport {
        sources = List.copyOf(sources);
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
    }

    /** The source of that name ({@link SourceStatus#SOCK_DIAG} …), if the sampler has it. */
    public Optional<SourceStatus> source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
