package io.synscope.diagnose;

import io.synscope.capture.CaptureException;
import io.synscope.capture.LinkType;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.decode.PacketDecoder;
import io.synscope.decode.SkipReason;
import io.synscope.decode.TcpSegment;
import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.FlowTracker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The whole pipeline for one packet stream: read, decode, track, classify, hand results to a
 * sink as connections are decided. A file and a live capture differ only in their
 * {@link PacketSource}.
 */
public final class Analyzer {
    /** Malformed frames described individually; the rest are only counted. */
    private static final int MAX_DECODE_PROBLEMS = 10;

    private final AnalysisConfig config;

    public Analyzer(AnalysisConfig config) {
        this.config = config;
    }

    /**
     * Reads {@code source} to its end and returns what was read; results went to {@code sink},
     * then {@link AnalysisSink#onFinish} was called.
     *
     * @throws CaptureException when the capture cannot be read, or holds no frame of a link type
     *                          synscope decodes
     * @throws IOException      when the sink fails to write
     */
    public CaptureInfo run(PacketSource source, AnalysisSink sink)
            throws CaptureException, IOException {
        return run(source, sink, () -> false);
    }

    /**
     * As {@link #run(PacketSource, AnalysisSink)}, stopping early (with a warning, and a full
     * report of what was read) once {@code stopRequested} says so, e.g. on Ctrl-C. A capture
     * that turns out corrupt part-way is reported up to the damage, then the
     * {@link CaptureException} is thrown so the caller can exit with its code.
     */
    public CaptureInfo run(PacketSource source, AnalysisSink sink, BooleanSupplier stopRequested)
            throws CaptureException, IOException {
        Diagnoser diagnoser = new Diagnoser(config, sink);
        FlowTracker tracker = new FlowTracker(config, diagnoser);
        PacketDecoder decoder = new PacketDecoder();
        RawPacket raw = new RawPacket();
        TcpSegment segment = new TcpSegment();
        long[] skipped = new long[SkipReason.values().length];
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        BitSet linkTypes = new BitSet();
        long frames = 0;
        long segments = 0;
        long firstTs = Long.MAX_VALUE;
        long lastTs = Long.MIN_VALUE;
        CaptureException damage = null;
        try {
            while (true) {
                if ((frames & 0xFFF) == 0 && stopRequested.getAsBoolean()) {
                    warnings.add("interrupted after " + frames + " frames: this report covers"
                            + " what was read until then");
                    break;
                }
                try {
                    if (!source.next(raw)) {
                        break;
                    }
                } catch (CaptureException e) {
                    if (frames == 0) {
                        throw e;
                    }
                    damage = e;
                    warnings.add("stopped at " + e.describe() + "; analysed the " + frames
                            + " frames before it");
                    break;
                }
                frames++;
                long ts = raw.tsNanos;
                if (ts < firstTs) {
                    firstTs = ts;
                }
                if (ts > lastTs) {
                    lastTs = ts;
                }
                linkTypes.set(raw.linkType);
                SkipReason skip = decoder.decode(raw, segment);
                if (skip == null) {
                    segments++;
                    tracker.accept(segment);
                } else {
                    skipped[skip.ordinal()]++;
                    if ((skip == SkipReason.MALFORMED || skip == SkipReason.TRUNCATED)
                            && problems.size() < MAX_DECODE_PROBLEMS) {
                        problems.add("frame " + raw.frameNumber + " byte "
                                + decoder.lastProblemOffset() + ": " + decoder.lastProblem());
                    }
                }
            }
            if (frames > 0 && skipped[SkipReason.UNSUPPORTED_LINK_TYPE.ordinal()] == frames) {
                throw new CaptureException(CaptureException.Kind.UNSUPPORTED_LINK_TYPE,
                        source.name(), -1, "every frame has a link type synscope cannot decode ("
                        + linkNames(linkTypes) + "); supported: ethernet, linux-sll,"
                        + " linux-sll2, raw, ipv4, ipv6, null, loop, ipoib");
            }
            tracker.finish();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, Long> skippedByReason = new LinkedHashMap<>();
        for (SkipReason r : SkipReason.values()) {
            if (skipped[r.ordinal()] > 0) {
                skippedByReason.put(r.key(), skipped[r.ordinal()]);
            }
        }
        List<String> links = new ArrayList<>();
        linkTypes.stream().forEach(t -> links.add(LinkType.name(t)));
        List<String> allWarnings = new ArrayList<>(source.warnings());
        allWarnings.addAll(warnings);
        CaptureInfo info = new CaptureInfo(source.name(), source.format(), frames, segments,
                skippedByReason, frames == 0 ? 0 : firstTs, frames == 0 ? 0 : lastTs, links,
                allWarnings, problems, tracker.connectionsSeen(),
                tracker.peakOpenConnections(), tracker.latePackets(), tracker.duplicatePackets());
        sink.onFinish(info, diagnoser.summary());
        if (damage != null) {
            throw damage;
        }
        return info;
    }

    private static String linkNames(BitSet linkTypes) {
        StringBuilder sb = new StringBuilder();
        linkTypes.stream().forEach(t -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(LinkType.name(t)).append(" (").append(t).append(')'));
        return sb.toString();
    }
}
