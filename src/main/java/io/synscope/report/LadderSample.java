package io.synscope.report;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Verdict;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Which failures a report draws as ladders: at most {@code max}, picked so that every kind of
 * failure gets an example before any kind gets a second one, then in time order. Memory stays
 * bounded however many failures there are: per verdict only the earliest {@code max} are kept.
 * Shared by the text and HTML reports, so both show the same ladders. Not thread-safe: the
 * {@link io.synscope.pipeline.AnalysisSink} calls that feed it are serialised.
 */
final class LadderSample {
    /**
     * Earliest first packet first; the id (first frame) breaks ties. A class rather than
     * Comparator.comparingLong's lambdas
     * (docs/performance.md#s1-nothing-on-the-first-packets-that-bootstraps-javalanginvoke).
     */
    static final Comparator<ConnectionResult> BY_START = new Comparator<>() {
        @Override
        public int compare(ConnectionResult a, ConnectionResult b) {
            return compareStarts(a.firstSeenNanos(), a.id(), b.firstSeenNanos(), b.id());
        }
    };
    private static final Comparator<ConnectionResult> LATEST_START_FIRST =
            Collections.reverseOrder(BY_START);

    private final int max;
    /**
     * Per verdict ordinal, the kept failures with the latest-starting on top so it can be evicted;
     * null until the verdict's first.
     */
    private final List<PriorityQueue<ConnectionResult>> kept =
            new ArrayList<>(Collections.nCopies(Verdict.values().length, null));

    /** @param max how many ladders to draw at most */
    LadderSample(int max) {
        this.max = max;
    }

    /** What {@link #add} will keep: any while its verdict has room, then earlier ones. */
    boolean keeps(Verdict v, long firstSeenNanos, long id) {
        if (max == 0) {
            return false;
        }
        PriorityQueue<ConnectionResult> q = kept.get(v.ordinal());
        if (q == null || q.size() < max) {
            return true;
        }
        ConnectionResult latest = q.peek();
        return compareStarts(firstSeenNanos, id, latest.firstSeenNanos(), latest.id()) < 0;
    }

    /** Keeps {@code r} (a failure) if it is among its verdict's earliest {@code max}. */
    void add(ConnectionResult r) {
        if (max == 0) {
            return;
        }
        PriorityQueue<ConnectionResult> q = kept.get(r.verdict().ordinal());
        if (q == null) {
            q = new PriorityQueue<>(LATEST_START_FIRST);
            kept.set(r.verdict().ordinal(), q);
        }
        q.add(r);
        if (q.size() > max) {
            q.poll();
        }
    }

    static int compareStarts(long aFirstSeenNanos, long aId, long bFirstSeenNanos, long bId) {
        int byTime = Long.compare(aFirstSeenNanos, bFirstSeenNanos);
        return byTime != 0 ? byTime : Long.compare(aId, bId);
    }

    /** Round-robin over verdicts (earliest first within each), then back into time order. */
    List<ConnectionResult> pick() {
        List<List<ConnectionResult>> perVerdict = new ArrayList<>();
        for (PriorityQueue<ConnectionResult> q : kept) {
            if (q == null) {
                continue;
            }
            List<ConnectionResult> l = new ArrayList<>(q);
            l.sort(BY_START);
            perVerdict.add(l);
        }
        List<ConnectionResult> picked = new ArrayList<>();
        for (int round = 0; picked.size() < max; round++) {
            boolean any = false;
            for (List<ConnectionResult> l : perVerdict) {
                if (round < l.size() && picked.size() < max) {
                    picked.add(l.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        picked.sort(BY_START);
        return picked;
    }
}
