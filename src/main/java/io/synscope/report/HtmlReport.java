package io.synscope.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.WriterOutput;
import io.synscope.capture.CapturePart;
import io.synscope.capture.Printable;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelSummary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One self-contained HTML page (docs/html.md): the summary and findings of the text report, a
 * chart of failures over time stacked by verdict (with the kernel's full accept queues under
 * it), a panel per listener, a ladder diagram per failure (the text report's choice, through
 * {@link LadderSample}) and a sortable, filterable table of connections. Written at
 * {@link #onFinish} through the precompiled jte template {@code report.jte} with HTML
 * escaping; nothing in it is fetched (no script, style, font or image from elsewhere) and the
 * page says so with its Content-Security-Policy.
 *
 * <p>Memory is bounded: the ladders as in the text report, at most {@link #MAX_TABLE_ROWS}
 * rows (failures first, then the earliest), and a count per second and verdict of failures.
 */
public final class HtmlReport implements AnalysisSink {
    /** Rows of the connections table at most: a browser stays quick, the file a few MB. */
    static final int MAX_TABLE_ROWS = 5_000;
    /** Listener panels at most, the busiest first (the JSON has every server). */
    static final int MAX_PANELS = 20;
    private static final String TEMPLATE = "report.jte";
    /** The package the build (jte-maven-plugin) compiles the templates into. */
    private static final String TEMPLATE_PACKAGE = "io.synscope.report";

    /**
     * Failures before other connections, then earliest first: the order rows are kept in when
     * there are more than fit. A class, not comparator lambdas (see {@link LadderSample}).
     */
    private static final Comparator<KeptRow> ROW_ORDER = new Comparator<>() {
        @Override
        public int compare(KeptRow a, KeptRow b) {
            return a.failure() != b.failure() ? (a.failure() ? -1 : 1)
                    : LadderSample.compareStarts(a.firstSeenNanos(), a.id(), b.firstSeenNanos(),
                    b.id());
        }
    };

    /** Earliest first, for the table's first order. */
    private static final Comparator<KeptRow> ROW_START = new Comparator<>() {
        @Override
        public int compare(KeptRow a, KeptRow b) {
            return LadderSample.compareStarts(a.firstSeenNanos(), a.id(), b.firstSeenNanos(),
                    b.id());
        }
    };

    private record KeptRow(boolean failure, long firstSeenNanos, long id, Verdict verdict,
                           HtmlView.Row row) {
    }

    private final Writer out;
    private final boolean all;
    private final String version;
    /** The selection options as given, or "" (see {@link SelectingSink}). */
    private final String selection;
    private final LadderSample ladders;
    private final int maxRows;
    /** The kept rows, the one to evict first on top. */
    private final PriorityQueue<KeptRow> rows = new PriorityQueue<>(ROW_ORDER.reversed());
    /** Connections offered through {@link #keeps}: each is asked about once. */
    private long offered;
    private long selectedFailures;
    /** Per epoch second with failures, the failures of each verdict (by ordinal). */
    private final SortedMap<Long, long[]> failuresPerSecond = new TreeMap<>();
    private final ReportZone zone;
    /**
     * How times are shown: always dated (a page is read out of context: a ticket, a mail), with
     * offsets too once the capture is known to span an offset change (at {@link #onFinish}).
     */
    private Times times;

    /**
     * @param all        the table lists every connection, not only failures
     * @param maxLadders ladder diagrams of at most this many failures
     * @param selection  the selection options as given behind a {@link SelectingSink}, or ""
     * @param zone       the zone every time is shown in (--tz)
     */
    public HtmlReport(Writer out, boolean all, int maxLadders, String version, String selection,
                      ReportZone zone) {
        this(out, all, maxLadders, MAX_TABLE_ROWS, version, selection, zone);
    }

    /** As the public constructor, with a table of at most {@code maxRows} rows. */
    HtmlReport(Writer out, boolean all, int maxLadders, int maxRows, String version,
               String selection, ReportZone zone) {
        this.zone = zone;
        this.times = Times.timeOfDay(zone).withDates();
        this.maxRows = maxRows;
        this.out = out;
        this.all = all;
        this.version = version;
        this.selection = selection;
        this.ladders = new LadderSample(maxLadders);
    }

    @Override
    public boolean wants(Verdict v) {
        return all || v.isFailure();
    }

    /** Counts the connection for the chart; true when its ladder or its row would be kept. */
    @Override
    public boolean keeps(Verdict v, long firstSeenNanos, long id) {
        offered++;
        boolean failure = v.isFailure();
        if (failure) {
            selectedFailures++;
            // No computeIfAbsent lambda on the first connections' path (see LadderSample).
            Long second = Math.floorDiv(firstSeenNanos, HtmlGraphics.SECOND);
            long[] counts = failuresPerSecond.get(second);
            if (counts == null) {
                counts = new long[Verdict.values().length];
                failuresPerSecond.put(second, counts);
            }
            counts[v.ordinal()]++;
        }
        return failure && ladders.keeps(v, firstSeenNanos, id)
                || keepsRow(failure, firstSeenNanos, id);
    }

    private boolean keepsRow(boolean failure, long firstSeenNanos, long id) {
        if (rows.size() < maxRows) {
            return true;
        }
        KeptRow last = rows.peek();
        return ROW_ORDER.compare(new KeptRow(failure, firstSeenNanos, id, null, null), last) < 0;
    }

    @Override
    public void onConnection(ConnectionResult r) {
        boolean failure = r.verdict().isFailure();
        if (failure) {
            ladders.add(r);
        }
        if (keepsRow(failure, r.firstSeenNanos(), r.id())) {
            rows.add(new KeptRow(failure, r.firstSeenNanos(), r.id(), r.verdict(), row(r)));
            if (rows.size() > maxRows) {
                rows.poll();
            }
        }
    }

    @Override
    public void onFinish(CaptureInfo capture, Summary summary) throws IOException {
        HtmlView.Page page = page(capture, summary);
        try {
            Templates.ENGINE.render(TEMPLATE, page, new WriterOutput(out));
        } catch (UncheckedIOException e) {
            // jte's output wraps the Writer's failure (a full disk, a closed pipe).
            throw e.getCause();
        }
        out.flush();
    }

    /** Loaded once, when the first HTML report is written: the templates are compiled classes. */
    private static final class Templates {
        static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(null,
                ContentType.Html, HtmlReport.class.getClassLoader(), TEMPLATE_PACKAGE);
    }

    // ---- the page -----------------------------------------------------------------------

    HtmlView.Page page(CaptureInfo c, Summary s) {
        if (c.frames() > 0) {
            times = Times.forSpan(zone, c.firstTsNanos(), c.lastTsNanos()).withDates();
        }
        String name = Printable.escape(c.name());
        String source = name + " (" + c.format()
                + (c.linkTypes().isEmpty() ? "" : ", " + String.join("+", c.linkTypes())) + ")";
        List<String> warnings = new ArrayList<>();
        if (s.oneDirection() > 0) {
            warnings.add("one direction: " + Format.count(s.oneDirection()) + " of "
                    + Format.count(s.connections()) + " connections show one side's packets only,"
                    + " though the other side's must have been sent: the capture misses a"
                    + " direction (asymmetric routing, a tap on one port); they are judged"
                    + " incomplete");
        }
        for (String w : c.warnings()) {
            warnings.add("warning: " + Printable.escape(w));
        }
        for (String p : c.decodeProblems()) {
            warnings.add("undecodable: " + Printable.escape(p));
        }
        List<HtmlView.Ladder> drawn = new ArrayList<>();
        Set<Long> drawnIds = new HashSet<>();
        for (ConnectionResult r : ladders.pick()) {
            drawn.add(HtmlGraphics.ladder(r, times));
            drawnIds.add(r.id());
        }
        return new HtmlView.Page(version, times.zone().name(), "synscope — " + name, source,
                facts(c, s), outcomes(s), files(c), warnings, findings(s), kernel(c.kernel(), s),
                HtmlGraphics.chart(c, failuresPerSecond, kernelLanes(c.kernel()), selection,
                        times),
                panels(c.kernel(), s), s.servers().size() > MAX_PANELS ? "… "
                + Format.count(s.servers().size() - MAX_PANELS) + " more servers (all of them:"
                + " --format json or csv)" : "", ladderHeading(s, drawn.size()), drawn,
                drawn.size() < selectedFailures ? "… " + Format.count(selectedFailures
                - drawn.size()) + " more failures not drawn: --max-ladders N draws more; the"
                + " table below lists them" : "", table(drawnIds));
    }

    private List<HtmlView.Fact> facts(CaptureInfo c, Summary s) {
        List<HtmlView.Fact> facts = new ArrayList<>();
        facts.add(new HtmlView.Fact("frames read", Format.count(c.frames()) + " ("
                + Format.count(c.tcpSegments()) + " TCP segments)"));
        if (c.skippedTotal() > 0) {
            List<String> why = new ArrayList<>();
            c.skippedByDescription().forEach((what, n) -> why.add(Format.count(n) + " " + what));
            facts.add(new HtmlView.Fact("skipped", Format.count(c.skippedTotal()) + ": "
                    + String.join("; ", why)));
        }
        if (c.latePackets() > 0) {
            facts.add(new HtmlView.Fact("trailing packets", Format.count(c.latePackets())
                    + " of already-closed connections, not analysed"));
        }
        if (c.duplicatePackets() > 0) {
            facts.add(new HtmlView.Fact("captured twice", Format.count(c.duplicatePackets())
                    + " packets, counted once"));
        }
        if (c.stats() != null) {
            facts.add(new HtmlView.Fact("capture losses", Format.count(c.stats().kernelDrops())
                    + " dropped by the kernel, " + Format.count(c.stats().interfaceDrops())
                    + " by the interface, of " + Format.count(c.stats().received())
                    + " received"));
        }
        if (c.frames() > 0) {
            facts.add(new HtmlView.Fact("time", times.at(c.firstTsNanos()) + " → "
                    + times.at(c.lastTsNanos()) + " " + times.zone().name() + " ("
                    + Format.duration(c.lastTsNanos() - c.firstTsNanos()) + ")"));
        }
        facts.add(new HtmlView.Fact("connections", Format.count(s.connections())
                + " (at most " + Format.count(c.peakOpenConnections()) + " open at once)"));
        facts.add(new HtmlView.Fact("failures", Format.count(s.failures()) + " with a failure"
                + " verdict, recovered connections included"));
        for (Map.Entry<Verdict, Summary.DelayStats> e : s.recoveryDelays().entrySet()) {
            Summary.DelayStats d = e.getValue();
            facts.add(new HtmlView.Fact(e.getKey().key() + " recovered", Format.count(d.count())
                    + " after " + Format.duration(d.minNanos()) + " to "
                    + Format.duration(d.maxNanos()) + " (mean " + Format.duration(d.meanNanos())
                    + ")"));
        }
        return facts;
    }

    private static List<HtmlView.Count> outcomes(Summary s) {
        List<HtmlView.Count> counts = new ArrayList<>();
        for (Outcome o : List.of(Outcome.FAILED, Outcome.RECOVERED, Outcome.OK, Outcome.UNKNOWN)) {
            long n = s.byOutcome().get(o);
            if (n > 0 || o != Outcome.UNKNOWN) {
                counts.add(new HtmlView.Count(o.key(), "o-" + o.key(), Format.count(n)));
            }
        }
        return counts;
    }

    /** Several merged files: which frames and times each holds. */
    private List<String> files(CaptureInfo c) {
        List<String> files = new ArrayList<>();
        if (c.files().size() < 2) {
            return files;
        }
        for (CapturePart f : c.files()) {
            files.add(Printable.escape(f.name()) + " (" + f.format() + "): " + (f.frames() == 0
                    ? "no frames" : "frames " + Format.count(f.firstFrame()) + "–"
                    + Format.count(f.lastFrame()) + ", " + times.at(f.firstTsNanos())
                    + " → " + times.at(f.lastTsNanos()) + " " + times.zone().name()));
        }
        return files;
    }

    private static List<HtmlView.Finding> findings(Summary s) {
        List<HtmlView.Finding> findings = new ArrayList<>();
        for (Summary.ListenerFinding f : s.listenerFindings()) {
            findings.add(finding(f));
        }
        return findings;
    }

    private static HtmlView.Finding finding(Summary.ListenerFinding f) {
        return new HtmlView.Finding(f.server().toString(), f.finding(), f.remedy());
    }

    private HtmlView.Kernel kernel(KernelSummary k, Summary s) {
        if (k == null) {
            return null;
        }
        List<HtmlView.KernelListener> listeners = new ArrayList<>();
        for (KernelSummary.Listener l : k.listeners()) {
            listeners.add(kernelListener(k, l, s));
        }
        return new HtmlView.Kernel(KernelWording.sources(k), listeners, KernelWording.quiet(k),
                KernelWording.countersThatRose(k), KernelWording.missing(k),
                KernelWording.notKept(k));
    }

    private HtmlView.KernelListener kernelListener(KernelSummary k,
                                                   KernelSummary.Listener l, Summary s) {
        String fix = ListenerAdvice.kernelFix(k, l);
        return new HtmlView.KernelListener(l.listener().toString(),
                KernelWording.queues(l, times), ListenerAdvice.verdictsAt(s, l.listener()),
                fix == null ? "" : fix);
    }

    /** The listeners whose accept queue held a connection at some sample, busiest first. */
    private static List<KernelSummary.Listener> kernelLanes(KernelSummary k) {
        List<KernelSummary.Listener> lanes = new ArrayList<>();
        if (k != null) {
            for (KernelSummary.Listener l : k.listeners()) {
                if (l.peakDepth() > 0) {
                    lanes.add(l);
                }
            }
        }
        return lanes;
    }

    private List<HtmlView.Panel> panels(KernelSummary k, Summary s) {
        List<HtmlView.Panel> panels = new ArrayList<>();
        for (Summary.ServerSummary srv : s.servers()) {
            if (panels.size() == MAX_PANELS) {
                break;
            }
            HtmlView.Finding finding = null;
            for (Summary.ListenerFinding f : s.listenerFindings()) {
                if (f.server().equals(srv.server())) {
                    finding = finding(f);
                }
            }
            HtmlView.KernelListener kernel = null;
            if (k != null) {
                for (KernelSummary.Listener l : k.listeners()) {
                    if (kernel == null && ListenerAdvice.serves(l.listener(), srv.server())) {
                        kernel = kernelListener(k, l, s);
                    }
                }
            }
            List<HtmlView.Count> verdicts = new ArrayList<>();
            srv.byVerdict().forEach((v, n) -> {
                if (n > 0) {
                    verdicts.add(new HtmlView.Count(v.key(), "v-" + v.key(), Format.count(n)));
                }
            });
            panels.add(new HtmlView.Panel(srv.server().toString(),
                    Format.count(srv.connections()), Format.count(srv.failures()),
                    Format.percent(srv.failureRate()), verdicts,
                    HtmlGraphics.shares(srv.byVerdict(), srv.connections()), finding, kernel));
        }
        return panels;
    }

    private String ladderHeading(Summary s, int drawn) {
        if (selectedFailures == 0) {
            return selection.isEmpty() ? "No failed connections."
                    : "No failed connections selected by " + Printable.escape(selection) + " ("
                    + Format.count(s.failures()) + " failures in all).";
        }
        return "Failures, earliest first (" + drawn + " of " + Format.count(selectedFailures)
                + (selection.isEmpty() ? " drawn)" : " selected by " + Printable.escape(selection)
                + " drawn; " + Format.count(s.failures()) + " in all)");
    }

    /** The kept rows, earliest first; those with a ladder drawn link to it. */
    private HtmlView.Table table(Set<Long> drawnIds) {
        List<KeptRow> kept = new ArrayList<>(rows);
        kept.sort(ROW_START);
        Set<Verdict> verdicts = EnumSet.noneOf(Verdict.class);
        List<HtmlView.Row> list = new ArrayList<>(kept.size());
        for (KeptRow k : kept) {
            verdicts.add(k.verdict());
            list.add(k.row().finish(times.at(k.firstSeenNanos()), drawnIds.contains(k.id())
                    ? HtmlGraphics.anchor(k.id()) : ""));
        }
        List<String> keys = new ArrayList<>();
        verdicts.forEach(v -> keys.add(v.key()));
        String what = all ? "every connection" : "failures only (--all lists every connection)";
        if (!selection.isEmpty()) {
            what += ", selected by " + Printable.escape(selection);
        }
        return new HtmlView.Table("Connections: " + what, list, offered > list.size() ? "… "
                + Format.count(offered - list.size()) + " more connections not in this table (it"
                + " holds " + Format.count(maxRows) + ", failures first): --format csv"
                + " lists every one" : "", keys);
    }

    /** The table's row of one connection. */
    private HtmlView.Row row(ConnectionResult r) {
        Diagnosis d = r.diagnosis();
        long durationNanos = r.lastSeenNanos() - r.firstSeenNanos();
        return new HtmlView.Row(Long.toString(r.id()), "",
                Long.toString(Math.floorDiv(r.firstSeenNanos(), 1000L)), r.client().toString(),
                r.server().toString(), d.verdict().key(), d.outcome() == Outcome.RECOVERED
                ? "recovered after " + Format.duration(d.recoveryDelayNanos()) : d.outcome().key(),
                d.confidence().key(), d.rule().key(), d.resetBy() == null ? "" : d.resetBy().key(),
                r.fromClient().packets() + r.fromServer().packets(),
                r.fromClient().payloadBytes() + r.fromServer().payloadBytes(),
                Format.duration(durationNanos), Long.toString(durationNanos / 1000L),
                r.history(), "");
    }
}
