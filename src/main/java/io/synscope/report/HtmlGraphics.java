package io.synscope.report;

import io.synscope.capture.Printable;
import io.synscope.diagnose.Alternative;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.Evidence;
import io.synscope.diagnose.Failure;
import io.synscope.diagnose.KernelEvidence;
import io.synscope.diagnose.LadderStep;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelSummary;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The HTML report's drawings, laid out here so that the page needs no script to show them: the
 * chart of failures over time and the ladder diagram of a connection, as coordinates in SVG
 * user units ({@link HtmlView}).
 */
final class HtmlGraphics {
    static final long SECOND = 1_000_000_000L;
    /** Packets drawn per ladder at most, as in the text report; the rest are counted. */
    static final int LADDER_PACKETS_DRAWN = 24;
    /**
     * Bars of the chart at most: buckets grow through the text histogram's round widths
     * ({@link TextReport#ROUND_BINS_SECONDS}; past a day, whole days) to stay under.
     */
    static final int MAX_BARS = 120;
    private static final int MAX_LANES = 8;

    private static final int CHART_WIDTH = 1000;
    private static final int PLOT_LEFT = 56;
    private static final int PLOT_RIGHT = 990;
    private static final int PLOT_TOP = 12;
    private static final int PLOT_BOTTOM = 172;
    private static final int LANE_HEIGHT = 30;
    private static final int LANE_GAP = 24;
    private static final int X_TICKS = 8;

    private static final int LADDER_WIDTH = 800;
    private static final int LADDER_CLIENT_X = 230;
    private static final int LADDER_SERVER_X = 650;
    private static final int LADDER_TOP = 44;
    private static final int LADDER_ROW = 28;
    /** How far an arrow falls from one column to the other: time passes on the way. */
    private static final int LADDER_FALL = 10;

    private HtmlGraphics() {
    }

    /** The element id of a connection's ladder. */
    static String anchor(long id) {
        return "c" + id;
    }

    // ---- the chart ----------------------------------------------------------------------

    /**
     * Failures per bucket over the capture's span, stacked by verdict (ordinal order, so colours
     * sit in the same place in every bar), with one lane per listener below; null when the
     * capture has no frames.
     */
    static HtmlView.Chart chart(CaptureInfo c, SortedMap<Long, long[]> failuresPerSecond,
                                List<KernelSummary.Listener> lanes, String selection,
                                Times times) {
        if (c.frames() == 0) {
            return null;
        }
        long first = Math.floorDiv(c.firstTsNanos(), SECOND);
        long last = Math.floorDiv(c.lastTsNanos(), SECOND);
        long bucket = bucketSeconds(last - first + 1);
        long start = Math.floorDiv(first, bucket) * bucket;
        int count = (int) ((last - start) / bucket + 1);
        int verdicts = Verdict.values().length;
        long[][] perBucket = new long[count][verdicts];
        for (Map.Entry<Long, long[]> e : failuresPerSecond.entrySet()) {
            // A failure starts within the capture's span: its first packet is one of its frames.
            int i = (int) Math.min(count - 1, Math.max(0, (e.getKey() - start) / bucket));
            for (int v = 0; v < verdicts; v++) {
                perBucket[i][v] += e.getValue()[v];
            }
        }
        long max = 0;
        boolean[] seen = new boolean[verdicts];
        for (long[] b : perBucket) {
            long total = 0;
            for (int v = 0; v < verdicts; v++) {
                total += b[v];
                seen[v] |= b[v] > 0;
            }
            max = Math.max(max, total);
        }
        long top = niceCeiling(Math.max(1, max));
        double plotWidth = PLOT_RIGHT - PLOT_LEFT;
        double barWidth = plotWidth / count;
        double plotHeight = PLOT_BOTTOM - PLOT_TOP;
        List<HtmlView.Bar> bars = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<HtmlView.Segment> segments = new ArrayList<>();
            List<String> parts = new ArrayList<>();
            double y = PLOT_BOTTOM;
            for (int v = 0; v < verdicts; v++) {
                long n = perBucket[i][v];
                if (n == 0) {
                    continue;
                }
                double h = n * plotHeight / top;
                y -= h;
                segments.add(new HtmlView.Segment(round(y), round(h), "v-"
                        + Verdict.values()[v].key()));
                parts.add(Format.count(n) + " " + Verdict.values()[v].key());
            }
            if (segments.isEmpty()) {
                continue;
            }
            long from = (start + i * bucket) * SECOND;
            bars.add(new HtmlView.Bar(round(PLOT_LEFT + i * barWidth + (barWidth > 4 ? 0.5 : 0)),
                    round(barWidth > 4 ? barWidth - 1 : barWidth), times.dateAt(from)
                    .substring(0, 19) + (bucket == 1 ? "" : " + " + bucket + " s") + ": "
                    + String.join(", ", parts), segments));
        }
        List<HtmlView.Tick> yTicks = new ArrayList<>();
        // top is 1, 2 or 5 times a power of ten: steps of a fifth or a half are whole.
        long step = Math.max(1, top % 5 == 0 ? top / 5 : top / 2);
        for (long n = 0; n <= top; n += step) {
            yTicks.add(new HtmlView.Tick(round(PLOT_BOTTOM - n * plotHeight / top),
                    Format.count(n)));
        }
        boolean days = times.day(first * SECOND) != times.day(last * SECOND);
        List<HtmlView.Tick> xTicks = new ArrayList<>();
        int every = Math.max(1, (count + X_TICKS - 1) / X_TICKS);
        for (int i = 0; i < count; i += every) {
            String at = times.dateAt((start + i * bucket) * SECOND);
            xTicks.add(new HtmlView.Tick(round(PLOT_LEFT + i * barWidth),
                    days ? at.substring(5, 16) : at.substring(11, 19)));
        }
        List<HtmlView.Count> legend = new ArrayList<>();
        for (int v = 0; v < verdicts; v++) {
            if (seen[v]) {
                String key = Verdict.values()[v].key();
                legend.add(new HtmlView.Count(key, "v-" + key, ""));
            }
        }
        long spanNanos = (long) count * bucket * SECOND;
        List<HtmlView.Lane> laneViews = new ArrayList<>();
        double laneY = PLOT_BOTTOM + 44;
        for (KernelSummary.Listener l : lanes.subList(0, Math.min(MAX_LANES, lanes.size()))) {
            List<HtmlView.Span> full = new ArrayList<>();
            for (KernelSummary.Interval in : l.fullIntervals()) {
                full.add(new HtmlView.Span(round(x(in.fromNanos(), start, spanNanos)),
                        round(Math.max(1, in.nanos() * plotWidth / spanNanos)), "full",
                        "accept queue full " + times.at(in.fromNanos()) + " → "
                        + times.at(in.toNanos()) + " (" + Format.duration(in.nanos()) + ")"));
            }
            laneViews.add(new HtmlView.Lane(l.listener() + " accept queue (limit " + l.backlog()
                    + ", at most " + l.peakDepth() + " waiting)", round(laneY), LANE_HEIGHT,
                    depthLine(l, laneY, start, spanNanos, c.lastTsNanos()), full));
            laneY += LANE_HEIGHT + LANE_GAP;
        }
        String heading = "Failures per " + TextReport.binName(bucket) + " (" + times.zone().name()
                + ", by connection start" + (selection.isEmpty() ? ""
                : "; selected by " + Printable.escape(selection)) + ")";
        int height = (int) (laneViews.isEmpty() ? PLOT_BOTTOM + 24 : laneY - LANE_GAP + 6);
        return new HtmlView.Chart(heading, CHART_WIDTH, height, PLOT_LEFT, PLOT_RIGHT, PLOT_TOP,
                PLOT_BOTTOM, bars, yTicks, xTicks, legend, laneViews);
    }

    /** Where {@code tsNanos} is on the time axis; kept on it (the kernel's samples may start
     * before the first packet). */
    private static double x(long tsNanos, long startSecond, long spanNanos) {
        double x = PLOT_LEFT + (tsNanos - startSecond * SECOND)
                * (double) (PLOT_RIGHT - PLOT_LEFT) / spanNanos;
        return Math.max(PLOT_LEFT, Math.min(PLOT_RIGHT, x));
    }

    /**
     * A listener's depth as a step line across its lane: each value holds until the next, the
     * last until the capture's end; the lane's top is the queue's limit (a queue one past its
     * limit, as the kernel counts a full one, is drawn at the top).
     */
    private static String depthLine(KernelSummary.Listener l, double laneY, long startSecond,
                                    long spanNanos, long endNanos) {
        StringBuilder points = new StringBuilder();
        double bottom = laneY + LANE_HEIGHT;
        double previousY = bottom;
        for (KernelSummary.Depth d : l.depth()) {
            double px = round(x(d.tsNanos(), startSecond, spanNanos));
            double py = round(bottom - Math.min(1.0, d.depth() / Math.max(1.0, l.backlog()))
                    * LANE_HEIGHT);
            points.append(px).append(',').append(previousY).append(' ')
                    .append(px).append(',').append(py).append(' ');
            previousY = py;
        }
        if (!l.depth().isEmpty()) {
            points.append(round(x(endNanos, startSecond, spanNanos))).append(',')
                    .append(previousY);
        }
        return points.toString().strip();
    }

    /** The smallest readable bucket that keeps the bars at most {@link #MAX_BARS}. */
    static long bucketSeconds(long spanSeconds) {
        for (long b : TextReport.ROUND_BINS_SECONDS) {
            // +1: a span not aligned to the bucket may straddle one bucket more.
            if (spanSeconds / b + 1 <= MAX_BARS) {
                return b;
            }
        }
        return (spanSeconds / (86_400L * (MAX_BARS - 1)) + 1) * 86_400;
    }

    /** 1, 2, 5 times a power of ten, at least {@code n}. */
    static long niceCeiling(long n) {
        long p = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (m * p >= n) {
                    return m * p;
                }
            }
            p *= 10;
        }
    }

    /** Each verdict's share of a 100-unit bar, for a listener's panel. */
    static List<HtmlView.Span> shares(Map<Verdict, Long> byVerdict, long connections) {
        List<HtmlView.Span> shares = new ArrayList<>();
        double x = 0;
        for (Verdict v : Verdict.values()) {
            long n = byVerdict.getOrDefault(v, 0L);
            if (n > 0 && connections > 0) {
                double w = 100.0 * n / connections;
                shares.add(new HtmlView.Span(round(x), round(w), "v-" + v.key(),
                        Format.count(n) + " " + v.key()));
                x += w;
            }
        }
        return shares;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    // ---- the ladder ---------------------------------------------------------------------

    /**
     * A connection's ladder: its first {@link #LADDER_PACKETS_DRAWN} packets as arrows between
     * the client's column and the server's, in time order, with the kernel's records at their
     * times; evidence packets drawn heavier, retransmissions dashed; then the evidence, later
     * failures, kernel records, alternatives, notes, cause, fix and Wireshark filter.
     */
    static HtmlView.Ladder ladder(ConnectionResult r, Times times) {
        Diagnosis d = r.diagnosis();
        long t0 = r.firstSeenNanos();
        Set<Long> evidenceFrames = new HashSet<>();
        d.evidence().forEach(e -> evidenceFrames.add(e.frame()));
        d.also().forEach(f -> f.evidence().forEach(e -> evidenceFrames.add(e.frame())));
        List<LadderStep> steps = r.ladder().subList(0, Math.min(r.ladder().size(),
                LADDER_PACKETS_DRAWN));
        List<KernelEvidence> kernel = d.kernel();
        List<HtmlView.Arrow> arrows = new ArrayList<>();
        List<HtmlView.Mark> marks = new ArrayList<>();
        int row = 0;
        int k = 0;
        for (LadderStep s : steps) {
            // The kernel's records go between the packets they came between.
            for (; k < kernel.size() && kernel.get(k).tsNanos() < s.tsNanos(); k++) {
                marks.add(mark(kernel.get(k), t0, row++));
            }
            arrows.add(arrow(s, t0, row++, evidenceFrames.contains(s.frame())));
        }
        for (; k < kernel.size(); k++) {
            marks.add(mark(kernel.get(k), t0, row++));
        }
        long hidden = r.ladder().size() - steps.size() + r.ladderOmitted();
        String outcome = d.outcome() == Outcome.RECOVERED
                ? "recovered after " + Format.duration(d.recoveryDelayNanos()) : d.outcome().key();
        String detail = d.confidence().key() + " confidence · rule " + d.rule().key()
                + (d.resetBy() != null ? " · reset by " + d.resetBy().key() : "")
                + " · history " + r.history() + " · frames #" + r.firstFrame() + "–#"
                + r.lastFrame();
        return new HtmlView.Ladder(anchor(r.id()), Long.toString(r.id()),
                times.at(r.firstSeenNanos()), r.client().toString(),
                r.server().toString(), d.verdict().key(), outcome, "o-" + d.outcome().key(),
                detail, LADDER_WIDTH, LADDER_CLIENT_X, LADDER_SERVER_X,
                LADDER_TOP + row * LADDER_ROW + 8, arrows, marks, hidden > 0
                ? "… " + Format.count(hidden) + " more packets not drawn" : "", notes(d, t0),
                r.explanation().cause(), r.explanation().remedy(), WiresharkFilter.of(r));
    }

    private static HtmlView.Arrow arrow(LadderStep s, long t0, int row, boolean evidence) {
        double y = LADDER_TOP + row * LADDER_ROW;
        double from = s.fromClient() ? LADDER_CLIENT_X : LADDER_SERVER_X;
        double to = s.fromClient() ? LADDER_SERVER_X : LADDER_CLIENT_X;
        double endY = y + LADDER_FALL;
        double dir = Math.signum(to - from);
        // The head: a triangle 9 units long whose tip is the arrow's end.
        String head = round(to) + "," + round(endY) + " " + round(to - 9 * dir) + ","
                + round(endY - 5.5) + " " + round(to - 9 * dir) + "," + round(endY + 2.5);
        StringBuilder label = new StringBuilder(s.flagsText()).append("  seq ").append(s.relSeq());
        if (s.relAck() >= 0) {
            label.append(" ack ").append(s.relAck());
        }
        if (s.payloadLength() > 0) {
            label.append(" len ").append(s.payloadLength());
        }
        label.append(" win ").append(s.window());
        if (s.retransmission()) {
            label.append("  retransmission");
        }
        String time = "+" + Format.duration(s.tsNanos() - t0);
        String css = (s.fromClient() ? "c2s" : "s2c") + (evidence ? " ev" : "")
                + (s.retransmission() ? " rtx" : "");
        return new HtmlView.Arrow(from, y, round(to - 8 * dir), endY, head,
                (LADDER_CLIENT_X + LADDER_SERVER_X) / 2.0, y - 3, label.toString(), y + 5, time,
                "#" + s.frame(), css, "frame #" + s.frame() + ", " + time + ", "
                + (s.fromClient() ? "client → server" : "server → client") + ": " + label
                + (evidence ? " (evidence)" : ""));
    }

    private static HtmlView.Mark mark(KernelEvidence e, long t0, int row) {
        double y = LADDER_TOP + row * LADDER_ROW + LADDER_FALL / 2.0;
        // The kernel's text (a tracepoint's reason) is its own: made printable.
        return new HtmlView.Mark(LADDER_SERVER_X, y, LADDER_SERVER_X - 12, "kernel +"
                + Format.duration(e.tsNanos() - t0) + ": " + Printable.escape(e.note())
                + (e.reason() != null ? " [" + Printable.escape(e.reason()) + "]" : ""));
    }

    private static List<HtmlView.Note> notes(Diagnosis d, long t0) {
        List<HtmlView.Note> notes = new ArrayList<>();
        evidence(notes, d.evidence(), t0);
        for (Failure f : d.also()) {
            notes.add(new HtmlView.Note("then", "+" + Format.duration(f.atNanos() - t0) + " "
                    + f.verdict().key() + " [" + f.confidence().key() + " confidence, rule "
                    + f.rule().key() + "]"));
            evidence(notes, f.evidence(), t0);
        }
        for (KernelEvidence k : d.kernel()) {
            notes.add(new HtmlView.Note("kernel", "+" + Format.duration(k.tsNanos() - t0) + ": "
                    + Printable.escape(k.note()) + (k.reason() != null ? " ["
                    + Printable.escape(k.reason()) + "]" : "")));
        }
        for (Alternative a : d.alternatives()) {
            notes.add(new HtmlView.Note("or", a.verdict().key() + ": " + a.reason()));
        }
        for (String n : d.notes()) {
            notes.add(new HtmlView.Note("note", n));
        }
        return notes;
    }

    private static void evidence(List<HtmlView.Note> notes, List<Evidence> evidence, long t0) {
        for (Evidence e : evidence) {
            notes.add(new HtmlView.Note("evidence", "#" + e.frame() + " +"
                    + Format.duration(e.tsNanos() - t0) + ": " + e.note()));
        }
    }
}
