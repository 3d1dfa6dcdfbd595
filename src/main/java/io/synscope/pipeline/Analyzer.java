package io.synscope.pipeline;

import io.synscope.capture.CaptureException;
import io.synscope.capture.CapturePart;
import io.synscope.capture.CaptureStats;
import io.synscope.capture.LinkType;
import io.synscope.capture.PacketSource;
import io.synscope.capture.Poll;
import io.synscope.capture.RawPacket;
import io.synscope.decode.PacketDecoder;
import io.synscope.decode.SkipReason;
import io.synscope.decode.TcpSegment;
import io.synscope.diagnose.ClassifierConfig;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.KernelView;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.SummaryBuilder;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.ShardedTracker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The whole pipeline for one packet stream: read, decode, track, classify, hand results to a
 * sink as connections are decided. A file and a live capture differ only in their
 * {@link PacketSource}, and in one thing the reading loop does for a {@link PacketSource#live()}
 * one: a few times a second, packets or not, it moves the trackers' time on and hands over what
 * they hold ({@link ShardedTracker#advanceTo}), so that a verdict reaches the sink within a
 * fraction of a second of being decided, and a connection whose window elapses on a quiet link
 * is decided then; and every {@link #statusEveryNanos} it reports a {@link LiveStatus}.
 */
public final class Analyzer {
    /** Malformed frames described individually; the rest are only counted. */
    private static final int MAX_DECODE_PROBLEMS = 10;
    /**
     * How often a live capture's reading loop moves time on and hands partly filled batches
     * over: verdicts wait at most this long in the pipeline (the target is a second from the
     * deciding packet to the output).
     */
    private static final long LIVE_TICK_NANOS = 100_000_000;

    private final AnalysisConfig config;
    private final ClassifierConfig classifierConfig = ClassifierConfig.defaults();
    private final int shards;
    private long statusEveryNanos = 1_000_000_000;
    /** What the kernel said, or null without kernel evidence. */
    private KernelLog kernel;
    /** A live run's kernel sources, stopped once the last connection is decided; or null. */
    private AutoCloseable kernelSources;
    /** Told how reading a file goes, or null. */
    private Progress progress;

    /**
     * How far reading a file has got: told every few thousand frames on the reading thread
     * (where the source can be asked how many bytes it has read), and once at the end of reading,
     * before the connections still open are decided and the report is written.
     */
    public interface Progress {
        void read(PacketSource source, long frames);

        void done();
    }

    /** An analyser on {@link #defaultShards(int)} threads for this machine's processors. */
    public Analyzer(AnalysisConfig config) {
        this(config, defaultShards(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Threads for {@code processors}: one tracking thread per processor besides the reading one,
     * which then tracks nothing ({@code ShardedTracker}'s caller share is none from three threads
     * on), and the scheduler gives each thread what its share of the work needs. With as many
     * threads as processors the reading thread also tracks a fixed share, which suits one shape of
     * capture only: on 2 processors, 3 threads took the state-heavy bench capture's text report
     * from 6.69 to 5.44 s (median of 5 alternating runs; its tracking costs far more per packet
     * than reading) and left the benchmark capture's the same (1.74 against 1.77 s); CPU the
     * same in that quiet hour, 7 % more in a busy one (bench/README.md, "Threads"). One
     * processor gets one thread: a second would only hand packets over.
     */
    private static int defaultShards(int processors) {
        return processors == 1 ? 1 : processors + 1;
    }

    /**
     * @param shards tracker threads (1: everything on the caller's thread); verdicts do not
     *               depend on it, only the order in which the sink gets connections does
     */
    public Analyzer(AnalysisConfig config, int shards) {
        this.config = config;
        this.shards = shards;
    }

    /** Tells {@code progress} how reading a file goes (not a live capture). */
    public Analyzer progress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /** How often a live capture reports its {@link LiveStatus} to the sink (default 1 s). */
    public Analyzer statusEveryNanos(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("status interval " + nanos);
        }
        this.statusEveryNanos = nanos;
        return this;
    }

    /**
     * Kernel evidence for the capture: a file's, complete ({@link KernelDocument}), or a live
     * run's, filled while it runs (then each verdict waits for its evidence, see
     * {@link Diagnoser}). Its summary goes into {@link CaptureInfo#kernel()}.
     */
    public Analyzer kernel(KernelLog log) {
        this.kernel = log;
        return this;
    }

    /**
     * As {@link #kernel(KernelLog)} for a live run whose {@code sources} fill the log: they are
     * stopped after the last connection is decided and before the summary is built, so that the
     * summary and the file {@code -w} writes hold the same evidence, the last sample included.
     */
    public Analyzer kernel(KernelLog log, AutoCloseable sources) {
        this.kernel = log;
        this.kernelSources = sources;
        return this;
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
        // Shards call the sink from their own threads: one at a time, through this lock.
        AnalysisSink shared = shards == 1 ? sink : new SynchronizedSink(sink);
        Diagnoser[] diagnosers = new Diagnoser[shards];
        for (int i = 0; i < shards; i++) {
            diagnosers[i] = new Diagnoser(classifierConfig, shared,
                    kernel != null ? kernel : KernelView.NONE,
                    kernel != null && source.live() ? kernel : null);
        }
        ShardedTracker tracker = new ShardedTracker(config, shards, i -> diagnosers[i]);
        Frames frames = new Frames(tracker, shared);
        try {
            if (source.live()) {
                frames.readLive(source, stopRequested, new Clock(source, tracker, shared));
            } else {
                try {
                    frames.readAll(source, stopRequested, progress);
                } finally {
                    if (progress != null) {
                        progress.done();
                    }
                }
            }
            if (frames.count > 0
                    && frames.skipped[SkipReason.UNSUPPORTED_LINK_TYPE.ordinal()] == frames.count) {
                throw new CaptureException(CaptureException.Kind.UNSUPPORTED_LINK_TYPE,
                        source.name(), -1, "every frame has a link type synscope cannot decode ("
                        + linkNames(frames.linkTypes) + "); supported: ethernet, linux-sll,"
                        + " linux-sll2, raw, ipv4, ipv6, null, loop, ipoib");
            }
            long endNanos = source.endNanos();
            tracker.finish(endNanos == Long.MIN_VALUE ? endNanos : inTimeRange(endNanos));
            stopKernelSources();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (ShardedTracker.ShardFailure e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        } finally {
            tracker.close();
        }
        Map<String, Long> skippedByReason = new LinkedHashMap<>();
        for (SkipReason r : SkipReason.values()) {
            if (frames.skipped[r.ordinal()] > 0) {
                skippedByReason.put(r.key(), frames.skipped[r.ordinal()]);
            }
        }
        List<String> links = new ArrayList<>();
        frames.linkTypes.stream().forEach(t -> links.add(LinkType.name(t)));
        List<String> allWarnings = new ArrayList<>(source.warnings());
        allWarnings.addAll(frames.warnings);
        frames.addTimeWarnings(allWarnings);
        CaptureStats stats = source.stats();
        if (stats != null && stats.kernelDrops() > 0) {
            allWarnings.add(dropWarning(stats));
        }
        if (tracker.decidedEarly() > 0) {
            allWarnings.add(memoryCapWarning(tracker.decidedEarly(), config.maxOpenConnections()));
        }
        boolean any = frames.count > 0;
        List<CapturePart> files = source.parts().isEmpty()
                ? List.of(new CapturePart(source.name(), source.format(), frames.count,
                any ? 1 : 0, frames.count, any ? frames.firstTs : 0, any ? frames.lastTs : 0))
                : source.parts();
        CaptureInfo info = new CaptureInfo(source.name(), source.format(), frames.count,
                frames.segments, skippedByReason, any ? frames.firstTs : 0,
                any ? frames.lastTs : 0, links, allWarnings, frames.problems,
                tracker.connectionsSeen(), tracker.peakOpenConnections(), tracker.latePackets(),
                tracker.duplicatePackets(), stats, kernel != null ? kernel.summary() : null, files);
        SummaryBuilder summary = new SummaryBuilder();
        for (Diagnoser d : diagnosers) {
            summary.merge(d.counts());
        }
        sink.onFinish(info, summary.build(classifierConfig));
        if (frames.damage == null) {
            frames.damage = source.damage();
        }
        if (frames.damage != null) {
            throw frames.damage;
        }
        return info;
    }

    private void stopKernelSources() {
        if (kernelSources != null) {
            try {
                kernelSources.close();
            } catch (Exception e) {
                // Nothing of the run is lost: the summary says what the sources gave.
                kernel.sourceMissing("kernel sources", "did not stop cleanly: " + e);
            }
        }
    }

    /**
     * Said plainly, because a lost packet changes verdicts: a lost SYN-ACK reads as a dropped
     * SYN, a lost ACK as an ignored one.
     */
    static String dropWarning(CaptureStats stats) {
        return "the kernel dropped " + stats.kernelDrops() + " of " + stats.received()
                + " packets before the capture could read them: verdicts of connections that"
                + " lost packets may be wrong. To lose fewer, capture less (a narrower filter,"
                + " e.g. 'tcp port 8080'), keep the snap length small, or raise the buffer"
                + " (synscope live: -f, -s, -B)";
    }

    /**
     * Said plainly, because those verdicts were judged before their retry window ended (an
     * unanswered SYN less than 3 s old reads as incomplete), and a retry that came after its
     * connection was decided counts as a connection of its own.
     */
    static String memoryCapWarning(long decidedEarly, long maxOpen) {
        return decidedEarly + " connections were decided early (decided_by memory-cap): more than "
                + maxOpen + " were open at once, the most this heap holds; the oldest half-open"
                + " ones went first. Their verdicts were judged before their retry window ended,"
                + " a retry after that counts as a new connection, and which ones went first"
                + " depends on --threads (each thread holds its share). More heap follows more:"
                + " SYNSCOPE_JAVA_OPTS=-Xmx4g";
    }

    /**
     * A live capture's clock: moves the trackers' time on and reports status, on the reading
     * thread, every {@link #LIVE_TICK_NANOS}. While packets flow, the latest packet's timestamp
     * says when a tick is due, which costs nothing to read (a {@code clock_gettime} per packet
     * was 3 % of the reader's time at top speed, bench/README.md); on a quiet link, and every
     * {@link #CLOCK_CHECK_FRAMES} frames in case the wall clock was stepped back, the monotonic
     * clock does.
     */
    private final class Clock {
        private static final int CLOCK_CHECK_FRAMES = 1024;
        private final PacketSource source;
        private final ShardedTracker tracker;
        private final AnalysisSink sink;
        private long nextTickPacketNanos = Long.MIN_VALUE;
        private long nextTickMonotonic = System.nanoTime();
        private long nextStatusMonotonic = System.nanoTime() + statusEveryNanos;
        private long lastStatusMonotonic = System.nanoTime();
        private long framesAtLastStatus;
        private int framesSinceClockCheck;

        Clock(PacketSource source, ShardedTracker tracker, AnalysisSink sink) {
            this.source = source;
            this.tracker = tracker;
            this.sink = sink;
        }

        /**
         * @param quiet         whether the source just found no packet waiting: then every
         *                      packet stamped before now has been read, and time may move to the
         *                      wall clock; otherwise only to the latest packet's time
         * @param latestTsNanos the latest packet time read so far
         */
        void tick(boolean quiet, long latestTsNanos, Frames frames) throws IOException {
            if (!quiet && latestTsNanos < nextTickPacketNanos
                    && ++framesSinceClockCheck < CLOCK_CHECK_FRAMES) {
                return;
            }
            framesSinceClockCheck = 0;
            long monotonic = System.nanoTime();
            if (monotonic < nextTickMonotonic && latestTsNanos < nextTickPacketNanos) {
                return;
            }
            nextTickMonotonic = monotonic + LIVE_TICK_NANOS;
            nextTickPacketNanos = latestTsNanos + LIVE_TICK_NANOS;
            long now = quiet ? source.nowNanos() : latestTsNanos;
            tracker.advanceTo(Math.max(now, latestTsNanos));
            if (monotonic >= nextStatusMonotonic) {
                double seconds = (monotonic - lastStatusMonotonic) / 1e9;
                sink.onStatus(new LiveStatus(source.nowNanos(), frames.count, frames.segments,
                        (frames.count - framesAtLastStatus) / seconds, tracker.openConnections(),
                        tracker.connectionsSeen(), source.stats(),
                        kernel != null ? kernel.failureCounterRises() : Map.of()));
                framesAtLastStatus = frames.count;
                lastStatusMonotonic = monotonic;
                nextStatusMonotonic = monotonic + statusEveryNanos;
            }
        }
    }

    /**
     * The latest time a frame may have: 2^32 seconds after the epoch (2106-02-07 06:28:16 UTC),
     * the end of what a pcap file can express. Timestamps are kept between the epoch and this,
     * so that any two differ by less than 2^62 ns: every duration, and every window derived from
     * one (a quarter more than a handshake's span, plus 3 s), fits a long. Only a pcapng file (a
     * 64-bit timestamp, an offset) or a damaged one reaches beyond.
     */
    static final long MAX_TS_NANOS = (1L << 32) * 1_000_000_000L - 1;

    /** {@code tsNanos} moved into [0, {@link #MAX_TS_NANOS}]. */
    public static long inTimeRange(long tsNanos) {
        return Math.max(0, Math.min(tsNanos, MAX_TS_NANOS));
    }

    /** Reads the frames: decodes, counts, hands segments to the tracker. */
    private static final class Frames {
        private final ShardedTracker tracker;
        /** Told the first frame's time: {@link AnalysisSink#onCaptureStart}. */
        private final AnalysisSink sink;
        private final PacketDecoder decoder = new PacketDecoder();
        private final TcpSegment segment = new TcpSegment();
        /** The last frame's link type: the set is written only when it changes. */
        private int lastLinkType = -1;
        final long[] skipped = new long[SkipReason.values().length];
        final List<String> problems = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        /** Where the capture turned out corrupt part-way, or null. */
        CaptureException damage;
        final BitSet linkTypes = new BitSet();
        long count;
        long segments;
        long firstTs = Long.MAX_VALUE;
        long lastTs = Long.MIN_VALUE;
        /** Frames older than the latest frame before them; the first one, and by how much. */
        long framesBack;
        long firstBackFrame;
        long firstBackNanos;
        /** Frames whose time was outside [0, MAX_TS_NANOS]; the first one, and its time. */
        long framesOutOfRange;
        long firstOutOfRangeFrame;
        long firstOutOfRangeNanos;

        Frames(ShardedTracker tracker, AnalysisSink sink) {
            this.tracker = tracker;
            this.sink = sink;
        }

        /**
         * Reads {@code source} to its end, or until {@code stopRequested} says so, or until it
         * turns out corrupt part-way ({@link #damage}; the frames before it stand).
         *
         * @throws CaptureException when not even the first frame can be read
         */
        void readAll(PacketSource source, BooleanSupplier stopRequested, Progress progress)
                throws CaptureException {
            RawPacket raw = new RawPacket();
            while (true) {
                if ((count & 0xFFF) == 0) {
                    if (stopRequested.getAsBoolean()) {
                        warnings.add("interrupted after " + count + " frames: this report covers"
                                + " what was read until then");
                        return;
                    }
                    if (progress != null) {
                        progress.read(source, count);
                    }
                }
                try {
                    if (!source.next(raw)) {
                        return;
                    }
                } catch (CaptureException e) {
                    if (count == 0) {
                        throw e;
                    }
                    damage = e;
                    warnings.add("stopped at " + e.describe() + "; analysed the " + count
                            + " frames before it");
                    return;
                }
                accept(raw);
            }
        }

        /**
         * Reads a live source until it ends (stopped, or {@code stopRequested}), ticking
         * {@code clock} after every frame and every quiet wait. A failure part-way (the
         * interface went away) is {@link #damage}, as in a file.
         */
        void readLive(PacketSource source, BooleanSupplier stopRequested, Clock clock)
                throws CaptureException, IOException {
            RawPacket raw = new RawPacket();
            while (!stopRequested.getAsBoolean()) {
                Poll p;
                try {
                    p = source.poll(raw, LIVE_TICK_NANOS);
                } catch (CaptureException e) {
                    damage = e;
                    warnings.add(e.getMessage() + "; this report covers the " + count
                            + " frames captured before");
                    return;
                }
                if (p == Poll.END) {
                    return;
                }
                if (p == Poll.FRAME) {
                    accept(raw);
                }
                clock.tick(p == Poll.NONE, lastTs, this);
            }
        }

        private void captureStart(long ts) {
            try {
                sink.onCaptureStart(ts);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * What one frame costs: decode, count, hand to the tracker. A method of its own, not
         * the body of the read loop, so the JIT compiles it early and whole instead of waiting
         * to replace the long-running loop.
         */
        private void accept(RawPacket raw) {
            count++;
            long ts = raw.tsNanos;
            if (Long.compareUnsigned(ts, MAX_TS_NANOS) > 0) {
                ts = outOfRange(raw);
            }
            if (ts < firstTs) {
                if (count == 1) {
                    captureStart(ts);
                }
                firstTs = ts;
            }
            if (ts > lastTs) {
                lastTs = ts;
            } else if (ts < lastTs) {
                wentBack(raw.frameNumber, lastTs - ts);
            }
            if (raw.linkType != lastLinkType) {
                lastLinkType = raw.linkType;
                linkTypes.set(lastLinkType);
            }
            SkipReason skip = decoder.decode(raw, segment);
            if (skip == null) {
                segments++;
                tracker.accept(segment);
                return;
            }
            skipped[skip.ordinal()]++;
            if ((skip == SkipReason.MALFORMED || skip == SkipReason.TRUNCATED)
                    && problems.size() < MAX_DECODE_PROBLEMS) {
                problems.add("frame " + raw.frameNumber + " byte " + decoder.lastProblemOffset()
                        + ": " + decoder.lastProblem());
            }
        }

        /**
         * Counts a frame older than one before it. The trackers keep the capture's clock
         * ({@link ShardedTracker}), so the verdicts do not depend on it beyond this warning.
         */
        private void wentBack(long frame, long byNanos) {
            if (framesBack++ == 0) {
                firstBackFrame = frame;
                firstBackNanos = byNanos;
            }
        }

        /** Moves a frame's time into range, counts it, and returns the new time. */
        private long outOfRange(RawPacket raw) {
            if (framesOutOfRange++ == 0) {
                firstOutOfRangeFrame = raw.frameNumber;
                firstOutOfRangeNanos = raw.tsNanos;
            }
            raw.tsNanos = inTimeRange(raw.tsNanos);
            return raw.tsNanos;
        }

        /** The warnings about the frames' time, if it went back or out of range. */
        void addTimeWarnings(List<String> warnings) {
            if (framesOutOfRange > 0) {
                warnings.add(framesOutOfRange + (framesOutOfRange == 1 ? " frame has a"
                        : " frames have a") + " timestamp outside 1970-01-01 to 2106-02-07 UTC,"
                        + " the times a pcap file can hold (the first: frame "
                        + firstOutOfRangeFrame + ", " + Instant.EPOCH.plusNanos(firstOutOfRangeNanos)
                        + "): analysed as at the nearer end of that range, so that no duration"
                        + " overflows. The capture's clock, or the file, is broken");
            }
            if (framesBack > 0) {
                warnings.add("timestamps go backwards: " + framesBack
                        + (framesBack == 1 ? " frame is" : " frames are") + " older than a frame"
                        + " before them (the first: frame " + firstBackFrame + ", "
                        + seconds(firstBackNanos) + " before the latest time until then)."
                        + " Time in the analysis only moves forward: such a frame counts for its"
                        + " connection at its own time, and silences are judged from the latest"
                        + " time seen. Frames merged from several captures, or a clock that was"
                        + " stepped back, do this; reordercap (Wireshark) puts frames in time order");
            }
        }
    }

    /** Serialises a sink's calls for shards on several threads. */
    private record SynchronizedSink(AnalysisSink sink) implements AnalysisSink {
        @Override
        public boolean wants(Verdict v) {
            return sink.wants(v);
        }

        @Override
        public synchronized boolean keeps(Verdict v, long firstSeenNanos, long id) {
            return sink.keeps(v, firstSeenNanos, id);
        }

        @Override
        public synchronized void onCaptureStart(long firstFrameNanos) throws IOException {
            sink.onCaptureStart(firstFrameNanos);
        }

        @Override
        public synchronized void onConnection(ConnectionResult result) throws IOException {
            sink.onConnection(result);
        }

        @Override
        public synchronized void onJudged(HostPort server, Judgement judgement)
                throws IOException {
            sink.onJudged(server, judgement);
        }

        @Override
        public boolean judges() {
            return sink.judges();
        }

        @Override
        public synchronized void onStatus(LiveStatus status) throws IOException {
            sink.onStatus(status);
        }

        @Override
        public synchronized void onFinish(CaptureInfo capture, Summary summary)
                throws IOException {
            sink.onFinish(capture, summary);
        }
    }

    /** E.g. {@code "0.000250000 s"}, {@code "86400.500000000 s"}. */
    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%d.%09d s", nanos / 1_000_000_000L,
                nanos % 1_000_000_000L);
    }

    private static String linkNames(BitSet linkTypes) {
        StringBuilder sb = new StringBuilder();
        linkTypes.stream().forEach(t -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(LinkType.name(t)).append(" (").append(t).append(')'));
        return sb.toString();
    }
}
