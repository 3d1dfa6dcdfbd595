package io.synscope.report;

import io.synscope.capture.CapturePart;
import io.synscope.capture.Printable;
import io.synscope.diagnose.Alternative;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.Evidence;
import io.synscope.diagnose.Failure;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.KernelEvidence;
import io.synscope.diagnose.LadderStep;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelSummary;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The terminal report: what was read, verdicts per server, what each listener's failures point
 * at, failures per second, and a ladder for each failure in time order.
 *
 * <p>Memory stays bounded however many failures there are: per verdict only the earliest
 * {@code maxLadders} are kept, and the ladders shown are picked across verdicts so that every
 * kind of failure gets an example before any kind gets a second one.
 */
public final class TextReport implements AnalysisSink {
    private static final int LADDER_PACKETS_SHOWN = 24;
    private static final int HISTOGRAM_ROWS = 30;
    private static final int HISTOGRAM_WIDTH = 40;
    private static final int SERVERS_SHOWN = 20;
    /** Findings with one fix shown one by one; the servers of the rest are counted. */
    private static final int FINDINGS_PER_FIX = 4;
    /** Servers named per finding; the rest are counted. */
    private static final int SERVERS_PER_FINDING = 6;
    private static final long SECONDS_PER_DAY = 86_400;
    /** Bin widths a person reads at a glance, for the histogram and the HTML chart alike. */
    static final long[] ROUND_BINS_SECONDS = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600,
            900, 1800, 3600, 7200, 10_800, 21_600, 43_200, SECONDS_PER_DAY};
    private static final Comparator<Map.Entry<String, List<HostPort>>> MOST_SERVERS_FIRST =
            new Comparator<>() {
                @Override
                public int compare(Map.Entry<String, List<HostPort>> a,
                                   Map.Entry<String, List<HostPort>> b) {
                    return Integer.compare(b.getValue().size(), a.getValue().size());
                }
            };

    private final PrintWriter out;
    private final Style style;
    private final String version;
    /** The selection options as given, or "" (see {@link SelectingSink}). */
    private final String selection;
    private final ReportZone zone;
    /** How times are printed: known once the capture's span is ({@link #onFinish}). */
    private Times times;
    /** Selected failures: each is asked about once, through {@link #keeps}. */
    private long selectedFailures;
    private final LadderSample ladders;

    /**
     * @param color      ANSI colours (the caller decides: a TTY and no NO_COLOR)
     * @param maxLadders how many failure ladders to print at most
     */
    public TextReport(PrintWriter out, boolean color, int maxLadders, String version) {
        this(out, color, maxLadders, version, "", ReportZone.UTC);
    }

    /**
     * As {@link #TextReport(PrintWriter, boolean, int, String)}, with times in {@code zone}, and
     * behind a {@link SelectingSink} with these options when {@code selection} is not "": the
     * ladders are of the selected failures, and say so.
     */
    public TextReport(PrintWriter out, boolean color, int maxLadders, String version,
                      String selection, ReportZone zone) {
        this.out = out;
        this.style = new Style(color);
        this.ladders = new LadderSample(maxLadders);
        this.version = version;
        this.selection = selection;
        this.zone = zone;
        this.times = Times.timeOfDay(zone);
    }

    @Override
    public boolean wants(Verdict v) {
        return v.isFailure();
    }

    /** What {@link #onConnection} will keep: any while its verdict has room, then earlier ones. */
    @Override
    public boolean keeps(Verdict v, long firstSeenNanos, long id) {
        selectedFailures++;
        return ladders.keeps(v, firstSeenNanos, id);
    }

    @Override
    public void onConnection(ConnectionResult r) {
        ladders.add(r);
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        if (capture.frames() > 0) {
            times = Times.forSpan(zone, capture.firstTsNanos(), capture.lastTsNanos());
        }
        header(capture, summary);
        serverTable(summary);
        listenerFindings(summary);
        kernel(capture.kernel(), summary);
        histogram(summary);
        timeline(summary);
        out.flush();
        if (out.checkError()) {
            throw new IOException("writing the report failed");
        }
    }

    // ---- sections -----------------------------------------------------------------------

    private void header(CaptureInfo c, Summary s) {
        out.println(style.bold("synscope " + version) + " — " + Printable.escape(c.name())
                + " (" + c.format()
                + (c.linkTypes().isEmpty() ? "" : ", " + String.join("+", c.linkTypes())) + ")");
        StringBuilder read = new StringBuilder("read ").append(Format.count(c.frames()))
                .append(" frames: ").append(Format.count(c.tcpSegments())).append(" TCP segments");
        if (c.skippedTotal() > 0) {
            read.append(", ").append(Format.count(c.skippedTotal())).append(" skipped (");
            List<String> parts = new ArrayList<>();
            c.skippedByDescription().forEach((what, n) -> parts.add(Format.count(n) + " " + what));
            read.append(String.join("; ", parts)).append(')');
        }
        if (c.latePackets() > 0) {
            read.append(", ").append(Format.count(c.latePackets())).append(" late packet")
                    .append(c.latePackets() == 1 ? "" : "s").append(" (arrived after their"
                    + " connection was over: counted, not judged)");
        }
        if (c.duplicatePackets() > 0) {
            read.append(", ").append(Format.count(c.duplicatePackets()))
                    .append(" captured twice (counted once)");
        }
        out.println(read);
        if (c.files().size() > 1) {
            files(c.files());
        }
        if (c.stats() != null) {
            out.println("capture losses: " + Format.count(c.stats().kernelDrops())
                    + " dropped by the kernel, " + Format.count(c.stats().interfaceDrops())
                    + " by the interface, of " + Format.count(c.stats().received())
                    + " received");
        }
        if (c.frames() > 0) {
            out.println("time " + span(c.firstTsNanos(), c.lastTsNanos()) + " ("
                    + Format.duration(c.lastTsNanos() - c.firstTsNanos()) + ")");
        }
        // By outcome, so the four add up to the connections.
        long unknown = s.byOutcome().get(Outcome.UNKNOWN);
        long failed = s.byOutcome().get(Outcome.FAILED);
        out.println("connections " + Format.count(s.connections()) + " (at most "
                + Format.count(c.peakOpenConnections()) + " open at once): "
                + style.bad(Format.count(failed) + " failed") + ", "
                + style.warn(Format.count(s.byOutcome().get(Outcome.RECOVERED)) + " recovered")
                + ", " + style.good(Format.count(s.byOutcome().get(Outcome.OK)) + " ok")
                + (unknown > 0 ? ", " + Format.count(unknown) + " unknown" : "")
                + failuresByOutcome(s));
        if (s.oneDirection() > 0) {
            out.println(style.warn("one direction: ") + Format.count(s.oneDirection()) + " of "
                    + Format.count(s.connections()) + " connections show one side's packets"
                    + " only, though the other side's must have been sent: the capture misses a"
                    + " direction (asymmetric routing, a tap on one port); they are judged"
                    + " incomplete");
        }
        for (String w : c.warnings()) {
            out.println(style.warn("warning: ") + Printable.escape(w));
        }
        for (String p : c.decodeProblems()) {
            out.println(style.warn("undecodable: ") + Printable.escape(p));
        }
        out.println();
    }

    /**
     * "; 18 failures: 14 failed + 2 recovered + 2 ok …": how the failures the rest of the report
     * counts (connections with a failure verdict) make up from the outcomes just printed; "" when
     * they are the failed connections alone.
     */
    private static String failuresByOutcome(Summary s) {
        Map<Outcome, Long> f = s.failuresByOutcome();
        long failed = f.get(Outcome.FAILED);
        if (s.failures() == failed) {
            return "";
        }
        StringBuilder sb = new StringBuilder("; ").append(Format.count(s.failures()))
                .append(" failures: ").append(Format.count(failed)).append(" failed");
        if (f.get(Outcome.RECOVERED) > 0) {
            sb.append(" + ").append(Format.count(f.get(Outcome.RECOVERED))).append(" recovered");
        }
        if (f.get(Outcome.OK) > 0) {
            sb.append(" + ").append(Format.count(f.get(Outcome.OK)))
                    .append(" ok (an abortive close after all was delivered)");
        }
        if (f.get(Outcome.UNKNOWN) > 0) {
            sb.append(" + ").append(Format.count(f.get(Outcome.UNKNOWN)))
                    .append(" unknown (the capture ends too soon)");
        }
        return sb.toString();
    }

    /**
     * "2026-11-21 06:52:33.872390 → 06:53:20.685956 UTC": the start with its date, the end with
     * its own when the span crosses a day; a zone with rules (Europe/Paris) gives each end its
     * offset, which a daylight-saving change in between makes differ. A fixed offset's name
     * (UTC+05:45) is its offset already.
     */
    private String span(long fromNanos, long toNanos) {
        Times ends = zone.isFixed() ? times : times.withOffsets();
        return ends.dateAt(fromNanos) + " → " + ends.at(toNanos) + " " + zone.name();
    }

    /** Which merged frames, and which times, each of several files holds. */
    private void files(List<CapturePart> files) {
        out.println(Format.count(files.size()) + " files, read as one capture in time order"
                + " (frame numbers count the merged frames):");
        for (CapturePart f : files) {
            String frames = f.frames() == 0 ? "no frames"
                    : "frames " + Format.count(f.firstFrame()) + "–" + Format.count(f.lastFrame())
                    + ", " + span(f.firstTsNanos(), f.lastTsNanos());
            out.println("  " + Printable.escape(f.name()) + " (" + f.format() + "): " + frames);
        }
    }

    private void serverTable(Summary s) {
        List<Verdict> columns = new ArrayList<>();
        for (Map.Entry<Verdict, Long> e : s.byVerdict().entrySet()) {
            if (e.getValue() > 0) {
                columns.add(e.getKey());
            }
        }
        if (columns.isEmpty()) {
            out.println("no TCP connections in this capture");
            return;
        }
        out.println(style.bold("Verdicts by server"));
        int nameWidth = 21;
        for (int i = 0; i < Math.min(SERVERS_SHOWN, s.servers().size()); i++) {
            nameWidth = Math.max(nameWidth, s.servers().get(i).server().toString().length());
        }
        StringBuilder head = new StringBuilder(pad("server", nameWidth)).append(lpad("conns", 8))
                .append(lpad("failures", 9)).append(lpad("rate", 7));
        for (Verdict v : columns) {
            head.append(lpad(v.key(), Math.max(v.key().length(), 5) + 2));
        }
        out.println(style.dim(head.toString()));
        int shown = 0;
        for (Summary.ServerSummary srv : s.servers()) {
            if (shown++ == SERVERS_SHOWN) {
                out.println("… " + (s.servers().size() - SERVERS_SHOWN)
                        + " more servers (all of them: --format json)");
                break;
            }
            StringBuilder row = new StringBuilder(pad(srv.server().toString(), nameWidth))
                    .append(lpad(Format.count(srv.connections()), 8))
                    .append(lpad(Format.count(srv.failures()), 9))
                    .append(lpad(Format.percent(srv.failureRate()), 7));
            for (Verdict v : columns) {
                long n = srv.byVerdict().getOrDefault(v, 0L);
                row.append(lpad(n == 0 ? "·" : Format.count(n), Math.max(v.key().length(), 5) + 2));
            }
            out.println(row);
        }
        if (s.servers().size() > 1) {
            StringBuilder total = new StringBuilder(pad("all", nameWidth))
                    .append(lpad(Format.count(s.connections()), 8))
                    .append(lpad(Format.count(s.failures()), 9))
                    .append(lpad(Format.percent(s.connections() == 0 ? 0
                            : (double) s.failures() / s.connections()), 7));
            for (Verdict v : columns) {
                total.append(lpad(Format.count(s.byVerdict().get(v)),
                        Math.max(v.key().length(), 5) + 2));
            }
            out.println(style.bold(total.toString()));
        }
        long later = 0;
        for (Summary.ServerSummary srv : s.servers()) {
            for (long n : srv.laterByVerdict().values()) {
                later += n;
            }
        }
        out.println(style.dim("failures: connections with a verdict other than ok and"
                + " incomplete, recovered ones included, each counted once"
                + (later == 0 ? "" : "; their " + Format.count(later) + " later failure"
                + (later == 1 ? "" : "s") + " of another kind are not counted again (then"
                + " lines under a ladder)")));
        for (Map.Entry<Verdict, Summary.DelayStats> e : s.recoveryDelays().entrySet()) {
            Summary.DelayStats d = e.getValue();
            out.println(e.getKey().key() + ": " + d.count() + " recovered after "
                    + Format.duration(d.minNanos()) + " to " + Format.duration(d.maxNanos())
                    + " (mean " + Format.duration(d.meanNanos()) + ")");
        }
        out.println();
    }

    private void listenerFindings(Summary s) {
        if (s.listenerFindings().isEmpty()) {
            return;
        }
        out.println(style.bold("What the failures point at"));
        // Grouped by fix (in the order of their first server, most failures first), then by
        // finding: a busy capture's hundreds of servers failing alike stay a few lines.
        Map<String, Map<String, List<HostPort>>> byRemedy = new LinkedHashMap<>();
        for (Summary.ListenerFinding f : s.listenerFindings()) {
            byRemedy.computeIfAbsent(f.remedy(), r -> new LinkedHashMap<>())
                    .computeIfAbsent(f.finding(), r -> new ArrayList<>()).add(f.server());
        }
        for (Map.Entry<String, Map<String, List<HostPort>>> group : byRemedy.entrySet()) {
            // The finding most servers share first (a sort keeps equals in their order).
            List<Map.Entry<String, List<HostPort>>> findings =
                    new ArrayList<>(group.getValue().entrySet());
            findings.sort(MOST_SERVERS_FIRST);
            int shown = 0;
            long otherServers = 0;
            for (Map.Entry<String, List<HostPort>> finding : findings) {
                List<HostPort> servers = finding.getValue();
                if (shown == FINDINGS_PER_FIX) {
                    otherServers += servers.size();
                    continue;
                }
                shown++;
                if (servers.size() == 1) {
                    out.println(style.bad("• ") + style.bold(servers.get(0).toString()) + "  "
                            + finding.getKey());
                    continue;
                }
                out.println(style.bad("• ") + style.bold(Format.count(servers.size())
                        + " servers") + "  " + finding.getKey());
                out.println("    " + serverList(servers));
            }
            if (otherServers > 0) {
                out.println(style.bad("• ") + "… " + Format.count(otherServers) + " more server"
                        + (otherServers == 1 ? "" : "s") + " with other counts of the same"
                        + " (all of them: --format json)");
            }
            out.println("  fix: " + group.getKey());
        }
        out.println();
    }

    /** The first {@link #SERVERS_PER_FINDING} servers, then "… N more". */
    private static String serverList(List<HostPort> servers) {
        StringBuilder sb = new StringBuilder();
        int listed = Math.min(servers.size(), SERVERS_PER_FINDING);
        for (int i = 0; i < listed; i++) {
            sb.append(i == 0 ? "" : ", ").append(servers.get(i));
        }
        if (listed < servers.size()) {
            sb.append(", … ").append(Format.count(servers.size() - listed)).append(" more");
        }
        return sb.toString();
    }

    /**
     * What the kernel said, per listener: when its accept queue was full, how deep, which limit
     * bound it and what to change, beside the verdicts of its connections; then the counters
     * that rose and the sources that were missing. Nothing without kernel evidence.
     */
    private void kernel(KernelSummary k, Summary s) {
        if (k == null) {
            return;
        }
        out.println(style.bold("What the kernel saw") + style.dim(" ("
                + KernelWording.sources(k) + ")"));
        for (KernelSummary.Listener l : k.listeners()) {
            String line = KernelWording.queues(l, times);
            String verdicts = ListenerAdvice.verdictsAt(s, l.listener());
            if (!verdicts.isEmpty()) {
                line += "; " + verdicts;
            }
            out.println(style.bad("• ") + style.bold(l.listener().toString()) + "  " + line);
            String fix = ListenerAdvice.kernelFix(k, l);
            if (fix != null) {
                out.println("  fix: " + fix);
            }
        }
        String quiet = KernelWording.quiet(k);
        if (!quiet.isEmpty()) {
            out.println(style.dim("  " + quiet));
        }
        String rose = KernelWording.countersThatRose(k);
        if (!rose.isEmpty()) {
            out.println("counters over the capture: " + rose);
        }
        for (String m : KernelWording.missing(k)) {
            out.println(style.warn("missing: ") + m);
        }
        String notKept = KernelWording.notKept(k);
        if (!notKept.isEmpty()) {
            out.println(style.warn("not kept: ") + notKept);
        }
        out.println();
    }

    private void histogram(Summary s) {
        if (s.failuresPerSecond().isEmpty()) {
            return;
        }
        long lastSecond = s.failuresPerSecond().lastKey();
        long bin = histogramBinSeconds(lastSecond - s.failuresPerSecond().firstKey() + 1);
        // Bins start on the zone's round times (a whole minute, hour, day) as of the first one.
        long offset = zone.offsetSeconds(s.failuresPerSecond().firstKey());
        long firstSecond = Math.floorDiv(s.failuresPerSecond().firstKey() + offset, bin) * bin
                - offset;
        int rows = (int) ((lastSecond - firstSecond) / bin + 1);
        long[] counts = new long[rows];
        for (Map.Entry<Long, Long> e : s.failuresPerSecond().entrySet()) {
            counts[(int) ((e.getKey() - firstSecond) / bin)] += e.getValue();
        }
        long max = 1;
        for (long n : counts) {
            max = Math.max(max, n);
        }
        out.println(style.bold("Failures per " + binName(bin))
                + style.dim(" (" + zone.name() + ", by connection start"
                + (selection.isEmpty() ? "" : "; every failure, the selection aside") + ")"));
        for (int i = 0; i < rows; i++) {
            long startSecond = firstSecond + i * bin;
            int quiet = 0;
            while (i + quiet < rows && counts[i + quiet] == 0) {
                quiet++;
            }
            if (quiet >= 3) {
                // A long quiet stretch is one line, so bursts stay on one screen.
                out.println(style.dim(times.second(startSecond) + " … "
                        + Format.duration(quiet * bin * 1_000_000_000L) + " without failures"));
                i += quiet - 1;
                continue;
            }
            int width = (int) Math.round((double) counts[i] * HISTOGRAM_WIDTH / max);
            out.println(times.second(startSecond) + " "
                    + style.bad("█".repeat(width)) + (counts[i] > 0 && width == 0 ? "▏" : "")
                    + " " + (counts[i] == 0 ? style.dim("0") : Format.count(counts[i])));
        }
        out.println();
    }

    /**
     * The smallest round bin (1, 2, 5, 10, 15 or 30 seconds or minutes, 1, 2, 3, 6 or 12 hours,
     * whole days) that draws {@code spanSeconds} in at most {@link #HISTOGRAM_ROWS} rows.
     */
    static long histogramBinSeconds(long spanSeconds) {
        long needed = (spanSeconds + HISTOGRAM_ROWS - 1) / HISTOGRAM_ROWS;
        for (long bin : ROUND_BINS_SECONDS) {
            if (bin >= needed) {
                return bin;
            }
        }
        return (needed + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY * SECONDS_PER_DAY;
    }

    /** "second", "5 seconds", "minute", "2 hours", "3 days". */
    static String binName(long seconds) {
        long[] units = {SECONDS_PER_DAY, 3600, 60, 1};
        String[] names = {"day", "hour", "minute", "second"};
        for (int i = 0; i < units.length; i++) {
            if (seconds % units[i] == 0) {
                long n = seconds / units[i];
                return n == 1 ? names[i] : n + " " + names[i] + "s";
            }
        }
        throw new AssertionError(seconds);
    }

    private void timeline(Summary s) {
        boolean selected = !selection.isEmpty();
        long failures = selected ? selectedFailures : s.failures();
        if (failures == 0) {
            out.println(selected ? style.good("No failed connections selected by "
                    + Printable.escape(selection) + " (" + Format.count(s.failures())
                    + " failures in all).")
                    : style.good("No failed connections."));
            return;
        }
        List<ConnectionResult> shown = ladders.pick();
        out.println(style.bold("Failures, earliest first") + style.dim(selected
                ? " (" + shown.size() + " shown of " + Format.count(failures) + " selected by "
                + Printable.escape(selection) + "; " + Format.count(s.failures()) + " in all)"
                : " (" + shown.size() + " of " + Format.count(failures) + " shown)"));
        for (ConnectionResult r : shown) {
            out.println();
            ladder(r);
        }
        if (shown.size() < failures) {
            out.println();
            out.println(style.dim("… " + Format.count(failures - shown.size())
                    + " more failures not shown: --max-ladders N shows more,"
                    + " --format json lists every one"));
        }
    }

    /**
     * A connection in one line: start time, client → server, verdict, outcome, and in brackets
     * confidence, rule, who reset and history. A ladder's first line, and a live capture's line
     * per connection.
     */
    static String headline(ConnectionResult r, Style style, Times times) {
        Diagnosis d = r.diagnosis();
        String outcome = switch (d.outcome()) {
            case RECOVERED -> style.warn("recovered after " + Format.duration(d.recoveryDelayNanos()));
            case FAILED -> style.bad("failed");
            default -> d.outcome().key();
        };
        return style.bold(times.at(r.firstSeenNanos())) + "  " + r.client() + " → "
                + r.server() + "  " + style.verdict(d.verdict(), d.verdict().key()) + "  "
                + outcome + style.dim("  [" + d.confidence().key() + " confidence, rule "
                + d.rule().key() + (d.resetBy() != null ? ", reset by " + d.resetBy().key() : "")
                + ", history " + r.history() + "]");
    }

    private void ladder(ConnectionResult r) {
        Diagnosis d = r.diagnosis();
        out.println(headline(r, style, times));
        long t0 = r.firstSeenNanos();
        List<LadderStep> steps = r.ladder();
        int limit = Math.min(steps.size(), LADDER_PACKETS_SHOWN);
        for (int i = 0; i < limit; i++) {
            out.println(step(steps.get(i), t0));
        }
        long hidden = steps.size() - limit + r.ladderOmitted();
        if (hidden > 0) {
            out.println(style.dim("      … " + Format.count(hidden) + " more packets"));
        }
        evidence(d.evidence(), t0);
        for (Failure f : d.also()) {
            out.println("  " + style.dim("then") + " +" + Format.duration(f.atNanos() - t0) + " "
                    + style.verdict(f.verdict(), f.verdict().key()) + style.dim("  ["
                    + f.confidence().key() + " confidence, rule " + f.rule().key() + "]"));
            evidence(f.evidence(), t0);
        }
        for (KernelEvidence k : d.kernel()) {
            // The reason is the kernel's own text (its tracepoint's format file): escaped.
            out.println("  " + style.dim("kernel") + " +" + Format.duration(k.tsNanos() - t0)
                    + ": " + Printable.escape(k.note())
                    + (k.reason() != null ? " [" + Printable.escape(k.reason()) + "]" : ""));
        }
        for (Alternative a : d.alternatives()) {
            out.println("  " + style.dim("or") + " " + a.verdict().key() + ": " + a.reason());
        }
        for (String n : d.notes()) {
            out.println("  " + style.dim("note") + " " + n);
        }
        if (!r.explanation().cause().isEmpty()) {
            out.println("  " + style.dim("cause") + " " + r.explanation().cause());
            out.println("  " + style.dim("fix  ") + " " + r.explanation().remedy());
        }
        out.println("  " + style.dim("filter") + " " + WiresharkFilter.of(r));
    }

    private void evidence(List<Evidence> evidence, long t0) {
        for (Evidence e : evidence) {
            out.println("  " + style.dim("evidence") + " #" + e.frame() + " +"
                    + Format.duration(e.tsNanos() - t0) + ": " + e.note());
        }
    }

    private String step(LadderStep s, long t0) {
        String flags = s.flagsText();
        String arrow = s.fromClient()
                ? "C ──" + padRight(flags, 3, '─') + "──▶ S"
                : "C ◀──" + padRight(flags, 3, '─') + "── S";
        StringBuilder detail = new StringBuilder("seq ").append(s.relSeq());
        if (s.relAck() >= 0) {
            detail.append(" ack ").append(s.relAck());
        }
        if (s.payloadLength() > 0) {
            detail.append(" len ").append(s.payloadLength());
        }
        detail.append(" win ").append(s.window());
        String line = lpad("+" + Format.duration(s.tsNanos() - t0), 13) + "  "
                + pad("#" + s.frame(), 8) + arrow + "  " + detail;
        return s.retransmission() ? line + " " + style.warn("retransmission") : line;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private static String lpad(String s, int width) {
        return s.length() >= width ? " " + s : " ".repeat(width - s.length()) + s;
    }

    private static String padRight(String s, int width, char fill) {
        return s.length() >= width ? s : s + String.valueOf(fill).repeat(width - s.length());
    }
}
