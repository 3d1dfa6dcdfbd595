package io.synscope.kernel;

import java.nio.file.Path;
import java.util.List;

/**
 * The knobs of kernel tracing, in one place.
 *
 * @param tracefs        where tracefs is (or is mounted when that directory is empty)
 * @param events         the events to enable, {@code system/name} as tracefs lays them out
 *                       under {@code events/}: {@link #EVENTS} unless some are not wanted
 * @param bufferSizeKb   the instance's ring buffer per CPU (the kernel rounds it up to whole
 *                       pages), at most {@code bufferTotalKb} over all CPUs: the events wait
 *                       there while the reader is behind; beyond that the kernel overwrites the
 *                       oldest and says so ({@link TraceCounts#lostInKernel()}). 1 MiB holds
 *                       about 11,000 tcp_send_reset events; measured on 2 CPUs, a storm of
 *                       15,000–45,000 refused connections a second lost 0–10 % with it, 11–43 %
 *                       with 256 KiB (docs/kernel.md)
 * @param bufferTotalKb  the cap over all CPUs: kernel memory, taken while tracing runs
 * @param maxEvents      events kept in memory until the caller drains them; more are counted
 *                       ({@link TraceCounts#overCap()}), so a reset storm cannot grow memory
 * @param clocks         the trace clocks to use, in order of preference: the first this kernel
 *                       offers is used. {@code tai} follows CLOCK_REALTIME (slewing included)
 *                       plus a constant TAI offset, so one offset measured at start holds
 * @param calibrationMarkers markers written at start to measure the clock's offset; the one
 *                       whose write took least is used
 * @param calibrationMillis how long to wait for them to come back through trace_pipe
 */
public record TraceConfig(Path tracefs, List<String> events, int bufferSizeKb, int bufferTotalKb, int maxEvents,
                          List<String> clocks, int calibrationMarkers, long calibrationMillis) {
    /** The three events synscope reads. */
    public static final List<String> EVENTS = List.of("tcp/" + KernelEvent.SEND_RESET,
            "tcp/" + KernelEvent.RETRANSMIT_SYNACK, "skb/" + KernelEvent.KFREE_SKB);

    public TraceConfig {
        events = List.copyOf(events);
        clocks = List.copyOf(clocks);
    }

    public static final Path DEFAULT_TRACEFS = Path.of("/sys/kernel/tracing");

    public static TraceConfig defaults() {
        return new TraceConfig(DEFAULT_TRACEFS, EVENTS, 1024, 16 * 1024, 100_000,
                List.of("tai", "mono", "boot"), 8, 2_000);
    }

    public TraceConfig withTracefs(Path where) {
        return new TraceConfig(where, events, bufferSizeKb, bufferTotalKb, maxEvents, clocks,
                calibrationMarkers, calibrationMillis);
    }

    public TraceConfig withBufferSizeKb(int kbPerCpu) {
        return new TraceConfig(tracefs, events, kbPerCpu, bufferTotalKb, maxEvents, clocks,
                calibrationMarkers, calibrationMillis);
    }

    public TraceConfig withEvents(List<String> which) {
        return new TraceConfig(tracefs, which, bufferSizeKb, bufferTotalKb, maxEvents, clocks,
                calibrationMarkers, calibrationMillis);
    }

    public TraceConfig withMaxEvents(int max) {
        return new TraceConfig(tracefs, events, bufferSizeKb, bufferTotalKb, max, clocks,
                calibrationMarkers, calibrationMillis);
    }
}
