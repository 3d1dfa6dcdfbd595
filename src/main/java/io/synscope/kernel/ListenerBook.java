package io.synscope.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The listening sockets of the latest sample and their queues, for the sample sink. A sample
 * is {@link #begin}, the listening sockets ({@link #listener}), optionally a count of the
 * request sockets ({@link #beginSynRecv}, {@link #synRecv} for each, {@link #endSynRecv}),
 * {@link #end}; {@link #tellSeen} then hands them on. What they went through over the run
 * (peaks, full intervals, limits) is the sink's to keep: the live pipeline's kernel log, which
 * the reports summarise. Memory is bounded by {@code maxListeners} (closed listeners are
 * forgotten first to make room). Not thread-safe (the sampler locks).
 */
final class ListenerBook {
    private final int maxListeners;
    private final Map<Long, Entry> byCookie = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private long sample;
    private int notKeptThisSample;
    private int notKeptPeak;
    private long closedDropped;
    /** The last request socket's local address and the listener found for it (a flood hits one). */
    private final DiagRow lastLookup = new DiagRow();
    private Entry lastMatch;
    private long lastMatchSample = -1;

    private static final class Entry {
        final long cookie;
        final int family;
        final byte[] addr;
        final int port;
        int backlog;
        int acceptNow;
        int synCounting;
        int synNow;
        long seenInSample;
        boolean open = true;

        Entry(DiagRow row) {
            cookie = row.cookie;
            family = row.family;
            addr = Arrays.copyOf(row.localAddr, row.addrLength());
            port = row.localPort;
        }
    }

    ListenerBook(int maxListeners) {
        this.maxListeners = maxListeners;
    }

    void begin() {
        sample++;
        notKeptThisSample = 0;
    }

    /** A count of request sockets starts, after this sample's listeners. */
    void beginSynRecv() {
        for (Entry e : entries) {
            e.synCounting = 0;
        }
    }

    /** The count is complete: it is each open listener's SYN_RECV count from now on. */
    void endSynRecv() {
        for (Entry e : entries) {
            if (e.seenInSample == sample) {
                e.synNow = e.synCounting;
            }
        }
    }

    /** A listening socket of this sample's dump. */
    void listener(DiagRow row) {
        Entry e = byCookie.get(row.cookie);
        if (e == null) {
            if (entries.size() >= maxListeners && !dropOldestClosed()) {
                notKeptThisSample++;
                return;
            }
            e = new Entry(row);
            byCookie.put(row.cookie, e);
            entries.add(e);
        }
        e.seenInSample = sample;
        e.backlog = (int) Math.min(Integer.MAX_VALUE, row.wqueue);
        e.acceptNow = (int) Math.min(Integer.MAX_VALUE, row.rqueue);
    }

    /** Makes room by forgetting the listener that closed first, if one has. */
    private boolean dropOldestClosed() {
        for (int i = 0; i < entries.size(); i++) {
            Entry old = entries.get(i);
            if (!old.open) {
                entries.remove(i);
                byCookie.remove(old.cookie);
                closedDropped++;
                return true;
            }
        }
        return false;
    }

    /**
     * A request socket (TCP_SYN_RECV) of this sample's dump: counted for the listener on its
     * local port whose address is the same, else a wildcard one of its family, else an IPv6
     * wildcard (dual-stack). Several SO_REUSEPORT sockets on one address: the first one seen.
     */
    void synRecv(DiagRow row) {
        if (lastMatchSample != sample || !sameLocal(lastLookup, row)) {
            lastMatch = find(row);
            lastMatchSample = sample;
            lastLookup.family = row.family;
            lastLookup.localPort = row.localPort;
            System.arraycopy(row.localAddr, 0, lastLookup.localAddr, 0, 16);
        }
        if (lastMatch != null) {
            lastMatch.synCounting++;
        }
    }

    private static boolean sameLocal(DiagRow a, DiagRow b) {
        return a.family == b.family && a.localPort == b.localPort
                && Arrays.equals(a.localAddr, 0, a.addrLength(), b.localAddr, 0, b.addrLength());
    }

    private static boolean sameAddress(Entry e, DiagRow row) {
        return e.family == row.family
                && Arrays.equals(e.addr, 0, e.addr.length, row.localAddr, 0, e.addr.length);
    }

    private Entry find(DiagRow row) {
        Entry best = null;
        int bestScore = 0;
        for (Entry e : entries) {
            if (e.port != row.localPort || e.seenInSample != sample) {
                continue;
            }
            int score;
            if (sameAddress(e, row)) {
                score = 3;
            } else if (e.family == row.family && isWildcard(e)) {
                score = 2;
            } else if (e.family == DiagRow.AF_INET6 && isWildcard(e)) {
                score = 1;
            } else {
                continue;
            }
            if (score > bestScore) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }

    private static boolean isWildcard(Entry e) {
        for (byte b : e.addr) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Ends the sample: the listeners it did not list are closed. */
    void end() {
        notKeptPeak = Math.max(notKeptPeak, notKeptThisSample);
        for (Entry e : entries) {
            if (e.seenInSample != sample) {
                e.open = false;
            }
        }
    }

    /** Tells {@code sink} the listeners this sample listed, with their queues. */
    void tellSeen(SampleSink sink) {
        for (Entry e : entries) {
            if (e.seenInSample == sample) {
                sink.listener(e.addr, e.port, e.acceptNow, e.backlog, e.synNow);
            }
        }
    }

    /** The most open listening sockets one sample listed beyond {@code maxListeners}. */
    int notKeptPeak() {
        return notKeptPeak;
    }

    /** Closed listeners forgotten to make room for new ones. */
    long closedDropped() {
        return closedDropped;
    }
}
