package io.synscope.pipeline;

import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.KernelView;
import io.synscope.kernel.LimitedBy;
import io.synscope.capture.Addresses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything the kernel said during a capture, on the packets' clock: its resets with their
 * reasons, listen-queue samples per listener and counter samples. A live run fills it as the
 * kernel sources report ({@link #reset}, {@link #sample}); a file recorded by {@code synscope
 * live -w} brings it back ({@link KernelDocument}). The classifier asks it as a
 * {@link KernelView}: one store, one set of answers, for files and live captures alike.
 *
 * <p>Samples are stored as changes: a listener's depth or a counter's value is kept when it
 * differs from the one before, with the times of all samples kept once. A value then holds from
 * its sample to the next, which is all a sampled queue can tell.
 *
 * <p>Thread-safe: the kernel sources add from their threads while the tracker's shards ask.
 * Bounded: past {@link #MAX_RESETS} resets, {@link #MAX_SAMPLES} samples or
 * {@link #MAX_LISTENERS} listeners, the rest is counted in {@link #dropped()}, not kept.
 */
public final class KernelLog implements KernelView {
    /**
     * How far a traced reset may be from its packet: the trace's clock is converted to the
     * packets' with an offset measured at start (docs/kernel.md), and the reset is traced
     * just before the packet leaves.
     */
    static final long RESET_MATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final int MAX_RESETS = 250_000;
    /**
     * Listener and counter changes kept: far above a day of samples with a busy listener; past
     * it the log stops growing (counted in {@link #dropped()}) and a document of it still reads.
     */
    static final int MAX_CHANGES = 4_000_000;
    static final int MAX_SAMPLES = 2_000_000;
    static final int MAX_LISTENERS = 4096;
    /** 0.0.0.0 in the tracker's address form (IPv4 mapped into IPv6). */
    private static final long V4_ANY_LO = Addresses.lo(new byte[4]);
    /** A listener's depth from the sample that no longer listed it: closed. */
    static final int CLOSED = -1;

    /** One listen socket, by local address (wildcard or not) and port. */
    record ListenerKey(long hi, long lo, int port) {
    }

    private record ResetKey(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo,
                            int dstPort) {
    }

    /** A listener's queue as sampled: a value per change, the index of the sample it came at. */
    static final class ListenerSeries {
        int[] sampleIndex = new int[8];
        int[] depth = new int[8];
        int[] backlog = new int[8];
        int[] synRecv = new int[8];
        int count;
        /** The last sample that listed this listener. */
        int lastSample;

        /** Whether the last change has these values: a sample that repeats them is no change. */
        boolean same(int depthNow, int backlogNow, int synRecvNow) {
            return count > 0 && depth[count - 1] == depthNow && backlog[count - 1] == backlogNow
                    && synRecv[count - 1] == synRecvNow;
        }

        /** Appends a change; the caller has checked it is one ({@link #same}). */
        void add(int index, int depthNow, int backlogNow, int synRecvNow) {
            if (count == depth.length) {
                int n = count * 2;
                sampleIndex = Arrays.copyOf(sampleIndex, n);
                depth = Arrays.copyOf(depth, n);
                backlog = Arrays.copyOf(backlog, n);
                synRecv = Arrays.copyOf(synRecv, n);
            }
            sampleIndex[count] = index;
            depth[count] = depthNow;
            backlog[count] = backlogNow;
            synRecv[count] = synRecvNow;
            count++;
        }

        /** The last change at or before sample {@code index}, or -1. */
        int changeAt(int index) {
            int lo = 0;
            int hi = count - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (sampleIndex[mid] <= index) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found;
        }
    }

    /** A counter's value per change, the index of the sample it came at. */
    private static final class CounterSeries {
        int[] sampleIndex = new int[4];
        long[] value = new long[4];
        int count;

        /** Appends a change; the caller has checked the value differs from the last. */
        void add(int index, long valueNow) {
            if (count == value.length) {
                sampleIndex = Arrays.copyOf(sampleIndex, count * 2);
                value = Arrays.copyOf(value, count * 2);
            }
            sampleIndex[count] = index;
            value[count++] = valueNow;
        }

        /** The value at sample {@code index}; the series starts at the first sample. */
        long at(int index) {
            int lo = 0;
            int hi = count - 1;
            long found = 0;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (sampleIndex[mid] <= index) {
                    found = value[mid];
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found;
        }
    }

    private final Map<ResetKey, List<KernelReset>> resets = new HashMap<>();
    private int resetCount;
    private long[] sampleTimes = new long[64];
    private int sampleCount;
    private final Map<ListenerKey, ListenerSeries> listeners = new LinkedHashMap<>();
    /** The failure-related counters ({@link KernelSummary#FAILURE_COUNTERS}), sample by sample. */
    private final Map<String, CounterSeries> counters = new LinkedHashMap<>();
    /** Every counter's first and latest value: what the whole capture's rises need. */
    private final Map<String, long[]> counterTotals = new LinkedHashMap<>();
    private int changes;
    /** Whether the sample being added is kept (the log had room for it). */
    private boolean sampleKept;
    /** The last sample whose listeners were read: later windows know nothing of them. */
    private int listenersReadUpTo = -1;
    private final Map<String, Long> sysctls = new LinkedHashMap<>();
    private final Map<String, String> missingSources = new LinkedHashMap<>();
    private final List<String> sources = new ArrayList<>();
    private long dropped;
    /**
     * The samples at which a later recording begins, ascending (several files, each recorded
     * by its own {@code live -w} run, read as one): no window spans one, as the files alone
     * would not. Empty for one recording.
     */
    private int[] recordingStarts = new int[0];
    /**
     * Per working source, the time up to which it has added its evidence; the log is complete up
     * to the least of them (see {@link #awaitUntil}). A file's log is complete: no marks.
     */
    private final Map<String, Long> marks = new LinkedHashMap<>();

    /** A source that works, by name ({@code sock_diag}, {@code tracefs}, {@code counters}). */
    public synchronized void sourceAvailable(String name) {
        if (!sources.contains(name)) {
            sources.add(name);
        }
    }

    /**
     * A live source that will report its progress with {@link #advanceTo}: until it does, a
     * classification waits for it (at most as long as it is told to).
     */
    public synchronized void follow(String source) {
        marks.putIfAbsent(source, Long.MIN_VALUE);
    }

    /** A followed source stopped (its end, or a failure): nothing more is waited for from it. */
    public synchronized void unfollow(String source) {
        marks.remove(source);
        notifyAll();
    }

    /** A source that does not, and why: said once in the report. */
    public synchronized void sourceMissing(String name, String why) {
        missingSources.putIfAbsent(name, why);
    }

    public synchronized void sysctl(String name, long value) {
        sysctls.put(name, value);
    }

    /** A reset the kernel sent ({@code tcp:tcp_send_reset}); addresses as 4 or 16 bytes. */
    public synchronized void reset(long tsNanos, byte[] src, int srcPort, byte[] dst, int dstPort,
                                   String state, String reason) {
        if (resetCount >= MAX_RESETS) {
            dropped++;
            return;
        }
        resetCount++;
        resets.computeIfAbsent(new ResetKey(Addresses.hi(src), Addresses.lo(src), srcPort,
                        Addresses.hi(dst), Addresses.lo(dst), dstPort), k -> new ArrayList<>(1))
                .add(new KernelReset(tsNanos, reason, state));
    }

    /**
     * Starts a sample taken at {@code tsNanos}: the listener and counter values that follow
     * ({@link #listener}, {@link #counter}) belong to it, up to {@link #endSample}.
     *
     * @return false when the log is full and the sample is not kept
     */
    public synchronized boolean sample(long tsNanos) {
        return replaySample(tsNanos);
    }

    /**
     * Ends the current sample. When its listeners were read (sock_diag worked), a listener it
     * did not list, though the sample before did, was closed, and its queues went with it
     * ({@link #CLOSED}); when they were not, nothing is known of them from here on.
     */
    public synchronized void endSample(boolean listenersRead) {
        if (!sampleKept || !listenersRead) {
            return;
        }
        for (ListenerSeries s : listeners.values()) {
            if (s.lastSample == sampleCount - 2 && s.count > 0 && changes < MAX_CHANGES) {
                changes++;
                s.add(sampleCount - 1, CLOSED, s.backlog[s.count - 1], 0);
            }
        }
        listenersReadUpTo = sampleCount - 1;
    }

    /**
     * As {@link #sample}, for a recorded log, whose listeners' closings are recorded changes:
     * no {@link #endSample} follows.
     */
    synchronized boolean replaySample(long tsNanos) {
        sampleKept = sampleCount < MAX_SAMPLES;
        if (!sampleKept) {
            dropped++;
            return false;
        }
        if (sampleCount == sampleTimes.length) {
            sampleTimes = Arrays.copyOf(sampleTimes, sampleCount * 2);
        }
        sampleTimes[sampleCount++] = tsNanos;
        return true;
    }

    /**
     * A listening socket's queues at the current sample; addresses as 4 or 16 bytes. Several
     * sockets on one address and port (SO_REUSEPORT) are one listener, as full as its fullest
     * socket: each has its own accept queue and a connection meets one of them. Their request
     * sockets add up (the sampler counts them all on one of them).
     */
    public synchronized void listener(byte[] address, int port, int acceptQueue, int backlog,
                                      int synRecv) {
        if (!sampleKept) {
            return;
        }
        ListenerKey key = new ListenerKey(Addresses.hi(address), Addresses.lo(address), port);
        ListenerSeries s = listeners.get(key);
        if (s == null) {
            if (listeners.size() >= MAX_LISTENERS) {
                dropped++;
                return;
            }
            s = new ListenerSeries();
            listeners.put(key, s);
        }
        if (s.lastSample == sampleCount - 1 && s.count > 0) {
            // Another socket of this sample: the last change holds the listener so far.
            int last = s.count - 1;
            if ((long) s.depth[last] - s.backlog[last] >= (long) acceptQueue - backlog) {
                acceptQueue = s.depth[last];
                backlog = s.backlog[last];
            }
            synRecv += s.synRecv[last];
            if (s.sampleIndex[last] == sampleCount - 1) {
                // Made at this sample by the sockets before: made again below, with this one.
                s.count--;
                changes--;
            }
        }
        s.lastSample = sampleCount - 1;
        if (s.same(acceptQueue, backlog, synRecv)) {
            return;
        }
        if (changes >= MAX_CHANGES) {
            dropped++;
            return;
        }
        changes++;
        s.add(sampleCount - 1, acceptQueue, backlog, synRecv);
    }

    /** A counter's running total at the current sample. */
    public synchronized void counter(String name, long value) {
        if (!sampleKept) {
            return;
        }
        long[] total = counterTotals.get(name);
        if (total == null) {
            counterTotals.put(name, new long[] {value, value});
        } else {
            total[1] = value;
        }
        if (!KernelSummary.FAILURE_COUNTERS.contains(name)) {
            return;
        }
        CounterSeries s = counters.computeIfAbsent(name, k -> new CounterSeries());
        if (s.count > 0 && s.value[s.count - 1] == value) {
            return;
        }
        if (changes >= MAX_CHANGES) {
            dropped++;
            return;
        }
        changes++;
        s.add(sampleCount - 1, value);
    }

    /** A counter's first and latest value, as a recorded log gives them. */
    synchronized void counterTotal(String name, long first, long latest) {
        counterTotals.put(name, new long[] {first, latest});
    }

    /** A recorded log's samples at which a later recording begins ({@link #recordingStarts}). */
    synchronized void recordingStarts(int[] starts) {
        recordingStarts = starts.clone();
    }

    /** The last sample of the recording that sample {@code index} belongs to. */
    private int recordingEnd(int index) {
        for (int start : recordingStarts) {
            if (start > index) {
                return start - 1;
            }
        }
        return sampleCount - 1;
    }

    /** A recorded log's last sample whose listeners were read. */
    synchronized void listenersReadUpTo(int sample) {
        listenersReadUpTo = Math.min(sample, sampleCount - 1);
    }

    /** {@code source} has added its evidence up to {@code tsNanos}: wakes those waiting. */
    public synchronized void advanceTo(String source, long tsNanos) {
        Long mark = marks.get(source);
        if (mark != null && tsNanos > mark) {
            marks.put(source, tsNanos);
            notifyAll();
        }
    }

    private long watermarkNanos() {
        long least = Long.MAX_VALUE;
        for (long mark : marks.values()) {
            least = Math.min(least, mark);
        }
        return least;
    }

    /**
     * Waits until the evidence up to {@code tsNanos} is in, at most {@code maxWaitNanos}: a live
     * verdict then rests on what the kernel said about its packets, though the kernel sources
     * report a little later than the packets arrive.
     *
     * @return whether it is in (false after the wait ran out, or when interrupted)
     */
    public synchronized boolean awaitUntil(long tsNanos, long maxWaitNanos) {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (watermarkNanos() < tsNanos) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized KernelReset resetSent(long srcHi, long srcLo, int srcPort, long dstHi,
                                              long dstLo, int dstPort, long tsNanos) {
        List<KernelReset> found = resets.get(new ResetKey(srcHi, srcLo, srcPort, dstHi, dstLo,
                dstPort));
        if (found == null) {
            return null;
        }
        KernelReset best = null;
        for (KernelReset r : found) {
            long gap = Math.abs(r.tsNanos() - tsNanos);
            if (gap <= RESET_MATCH_NANOS
                    && (best == null || gap < Math.abs(best.tsNanos() - tsNanos))) {
                best = r;
            }
        }
        return best;
    }

    @Override
    public synchronized QueueReading acceptQueue(long hi, long lo, int port, long fromNanos,
                                                 long toNanos) {
        int[] window = sampleWindow(fromNanos, toNanos);
        if (window == null || window[1] > listenersReadUpTo) {
            return null;
        }
        ListenerSeries s = listenerFor(hi, lo, port, window);
        if (s == null) {
            return null;
        }
        int peak = 0;
        int backlog = -1;
        boolean full = false;
        for (int i = Math.max(0, s.changeAt(window[0])); i < s.count
                && s.sampleIndex[i] <= window[1]; i++) {
            if (s.depth[i] != CLOSED) {
                peak = Math.max(peak, s.depth[i]);
                backlog = s.backlog[i];
                full |= isFull(s.depth[i], s.backlog[i]);
            }
        }
        // Not listening in that window (not yet, or closed all along): nothing to say.
        return backlog < 0 ? null : new QueueReading(backlog, peak, full);
    }

    /**
     * The kernel's own test (sk_acceptq_is_full): more waiting than the backlog. Sampled, a full
     * queue shows backlog + 1 (docs/kernel.md).
     */
    static boolean isFull(int depth, int backlog) {
        return depth > backlog;
    }

    @Override
    public synchronized boolean listenerClosed(long hi, long lo, int port, long tsNanos) {
        int[] window = sampleWindow(tsNanos, tsNanos);
        if (window == null || window[1] > listenersReadUpTo) {
            return false;
        }
        ListenerSeries s = listenerFor(hi, lo, port, window);
        if (s == null) {
            return false;
        }
        // The closing shows at the first sample after it.
        for (int i = Math.max(0, s.changeAt(window[0])); i < s.count
                && s.sampleIndex[i] <= window[1]; i++) {
            if (s.depth[i] == CLOSED && s.sampleIndex[i] > window[0]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The listener a connection to that address and port reached during the samples
     * {@code window}: the one bound to it, else the wildcard of its family, else (IPv4) the
     * IPv6 wildcard, which takes IPv4 too; each only when it listened in the window, as the
     * kernel finds only sockets that listen. An IPv6 connection never reaches an IPv4 socket
     * (nginx's {@code listen 80; listen [::]:80;}).
     */
    private ListenerSeries listenerFor(long hi, long lo, int port, int[] window) {
        ListenerSeries s = listening(listeners.get(new ListenerKey(hi, lo, port)), window);
        if (s == null && Addresses.isV4(hi, lo)) {
            s = listening(listeners.get(new ListenerKey(0, V4_ANY_LO, port)), window);
        }
        if (s == null) {
            s = listening(listeners.get(new ListenerKey(0, 0, port)), window);
        }
        return s;
    }

    /** {@code s} when some sample of the window had it listening (not closed), else null. */
    private static ListenerSeries listening(ListenerSeries s, int[] window) {
        if (s == null) {
            return null;
        }
        for (int i = Math.max(0, s.changeAt(window[0])); i < s.count
                && s.sampleIndex[i] <= window[1]; i++) {
            if (s.depth[i] != CLOSED) {
                return s;
            }
        }
        return null;
    }

    @Override
    public synchronized long counterRise(String name, long fromNanos, long toNanos) {
        // Sampled for the failure-related counters only (the classifier asks no other).
        CounterSeries s = counters.get(name);
        int[] window = sampleWindow(fromNanos, toNanos);
        if (s == null || window == null) {
            return -1;
        }
        return s.at(window[1]) - s.at(window[0]);
    }

    /**
     * The samples around {@code [from, to]}: the last at or before {@code from}, the first at
     * or after {@code to}; null unless both exist (the window is not covered).
     */
    private int[] sampleWindow(long fromNanos, long toNanos) {
        if (sampleCount == 0 || sampleTimes[0] > fromNanos
                || sampleTimes[sampleCount - 1] < toNanos) {
            return null;
        }
        int before = Arrays.binarySearch(sampleTimes, 0, sampleCount, fromNanos);
        before = before >= 0 ? before : -before - 2;
        int after = Arrays.binarySearch(sampleTimes, 0, sampleCount, toNanos);
        after = after >= 0 ? after : -after - 1;
        if (recordingEnd(before) < after) {
            // Between two recordings nothing was sampled.
            return null;
        }
        return new int[] {before, after};
    }

    synchronized void addDropped(long n) {
        dropped += Math.max(0, n);
    }

    /** The log as {@link KernelDocument} writes it. */
    synchronized KernelDocument.Doc toDocument() {
        List<KernelDocument.ListenerDoc> ls = new ArrayList<>();
        listeners.forEach((k, s) -> ls.add(new KernelDocument.ListenerDoc(
                Addresses.format(k.hi(), k.lo()), k.port(), Arrays.copyOf(s.sampleIndex, s.count),
                Arrays.copyOf(s.depth, s.count), Arrays.copyOf(s.backlog, s.count),
                Arrays.copyOf(s.synRecv, s.count))));
        Map<String, KernelDocument.SeriesDoc> cs = new LinkedHashMap<>();
        counters.forEach((name, s) -> cs.put(name, new KernelDocument.SeriesDoc(
                Arrays.copyOf(s.sampleIndex, s.count), Arrays.copyOf(s.value, s.count))));
        List<KernelDocument.ResetDoc> rs = new ArrayList<>();
        resets.forEach((k, list) -> list.forEach(r -> rs.add(new KernelDocument.ResetDoc(
                r.tsNanos(), Addresses.format(k.srcHi(), k.srcLo()), k.srcPort(),
                Addresses.format(k.dstHi(), k.dstLo()), k.dstPort(), r.state(), r.reason()))));
        // In time order, ties in a fixed order: a document reads back and writes the same.
        rs.sort(Comparator.comparingLong(KernelDocument.ResetDoc::tsNanos)
                .thenComparing(KernelDocument.ResetDoc::src)
                .thenComparingInt(KernelDocument.ResetDoc::srcPort)
                .thenComparing(KernelDocument.ResetDoc::dst)
                .thenComparingInt(KernelDocument.ResetDoc::dstPort)
                .thenComparing(KernelDocument.ResetDoc::state,
                        Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(KernelDocument.ResetDoc::reason,
                        Comparator.nullsFirst(Comparator.naturalOrder())));
        Map<String, long[]> totals = new LinkedHashMap<>();
        counterTotals.forEach((name, t) -> totals.put(name, t.clone()));
        return KernelDocument.document(sources, missingSources, sysctls,
                Arrays.copyOf(sampleTimes, sampleCount), listenersReadUpTo, ls, cs, totals, rs,
                dropped, recordingStarts.length == 0 ? null : recordingStarts.clone());
    }

    /** Items not kept because a bound was reached. */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * The kernel's state at the latest sample, for a scrape: each listener it listed with its
     * accept queue and backlog, and each counter's rise since the first sample.
     */
    public record Now(List<ListenerNow> listeners, Map<String, Long> counterRises) {
    }

    /** A listener at the latest sample. */
    public record ListenerNow(HostPort listener, int acceptQueue, int backlog) {
    }

    public synchronized Now now() {
        List<ListenerNow> ls = new ArrayList<>();
        if (sampleCount > 0) {
            listeners.forEach((k, s) -> {
                if (s.lastSample == sampleCount - 1 && s.count > 0) {
                    ls.add(new ListenerNow(new HostPort(Addresses.format(k.hi(), k.lo()),
                            k.port()), s.depth[s.count - 1], s.backlog[s.count - 1]));
                }
            });
        }
        Map<String, Long> rises = new LinkedHashMap<>();
        counterTotals.forEach((name, t) -> rises.put(name, t[1] - t[0]));
        return new Now(ls, rises);
    }

    /** Each of {@link KernelSummary#FAILURE_COUNTERS} that is sampled: its rise so far. */
    public synchronized Map<String, Long> failureCounterRises() {
        Map<String, Long> rises = new LinkedHashMap<>();
        for (String name : KernelSummary.FAILURE_COUNTERS) {
            long[] t = counterTotals.get(name);
            if (t != null) {
                rises.put(name, t[1] - t[0]);
            }
        }
        return rises;
    }

    /** The whole capture in one summary; null when no kernel source was asked at all. */
    public synchronized KernelSummary summary() {
        if (sources.isEmpty() && missingSources.isEmpty()) {
            return null;
        }
        Map<String, Long> rises = new LinkedHashMap<>();
        counterTotals.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue()[1] - e.getValue()[0]))
                .filter(e -> e.getValue() != 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> rises.put(e.getKey(), e.getValue()));
        List<KernelSummary.Listener> busy = new ArrayList<>();
        long quiet = 0;
        for (Map.Entry<ListenerKey, ListenerSeries> e : listeners.entrySet()) {
            KernelSummary.Listener l = listenerSummary(e.getKey(), e.getValue());
            if (l.peakDepth() == 0 && l.synRecvPeak() == 0) {
                quiet++;
            } else {
                busy.add(l);
            }
        }
        busy.sort((a, b) -> a.fullNanos() != b.fullNanos() ? Long.compare(b.fullNanos(),
                a.fullNanos()) : Integer.compare(b.peakDepth() + b.synRecvPeak(),
                a.peakDepth() + a.synRecvPeak()));
        return new KernelSummary(sources, missingSources, sysctls, rises, busy, quiet, dropped);
    }

    /** Walks a listener's changes; each value holds from its sample to the next change. */
    private KernelSummary.Listener listenerSummary(ListenerKey key, ListenerSeries s) {
        int peak = 0;
        int synRecvPeak = 0;
        long fullNanos = 0;
        List<KernelSummary.Interval> intervals = new ArrayList<>();
        long fullSince = Long.MIN_VALUE;
        // A full queue is known to last to the end of its recording, no further.
        long fullUntil = Long.MIN_VALUE;
        for (int i = 0; i < s.count; i++) {
            peak = Math.max(peak, s.depth[i]);
            synRecvPeak = Math.max(synRecvPeak, s.synRecv[i]);
            long at = sampleTimes[s.sampleIndex[i]];
            if (fullSince != Long.MIN_VALUE && at > fullUntil) {
                fullNanos += fullUntil - fullSince;
                if (intervals.size() < KernelSummary.Listener.MAX_INTERVALS) {
                    intervals.add(new KernelSummary.Interval(fullSince, fullUntil));
                }
                fullSince = Long.MIN_VALUE;
            }
            boolean full = isFull(s.depth[i], s.backlog[i]);
            if (full && fullSince == Long.MIN_VALUE) {
                fullSince = at;
                fullUntil = sampleTimes[recordingEnd(s.sampleIndex[i])];
            } else if (!full && fullSince != Long.MIN_VALUE) {
                fullNanos += at - fullSince;
                if (intervals.size() < KernelSummary.Listener.MAX_INTERVALS) {
                    intervals.add(new KernelSummary.Interval(fullSince, at));
                }
                fullSince = Long.MIN_VALUE;
            }
        }
        if (fullSince != Long.MIN_VALUE) {
            fullNanos += fullUntil - fullSince;
            if (intervals.size() < KernelSummary.Listener.MAX_INTERVALS) {
                intervals.add(new KernelSummary.Interval(fullSince, fullUntil));
            }
        }
        int backlog = s.count > 0 ? s.backlog[s.count - 1] : 0;
        LimitedBy acceptLimitBy = LimitedBy.acceptQueueLimit(backlog,
                sysctls.getOrDefault("net.core.somaxconn", -1L));
        int synLimit = LimitedBy.synQueueLimit(backlog,
                sysctls.getOrDefault("net.ipv4.tcp_syncookies", -1L),
                sysctls.getOrDefault("net.ipv4.tcp_max_syn_backlog", -1L));
        LimitedBy synLimitBy = synLimit < backlog ? LimitedBy.TCP_MAX_SYN_BACKLOG : acceptLimitBy;
        return new KernelSummary.Listener(new HostPort(Addresses.format(key.hi(), key.lo()),
                key.port()), backlog, peak, fullNanos, intervals, synRecvPeak, synLimit,
                acceptLimitBy.jsonName(), synLimitBy.jsonName(), depthSeries(s));
    }

    /**
     * The listener's depth at each change, or when there were too many for a chart, the deepest
     * of each run of consecutive changes (at the run's first sample), so a full queue still
     * shows.
     */
    private List<KernelSummary.Depth> depthSeries(ListenerSeries s) {
        int run = (s.count + KernelSummary.Listener.MAX_DEPTH_POINTS - 1)
                / KernelSummary.Listener.MAX_DEPTH_POINTS;
        List<KernelSummary.Depth> series = new ArrayList<>(Math.min(s.count,
                KernelSummary.Listener.MAX_DEPTH_POINTS));
        for (int from = 0; from < s.count; from += run) {
            int deepest = 0;
            for (int i = from; i < Math.min(s.count, from + run); i++) {
                deepest = Math.max(deepest, s.depth[i]);
            }
            series.add(new KernelSummary.Depth(sampleTimes[s.sampleIndex[from]], deepest));
        }
        return series;
    }
}
