package io.synscope.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kernel sampler has seen so far: an immutable snapshot.
 *
 * @param sources              every source, available or not and why, in a fixed order
 * @param sysctls              the sysctls read at start ({@code net.core.somaxconn} → 4096), those
 *                             that could be read
 * @param counters             how much each Tcp ({@code /proc/net/snmp}) and TcpExt
 *                             ({@code /proc/net/netstat}) counter moved from the first sample to the
 *                             last, in file order, quiet ones included; a name in both groups
 *                             (none on Linux 6.18) is kept as {@code TcpName} for the Tcp one
 * @param listeners            every listening socket seen, in the order first seen
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
        Map<String, Long> counters,
        List<ListenerStats> listeners,
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
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
        listeners = List.copyOf(listeners);
    }

    /** The source of that name ({@link SourceStatus#SOCK_DIAG} …), if the sampler has it. */
    public Optional<SourceStatus> source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The listeners on {@code ip} and {@code port} (several with SO_REUSEPORT, or over time). */
    public List<ListenerStats> listeners(String ip, int port) {
        return listeners.stream().filter(l -> l.port() == port && l.ip().equals(ip)).toList();
    }
}
