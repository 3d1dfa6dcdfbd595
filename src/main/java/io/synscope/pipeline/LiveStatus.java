package io.synscope.pipeline;

import io.synscope.capture.CaptureStats;

import java.util.Map;

/**
 * A live capture's state at one moment, reported every few seconds: what a status line or an
 * ndjson {@code status} record shows.
 *
 * @param timeNanos         wall-clock time of the report
 * @param frames            frames read since the start
 * @param tcpSegments       of which TCP segments
 * @param framesPerSecond   frames read per second since the previous report
 * @param openConnections   connections being followed now
 * @param connectionsSeen   connections started since the start
 * @param stats             libpcap's counts now (kernel drops), or null if it cannot tell
 * @param kernelCounters    the failure-related kernel counters' rises since the capture
 *                          started ({@link KernelSummary#FAILURE_COUNTERS}); empty without
 *                          kernel evidence
 */
public record LiveStatus(long timeNanos, long frames, long tcpSegments, double framesPerSecond,
                         long openConnections, long connectionsSeen, CaptureStats stats,
                         Map<String, Long> kernelCounters) {
    public LiveStatus {
        kernelCounters = Map.copyOf(kernelCounters);
    }
}
