package io.synscope.pipeline;

import io.synscope.capture.CapturePart;
import io.synscope.capture.CaptureStats;
import io.synscope.decode.SkipReason;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What was read: the capture's identity, how much of it, what was skipped and why, and the
 * warnings. Counts of skipped frames are keyed by {@link SkipReason#key()}.
 *
 * @param decodeProblems the first few malformed or truncated frames, each "frame N offset M: why"
 * @param latePackets    TCP segments that trailed a connection already closed or reset (a second
 *                       RST, a retransmitted ACK) and so were not analysed
 * @param duplicatePackets TCP segments captured twice (same packet, microseconds apart), counted
 *                       once
 * @param stats          what the capture lost (libpcap's counts for a live capture, a pcapng
 *                       statistics block for a file), or null when the source does not know
 * @param kernel         what the kernel said over the capture, or null without kernel evidence
 * @param files          the files read, in time order: one for a single file (or stdin, or an
 *                       interface), several when {@code analyze} merged them
 */
public record CaptureInfo(
        String name,
        String format,
        long frames,
        long tcpSegments,
        Map<String, Long> skipped,
        long firstTsNanos,
        long lastTsNanos,
        List<String> linkTypes,
        List<String> warnings,
        List<String> decodeProblems,
        long connections,
        long peakOpenConnections,
        long latePackets,
        long duplicatePackets,
        CaptureStats stats,
        KernelSummary kernel,
        List<CapturePart> files) {

    public CaptureInfo {
        skipped = Map.copyOf(skipped);
        linkTypes = List.copyOf(linkTypes);
        warnings = List.copyOf(warnings);
        decodeProblems = List.copyOf(decodeProblems);
        files = List.copyOf(files);
    }

    /** The skipped counts described in words ("not TCP", …), in {@link SkipReason}'s order. */
    public Map<String, Long> skippedByDescription() {
        Map<String, Long> described = new LinkedHashMap<>();
        for (SkipReason r : SkipReason.values()) {
            Long n = skipped.get(r.key());
            if (n != null) {
                described.put(r.description(), n);
            }
        }
        return described;
    }

    public long skippedTotal() {
        long total = 0;
        for (long n : skipped.values()) {
            total += n;
        }
        return total;
    }
}
