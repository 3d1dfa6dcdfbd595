package io.synscope.report;

import io.synscope.capture.CapturePart;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Diagnosis;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.KernelEvidence;
import io.synscope.diagnose.LadderStep;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelSummary;
import io.synscope.testutil.CollectingSink;
import io.synscope.testutil.Samples;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML renderer on real analyses of the sample captures: what came from outside is escaped
 * wherever it lands, ladders and rows are capped as documented, each ladder's arrows are its
 * connection's packets, and the chart counts every failure once under its verdict; counts
 * are checked against how the lab made the capture (its .expected.json).
 */
class HtmlReportTest {
    /** A file name (and warning, kernel text) that would run script if pasted into HTML. */
    private static final String HOSTILE = "\"><img src=x onerror=alert(1)>"
            + "<script>alert(2)</script></style></title>'\u001b[31m\u202e.pcap";

    /** An analysis, every connection kept, to feed a report by hand. */
    private record Analysis(List<ConnectionResult> results, CaptureInfo capture,
                            Summary summary) {
    }

    private static Analysis analyse(String capture) throws Exception {
        CollectingSink all = CollectingSink.analyze(Path.of("sample-pcaps", capture));
        return new Analysis(all.connections, all.capture, all.summary);
    }

    /** Feeds {@code results} to {@code report} as the pipeline would; returns the page. */
    private static String render(HtmlReport report, StringWriter out,
                                 List<ConnectionResult> results, CaptureInfo c, Summary s)
            throws Exception {
        for (ConnectionResult r : results) {
            if (report.wants(r.verdict()) && report.keeps(r.verdict(), r.firstSeenNanos(),
                    r.id())) {
                report.onConnection(r);
            }
        }
        report.onFinish(c, s);
        return out.toString();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void textFromTheCaptureTheCommandLineAndTheKernelIsEscaped() throws Exception {
        Analysis a = analyse("overflow-reset.pcap");
        CaptureInfo c = a.capture();
        HostPort server = a.summary().servers().get(0).server();
        KernelSummary kernel = new KernelSummary(List.of(HOSTILE),
                Map.of("tracefs", HOSTILE), Map.of("net.core.somaxconn", 4096L),
                Map.of("ListenOverflows", 3L), List.of(new KernelSummary.Listener(server, 4, 5,
                2_000_000L, List.of(new KernelSummary.Interval(c.firstTsNanos(),
                c.firstTsNanos() + 2_000_000L)), 0, 4, "listen() backlog", "listen() backlog",
                List.of(new KernelSummary.Depth(c.firstTsNanos(), 5)))), 0, 0);
        CaptureInfo hostile = new CaptureInfo(HOSTILE, c.format(), c.frames(), c.tcpSegments(),
                c.skipped(), c.firstTsNanos(), c.lastTsNanos(), c.linkTypes(),
                List.of(HOSTILE), List.of(HOSTILE), c.connections(), c.peakOpenConnections(),
                c.latePackets(), c.duplicatePackets(), c.stats(), kernel,
                List.of(new CapturePart(HOSTILE, "pcap", 1, 1, 1, c.firstTsNanos(),
                        c.firstTsNanos()), new CapturePart("b.pcap", "pcap", 0, 0, 0, 0, 0)));
        // The kernel's reason for one reset, as a hostile recorded file could say it.
        List<ConnectionResult> results = new ArrayList<>();
        for (ConnectionResult r : a.results()) {
            results.add(r.verdict().isFailure() ? withKernelReason(r, HOSTILE) : r);
        }
        StringWriter out = new StringWriter();
        String html = render(new HtmlReport(out, true, 20, "test", HOSTILE,
                ReportZone.UTC), out, results,
                hostile, a.summary());

        assertEquals(1, count(html, "<script"), "only the page's own script");
        assertEquals(1, count(html, "</script>"));
        assertEquals(1, count(html, "<style>"));
        assertEquals(1, count(html, "</style>"), "no style block closed early");
        String title = html.substring(html.indexOf("<title>") + 7, html.indexOf("</title>"));
        assertTrue(title.startsWith("synscope — \"&gt;&lt;img") && title.indexOf('<') < 0,
                "the page's title holds the whole name as text: " + title);
        assertEquals(0, count(html, "<img"));
        assertFalse(Pattern.compile("<[a-zA-Z][^>]*\\son[a-z]+=").matcher(html).find(),
                "no tag with an event handler attribute");
        assertTrue(count(html, "&lt;img src=x onerror=alert(1)&gt;") >= 8,
                "the name, warnings, files, kernel sources, reasons and selection, as text");
        assertTrue(html.contains("\\x1b[31m") && html.contains("\\u202e"),
                "control characters and direction overrides shown, not acted on");
        for (char ch : html.toCharArray()) {
            assertTrue(ch >= 0x20 || ch == '\n' || ch == '\t', "raw control character "
                    + (int) ch);
            assertTrue(ch != '\u202e', "raw direction override");
        }
    }

    private static ConnectionResult withKernelReason(ConnectionResult r, String reason) {
        Diagnosis d = r.diagnosis();
        Diagnosis withKernel = new Diagnosis(d.verdict(), d.outcome(), d.recoveryDelayNanos(),
                d.resetBy(), d.rule(), d.confidence(), d.evidence(), d.alternatives(), d.notes(),
                d.also(), List.of(new KernelEvidence("tcp_send_reset", reason,
                r.lastSeenNanos(), reason)));
        return new ConnectionResult(r.client(), r.server(), r.ipVersion(), r.firstSeenNanos(),
                r.lastSeenNanos(), r.firstFrame(), r.lastFrame(), r.fromClient(),
                r.fromServer(), r.history(), r.roleBasis(), r.decidedBy(), withKernel,
                r.explanation(), r.ladder(), r.ladderOmitted());
    }

    @Test
    void laddersAreCappedOneKindOfFailureBeforeAnyKindGetsASecond() throws Exception {
        Analysis a = analyse("demo.pcap");
        long failures = Samples.made("demo.pcap").stream().filter(Samples.Made::failure).count();
        StringWriter out = new StringWriter();
        String html = render(new HtmlReport(out, false, 3, "test", "",
                ReportZone.UTC), out, a.results(),
                a.capture(), a.summary());
        Matcher m = Pattern.compile("<article class=\"ladder\" id=\"c(\\d+)\">").matcher(html);
        Set<Verdict> drawn = new HashSet<>();
        int ladders = 0;
        while (m.find()) {
            ladders++;
            drawn.add(byId(a, Long.parseLong(m.group(1))).verdict());
        }
        assertEquals(3, ladders);
        assertEquals(3, drawn.size(), "three kinds of failure, one each: " + drawn);
        assertTrue(html.contains("… " + (failures - 3) + " more failures not drawn"), html);

        StringWriter all = new StringWriter();
        String every = render(new HtmlReport(all, false, 1000, "test", "",
                ReportZone.UTC), all, a.results(),
                a.capture(), a.summary());
        assertEquals(failures, count(every, "<article class=\"ladder\""));
        assertFalse(every.contains("more failures not drawn"));
    }

    private static ConnectionResult byId(Analysis a, long id) {
        return a.results().stream().filter(r -> r.id() == id).findFirst().orElseThrow();
    }

    @Test
    void tableRowsAreCappedFailuresFirstAndSaySo() throws Exception {
        Analysis a = analyse("demo.pcap");
        StringWriter out = new StringWriter();
        String html = render(new HtmlReport(out, true, 20, 5, "test", "",
                ReportZone.UTC), out, a.results(),
                a.capture(), a.summary());
        Matcher m = Pattern.compile("<tr data-verdict=\"([a-z0-9-]+)\" id=\"row(\\d+)\">")
                .matcher(html);
        List<Long> ids = new ArrayList<>();
        while (m.find()) {
            assertTrue(Verdict.valueOf(m.group(1).toUpperCase().replace('-', '_')).isFailure(),
                    "failures are kept before healthy connections");
            ids.add(Long.parseLong(m.group(2)));
        }
        assertEquals(5, ids.size());
        List<Long> earliestFailures = a.results().stream().filter(r -> r.verdict().isFailure())
                .sorted(LadderSample.BY_START).limit(5).map(ConnectionResult::id).toList();
        assertEquals(earliestFailures, ids, "the earliest failures, in time order");
        assertTrue(html.contains("… " + (a.results().size() - 5) + " more connections not in"
                + " this table"), "says how many are left out and where they are");
    }

    @Test
    void eachArrowIsOneOfTheConnectionsPacketsInOrder() throws Exception {
        Analysis a = analyse("ack-ignored.pcap");
        int checked = 0;
        for (ConnectionResult r : a.results()) {
            if (!r.verdict().isFailure()) {
                continue;
            }
            HtmlView.Ladder l = HtmlGraphics.ladder(r,
                    Times.timeOfDay(ReportZone.UTC).withDates());
            List<LadderStep> steps = r.ladder();
            assertEquals(Math.min(steps.size(), HtmlGraphics.LADDER_PACKETS_DRAWN),
                    l.arrows().size());
            Set<Long> evidence = new HashSet<>();
            r.diagnosis().evidence().forEach(e -> evidence.add(e.frame()));
            r.diagnosis().also().forEach(f -> f.evidence().forEach(e -> evidence.add(e.frame())));
            double lastY = -1;
            for (int i = 0; i < l.arrows().size(); i++) {
                HtmlView.Arrow arrow = l.arrows().get(i);
                LadderStep s = steps.get(i);
                assertEquals("#" + s.frame(), arrow.frame());
                assertTrue(arrow.y1() > lastY, "drawn downwards in time order");
                lastY = arrow.y1();
                assertEquals(s.fromClient(), arrow.x1() < arrow.x2(), "client is on the left");
                assertTrue(arrow.label().startsWith(s.flagsText() + "  seq " + s.relSeq()),
                        arrow.label());
                assertEquals(s.relAck() >= 0, arrow.label().contains(" ack " + s.relAck()));
                assertEquals(s.retransmission(), arrow.css().contains("rtx"));
                assertEquals(evidence.contains(s.frame()), arrow.css().contains("ev"));
            }
            checked++;
        }
        assertTrue(checked >= 3, "ack-ignored.pcap's failures");
    }

    @Test
    void theChartCountsEveryFailureOnceUnderItsVerdict() throws Exception {
        Analysis a = analyse("demo.pcap");
        HtmlReport report = new HtmlReport(new StringWriter(), false, 20, "test", "",
                ReportZone.UTC);
        for (ConnectionResult r : a.results()) {
            if (report.wants(r.verdict())) {
                report.keeps(r.verdict(), r.firstSeenNanos(), r.id());
            }
        }
        HtmlView.Chart chart = report.page(a.capture(), a.summary()).chart();
        Map<String, Long> fromBars = new TreeMap<>();
        for (HtmlView.Bar b : chart.bars()) {
            // The bar's title names each verdict's count: "…: 3 refused, 2 syn-dropped".
            for (String part : b.title().substring(b.title().lastIndexOf(": ") + 2).split(", ")) {
                String[] nv = part.split(" ");
                fromBars.merge(nv[1], Long.parseLong(nv[0]), Long::sum);
            }
            assertEquals(b.title().split(", ").length, b.segments().size());
        }
        // The truth: the failures the lab made, per verdict.
        Map<String, Long> made = new TreeMap<>();
        for (Samples.Made c : Samples.made("demo.pcap")) {
            if (c.failure()) {
                made.merge(c.verdict(), 1L, Long::sum);
            }
        }
        assertEquals(made, fromBars);
    }

    @Test
    void bucketsKeepTheBarsFewAndReadable() {
        assertEquals(1, HtmlGraphics.bucketSeconds(47));
        assertEquals(1, HtmlGraphics.bucketSeconds(119));
        assertEquals(2, HtmlGraphics.bucketSeconds(120));
        assertEquals(1800, HtmlGraphics.bucketSeconds(36 * 3600));
        for (long span : new long[] {1, 59, 121, 3600, 86_400, 3 * 86_400, 400 * 86_400L}) {
            long b = HtmlGraphics.bucketSeconds(span);
            assertTrue(span / b + 1 <= HtmlGraphics.MAX_BARS, span + " s in buckets of " + b);
        }
        assertEquals(1, HtmlGraphics.niceCeiling(1));
        assertEquals(5, HtmlGraphics.niceCeiling(3));
        assertEquals(10, HtmlGraphics.niceCeiling(6));
        assertEquals(200, HtmlGraphics.niceCeiling(101));
    }
}
