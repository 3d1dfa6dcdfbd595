package io.synscope.flow;

import io.synscope.decode.TcpSegment;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;

/**
 * Tracks connections on several threads: segments are split by 4-tuple (both directions of a
 * connection go to the same shard), and each shard is a {@link FlowTracker}. Shard 0 runs on the
 * caller's thread, which also reads and decodes, so it takes a smaller share of the connections
 * (see {@link #CALLER_READ_COST}); every other shard has a thread of its own, fed in batches
 * through a bounded queue. With one shard everything runs on the caller's thread.
 *
 * <p>Verdicts do not depend on the number of shards: a connection's packets all reach one
 * tracker in capture order, the caller learns listeners in capture order for all of them
 * ({@link ListenerBook}), connection ids are first frame numbers, and time is the capture's, not
 * a shard's: this class keeps the capture's clock (the latest packet time so far) and orders the
 * scans for silent connections by it, telling every shard at the point of its packet stream where
 * one tracker would have scanned, and telling a shard the clock before a packet of its own that
 * is older (timestamps that go backwards). Each shard thus decides every connection at the same
 * capture time, for the same reason, as one tracker would, even when a shard's own packets are
 * sparse or out of order. What does depend on the number of shards is the order in which decided
 * connections reach the listeners, and which thread calls them: each shard calls its own listener.
 *
 * <p>Call {@link #accept} and {@link #finish} from one thread.
 */
public final class ShardedTracker implements AutoCloseable {
    /**
     * Segments per hand-over to a shard's thread. 4096 measured 5 % faster than 1024 on the
     * benchmark capture (a quarter as many hand-overs, each a lock and often a wake-up), 16384
     * slower again; at 88 bytes a segment (see {@link Batch}) a shard's ten batches take 3.5 MiB.
     */
    private static final int BATCH = 4096;
    /** Batches in flight per shard: enough to ride out scheduling hiccups, little memory. */
    private static final int QUEUE_DEPTH = 8;

    /**
     * What reading, decoding and dispatching a packet cost the caller's thread, as a fraction of
     * what tracking it costs a shard: about a half, measured on the benchmark capture (whole
     * process, JIT warm-up included; per-thread CPU showed the two threads busy alike). The
     * caller's share s of the connections balances the threads when
     * {@code CALLER_READ_COST + s = (1 - s) / (n - 1)}: with two threads it takes a quarter, from
     * three on none. A third made it the bottleneck, with the other thread idle a third of the
     * time; no share at all made the other thread the bottleneck.
     */
    private static final double CALLER_READ_COST = 0.5;
    /** The hash's top bits pick one of this many units, each owned by one shard. */
    private static final int UNIT_BITS = 10;

    private final FlowTracker[] trackers;
    /** Index 0 is unused: shard 0 is the caller's. */
    private final Shard[] shards;
    private final int[] shardOfUnit = new int[1 << UNIT_BITS];
    /**
     * Shard 0's segments, tracked on the caller's thread a batch at a time like every other
     * shard's, so both threads run one compiled copy of the tracking loop
     * (docs/performance.md#j3-one-compiled-copy-of-the-tracking-loop).
     */
    private final Batch callerBatch = new Batch();
    private final ListenerBook listeners = new ListenerBook();
    /** The capture's clock: the latest packet time so far (or a live capture's later now). */
    private long clockNanos = Long.MIN_VALUE;
    private long nextScanNanos = Long.MIN_VALUE;
    /**
     * When {@link #moveClock} next looks at the scan schedule: every
     * {@link FlowTracker#SWEEP_INTERVAL_NANOS} of capture time, and never later than
     * {@link #nextScanNanos}.
     */
    private long nextTickNanos = Long.MIN_VALUE;
    private final long scanIntervalNanos;
    /** The clock as far as each shard knows it: from its own packets, or from being told. */
    private final long[] shardClockNanos;

    /**
     * @param listenerForShard the listener each shard calls, on that shard's thread (shard 0:
     *                         the caller's)
     */
    public ShardedTracker(AnalysisConfig config, int shardCount,
                          IntFunction<ConnectionListener> listenerForShard) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shards: " + shardCount);
        }
        scanIntervalNanos = config.expiryScanNanos();
        shardClockNanos = new long[shardCount];
        Arrays.fill(shardClockNanos, Long.MIN_VALUE);
        int units = shardOfUnit.length;
        int workers = shardCount - 1;
        double callerShare = Math.max(0, (1 - CALLER_READ_COST * workers) / shardCount);
        int callerUnits = (int) Math.round(callerShare * units);
        int[] unitsOfShard = new int[shardCount];
        unitsOfShard[0] = callerUnits;
        for (int u = callerUnits; u < units; u++) {
            shardOfUnit[u] = 1 + (int) ((long) (u - callerUnits) * workers / (units - callerUnits));
            unitsOfShard[shardOfUnit[u]]++;
        }
        trackers = new FlowTracker[shardCount];
        for (int i = 0; i < shardCount; i++) {
            // Each shard may hold its share of the open connections: the share of the hash
            // space it owns (a quarter for the caller's, with two threads).
            trackers[i] = new FlowTracker(config, listenerForShard.apply(i), listeners,
                    (double) unitsOfShard[i] / units);
        }
        shards = new Shard[shardCount];
        for (int i = 1; i < shardCount; i++) {
            shards[i] = new Shard(trackers[i], i);
            shards[i].start();
        }
    }

    /**
     * Feeds one segment; {@code s} is copied when it goes to another thread, so the caller may
     * reuse it at once.
     *
     * @throws ShardFailure when a shard's thread failed (its listener threw)
     */
    public void accept(TcpSegment s) {
        long hash = EndpointPairs.hash64(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort);
        long ts = s.tsNanos;
        if (ts > clockNanos) {
            moveClock(ts);
        }
        // For every shard, in capture order, before any shard sees the packet.
        listeners.learnFrom(s);
        // The top bits pick the shard; the tables inside a shard index by the low bits.
        int shard = shardOfUnit[(int) (hash >>> (64 - UNIT_BITS))];
        if (ts < clockNanos && shardClockNanos[shard] < clockNanos) {
            // Older than the capture's clock, which this shard has not seen yet: one tracker
            // would judge the packet (stragglers, silences) at the clock's time, so must this.
            tellClock(shard, false);
        }
        shardClockNanos[shard] = clockNanos;
        if (shard != 0) {
            shards[shard].add(s, hash);
        } else if (callerBatch.add(s, hash)) {
            callerBatch.trackInto(trackers[0]);
        }
    }

    /**
     * Moves the capture's clock on to {@code nanos}, later than it; when a scan for silent
     * connections is due, as it would be in one tracker, every shard is told to scan now.
     */
    private void moveClock(long nanos) {
        clockNanos = nanos;
        // Taken every millisecond of capture time from the first packets on, where a test for
        // the scan alone was first taken a second in and threw the compiled packet path away
        // (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
        if (nanos >= nextTickNanos) {
            tick(nanos);
        }
    }

    /** The scan, if due: at the same packet as without ticks, since a tick is never later. */
    private void tick(long nanos) {
        if (nanos >= nextScanNanos) {
            nextScanNanos = nanos + scanIntervalNanos;
            for (int i = 0; i < trackers.length; i++) {
                tellClock(i, true);
                shardClockNanos[i] = nanos;
            }
        }
        nextTickNanos = Math.min(nanos + FlowTracker.SWEEP_INTERVAL_NANOS, nextScanNanos);
    }

    /** Queues the capture's clock (and a scan) for {@code shard}, before its next packet. */
    private void tellClock(int shard, boolean scan) {
        if (shard != 0) {
            shards[shard].addClock(clockNanos, scan);
        } else if (callerBatch.addClock(clockNanos, scan)) {
            callerBatch.trackInto(trackers[0]);
        }
    }

    /**
     * Hands every shard what it has been given so far, partly filled batches included, and
     * moves its capture time on to {@code nowNanos} ({@link FlowTracker#advanceTo}): a live
     * capture calls this a few times a second, so that a verdict never waits for a batch to
     * fill or for the next packet. The shards decide on their own threads; this does not wait
     * for them.
     *
     * @throws ShardFailure when a shard's thread failed
     */
    public void advanceTo(long nowNanos) {
        if (nowNanos > clockNanos) {
            moveClock(nowNanos);
        }
        for (int i = 1; i < shards.length; i++) {
            shards[i].advanceTo(nowNanos);
        }
        callerBatch.trackInto(trackers[0]);
        trackers[0].advanceTo(nowNanos);
    }

    /**
     * Connections being followed right now, summed over the shards; read from the other
     * threads' trackers without a lock, so a moment stale, which a status line can afford.
     */
    public long openConnections() {
        return sum(FlowTracker::openConnections);
    }

    /**
     * Decides every connection still open and stops the shard threads; call once, at the end.
     *
     * @param captureEndNanos when the capture ended, if that is known to be after its last
     *                        packet (a live capture stopped on a quiet link); else any earlier time
     * @throws ShardFailure when a shard's thread failed
     */
    public void finish(long captureEndNanos) {
        long endNanos = Math.max(clockNanos, captureEndNanos);
        for (int i = 1; i < shards.length; i++) {
            shards[i].finish(endNanos);
        }
        callerBatch.trackInto(trackers[0]);
        trackers[0].finish(endNanos);
        ShardFailure failure = null;
        for (int i = 1; i < shards.length; i++) {
            Shard shard = shards[i];
            try {
                shard.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while finishing", e);
            }
            if (shard.failure != null && failure == null) {
                failure = new ShardFailure(shard.failure);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Stops the shard threads without deciding what is still open, for a run that failed part-way
     * (otherwise they would wait for packets forever); after {@link #finish} it does nothing.
     */
    public void close() {
        for (int i = 1; i < shards.length; i++) {
            shards[i].interrupt();
        }
    }

    /** Sum over shards of {@link FlowTracker#latePackets()}. */
    public long latePackets() {
        return sum(FlowTracker::latePackets);
    }

    public long duplicatePackets() {
        return sum(FlowTracker::duplicatePackets);
    }

    /** Sum over shards of {@link FlowTracker#decidedEarly()}. */
    public long decidedEarly() {
        return sum(FlowTracker::decidedEarly);
    }

    public long connectionsSeen() {
        return sum(FlowTracker::connectionsSeen);
    }

    /** The sum of the shards' peaks: exact with one shard, an upper bound with several. */
    public long peakOpenConnections() {
        return sum(FlowTracker::peakOpenConnections);
    }

    private long sum(ToLongFunction<FlowTracker> count) {
        long n = 0;
        for (FlowTracker t : trackers) {
            n += count.applyAsLong(t);
        }
        return n;
    }

    /** A shard's thread died; the cause is what its tracker or listener threw. */
    public static final class ShardFailure extends RuntimeException {
        ShardFailure(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Segments packed nine words apiece into one array: 72 bytes where a {@link TcpSegment}
     * object takes 112, and every byte of a batch crosses from the reading thread's core to the
     * tracking thread's. Per segment: tsNanos; frameNumber; srcLo; dstLo; seq | ack &lt;&lt; 32;
     * srcPort | dstPort &lt;&lt; 16 | window &lt;&lt; 32 | flags &lt;&lt; 48 | ipVersion &lt;&lt; 56 |
     * hasTimestamps &lt;&lt; 60 | HIGH_WORDS; payloadLength | ipId &lt;&lt; 32 | mss &lt;&lt; 48;
     * tsVal | tsEcr &lt;&lt; 32; the tuple's hash. The high words of the addresses, zero for
     * IPv4, have arrays of their own, written only when one is not zero. Ports, window, IP ID and
     * MSS are 16-bit fields and flags 8 bits on the wire, as the decoder fills them. An entry
     * with {@link #CLOCK} set is the capture's clock instead, in its first word.
     */
    static final class Batch {
        private static final int WORDS = 9;
        private static final long HIGH_WORDS = 1L << 61;
        /**
         * In the ports-and-flags word: not a segment but the capture's clock, in the first word,
         * for the tracker to move to before the next segment ({@link FlowTracker#moveClockTo}).
         */
        private static final long CLOCK = 1L << 62;
        /** With {@link #CLOCK}: and scan for silent connections then. */
        private static final long SCAN = 1L << 63;

        private final long[] words = new long[BATCH * WORDS];
        private final long[] srcHi = new long[BATCH];
        private final long[] dstHi = new long[BATCH];
        /** The segment being handed to the tracker: trackInto's alone. */
        private final TcpSegment unpacked = new TcpSegment();
        int count;
        /** Set on the last batch: the capture's last packet time, then the thread ends. */
        boolean last;
        long captureEndNanos;
        /**
         * Capture time to move the tracker on to after this batch ({@link #advanceTo}), or
         * {@link Long#MIN_VALUE} for a batch handed over because it was full.
         */
        long advanceToNanos = Long.MIN_VALUE;

        /** Appends {@code s}, packed; true when that filled the batch. */
        boolean add(TcpSegment s, long hash) {
            int i = count;
            int w = i * WORDS;
            boolean high = (s.srcHi | s.dstHi) != 0;
            if (high) {
                srcHi[i] = s.srcHi;
                dstHi[i] = s.dstHi;
            }
            words[w] = s.tsNanos;
            words[w + 1] = s.frameNumber;
            words[w + 2] = s.srcLo;
            words[w + 3] = s.dstLo;
            words[w + 4] = (s.seq & 0xFFFF_FFFFL) | (long) s.ack << 32;
            words[w + 5] = s.srcPort | (long) s.dstPort << 16 | (long) s.window << 32
                    | (long) s.flags << 48 | (long) s.ipVersion << 56
                    | (s.hasTimestamps ? 1L << 60 : 0) | (high ? HIGH_WORDS : 0);
            words[w + 6] = (s.payloadLength & 0xFFFF_FFFFL) | (long) s.ipId << 32
                    | (long) s.mss << 48;
            words[w + 7] = (s.tsVal & 0xFFFF_FFFFL) | (long) s.tsEcr << 32;
            words[w + 8] = hash;
            return ++count == BATCH;
        }

        /** Appends the capture's clock, and whether to scan then; true when that filled the batch. */
        boolean addClock(long clockNanos, boolean scan) {
            int w = count * WORDS;
            words[w] = clockNanos;
            words[w + 5] = CLOCK | (scan ? SCAN : 0);
            return ++count == BATCH;
        }

        /**
         * Feeds the batch's segments (and clock entries) to {@code tracker}, then hands it what
         * they decided (decided connections wait until the batch is done), and empties the batch.
         */
        void trackInto(FlowTracker tracker) {
            TcpSegment s = unpacked;
            for (int i = 0; i < count; i++) {
                int w = i * WORDS;
                long bits = words[w + 5];
                if ((bits & CLOCK) == 0) {
                    tracker.accept(unpack(i, s), words[w + 8]);
                } else {
                    tracker.moveClockTo(words[w], (bits & SCAN) != 0);
                }
            }
            tracker.drainDecided();
            count = 0;
        }

        /** Segment {@code i} of the batch, into {@code s}. */
        TcpSegment unpack(int i, TcpSegment s) {
            int w = i * WORDS;
            long bits = words[w + 5];
            boolean high = (bits & HIGH_WORDS) != 0;
            s.tsNanos = words[w];
            s.frameNumber = words[w + 1];
            s.srcLo = words[w + 2];
            s.dstLo = words[w + 3];
            s.srcHi = high ? srcHi[i] : 0;
            s.dstHi = high ? dstHi[i] : 0;
            long seqAck = words[w + 4];
            s.seq = (int) seqAck;
            s.ack = (int) (seqAck >>> 32);
            s.srcPort = (int) bits & 0xFFFF;
            s.dstPort = (int) (bits >>> 16) & 0xFFFF;
            s.window = (int) (bits >>> 32) & 0xFFFF;
            s.flags = (int) (bits >>> 48) & 0xFF;
            s.ipVersion = (int) (bits >>> 56) & 0xF;
            s.hasTimestamps = (bits & 1L << 60) != 0;
            long lengths = words[w + 6];
            s.payloadLength = (int) lengths;
            s.ipId = (int) (lengths >>> 32) & 0xFFFF;
            s.mss = (int) (lengths >>> 48) & 0xFFFF;
            long timestamps = words[w + 7];
            s.tsVal = (int) timestamps;
            s.tsEcr = (int) (timestamps >>> 32);
            return s;
        }
    }

    /** One tracker on its own thread, with the batch being filled for it. */
    private final class Shard extends Thread {
        private final FlowTracker tracker;
        private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(QUEUE_DEPTH);
        private final BlockingQueue<Batch> empty = new ArrayBlockingQueue<>(QUEUE_DEPTH + 1);
        private Batch filling = new Batch();
        private volatile Throwable failure;

        Shard(FlowTracker tracker, int index) {
            super("synscope-shard-" + index);
            setDaemon(true);
            this.tracker = tracker;
            for (int i = 0; i < QUEUE_DEPTH; i++) {
                empty.add(new Batch());
            }
        }

        void add(TcpSegment s, long hash) {
            if (filling.add(s, hash)) {
                hand(filling);
                filling = take(empty);
            }
        }

        void addClock(long clockNanos, boolean scan) {
            if (filling.addClock(clockNanos, scan)) {
                hand(filling);
                filling = take(empty);
            }
        }

        void advanceTo(long nowNanos) {
            filling.advanceToNanos = nowNanos;
            hand(filling);
            filling = take(empty);
        }

        void finish(long captureEndNanos) {
            filling.last = true;
            filling.captureEndNanos = captureEndNanos;
            hand(filling);
        }

        private void hand(Batch b) {
            if (failure != null) {
                throw new ShardFailure(failure);
            }
            put(full, b);
        }

        @Override
        public void run() {
            boolean lastTaken = false;
            try {
                while (true) {
                    Batch b = full.take();
                    lastTaken = b.last;
                    b.trackInto(tracker);
                    if (b.last) {
                        tracker.finish(b.captureEndNanos);
                        return;
                    }
                    if (b.advanceToNanos != Long.MIN_VALUE) {
                        tracker.advanceTo(b.advanceToNanos);
                        b.advanceToNanos = Long.MIN_VALUE;
                    }
                    empty.put(b);
                }
            } catch (InterruptedException e) {
                failure = e;
            } catch (RuntimeException | Error e) {
                failure = e;
                // Keep draining so the dispatcher never blocks on a full queue; it sees the
                // failure at its next hand-over, or when it joins this thread. Not after the
                // last batch (a sink that failed on it, e.g. on a closed pipe): no batch follows,
                // and the dispatcher is already joining.
                if (!lastTaken) {
                    drain();
                }
            }
        }

        private void drain() {
            while (true) {
                try {
                    Batch b = full.take();
                    if (b.last) {
                        return;
                    }
                    b.count = 0;
                    empty.put(b);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static Batch take(BlockingQueue<Batch> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while tracking", e);
        }
    }

    private static void put(BlockingQueue<Batch> q, Batch b) {
        try {
            q.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while tracking", e);
        }
    }
}
