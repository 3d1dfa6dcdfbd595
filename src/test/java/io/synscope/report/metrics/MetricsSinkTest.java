package io.synscope.report.metrics;

import io.synscope.decode.TcpSegment;
import io.synscope.diagnose.ClassifierConfig;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.FlowTracker;
import io.synscope.pipeline.Diagnoser;
import io.synscope.pipeline.TeeSink;
import io.synscope.testutil.CollectingSink;
import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics page after a scripted capture: every connection the script made is counted under
 * its server, verdict and outcome (the verdict being what the script built: a SYN answered by
 * RST-ACK is refused, a full exchange closed both ways is ok), healthy ones included though no
 * report wanted them; and servers beyond the cap are counted together under "other".
 */
class MetricsSinkTest {
    private static final String SERVER = "10.0.0.2";

    @Test
    void everyConnectionIsCountedUnderItsServerUpToTheCapThenUnderOther() throws Exception {
        List<Conversation> script = new ArrayList<>();
        // Port 80: 4 healthy connections, made first, so port 80 is the first server seen.
        for (int i = 0; i < 4; i++) {
            script.add(clean(new Conversation("10.0.0.1", 40000 + i, SERVER, 80).at(i * 0.01)));
        }
        // Ports 1000..1009: one refused connection each, a port scan.
        for (int i = 0; i < 10; i++) {
            script.add(new Conversation("10.0.0.1", 50000 + i, SERVER, 1000 + i)
                    .at(0.1 + i * 0.01).client("S").at(0.1 + i * 0.01 + 0.0001).server("RA"));
        }
        MetricsSink metrics = new MetricsSink(3, "1.2.3", "abc1234");
        FailuresOnly report = new FailuresOnly();
        run(script, new TeeSink(report, metrics));

        Map<String, Double> page = scrape(metrics);
        assertEquals(4.0, page.get(series("80", "ok", "ok")), page.toString());
        assertEquals(1.0, page.get(series("1000", "refused", "failed")), page.toString());
        assertEquals(1.0, page.get(series("1001", "refused", "failed")), page.toString());
        // The cap (3): the other 8 ports of the scan share one series.
        assertEquals(8.0, page.get("synscope_connections_total{ip=\"other\",outcome=\"failed\","
                + "port=\"other\",verdict=\"refused\"}"), page.toString());
        long connectionSeries = page.keySet().stream()
                .filter(k -> k.startsWith("synscope_connections_total")).count();
        assertEquals(4, connectionSeries, page.toString());
        assertEquals(1.0, page.get("synscope_build_info{commit=\"abc1234\",version=\"1.2.3\"}"));
        // The report beside it still got only what it wanted: the 10 refused, none of the ok.
        assertEquals(10, report.connections.size());
        assertTrue(report.connections.stream().allMatch(r -> r.verdict() == Verdict.REFUSED));
    }

    /**
     * A Prometheus with native histograms on asks for the protobuf format first (this Accept
     * header is what Prometheus 2.x sends then): it gets that, not an error.
     */
    @Test
    void aScraperThatAsksForProtobufGetsIt() throws Exception {
        MetricsSink metrics = new MetricsSink(3, "1.2.3", "abc1234");
        try (MetricsSink.Endpoint endpoint = metrics.serve(
                new InetSocketAddress("127.0.0.1", 0))) {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + endpoint.address() + "/metrics"))
                    .header("Accept", "application/vnd.google.protobuf;"
                            + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                            + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("")
                    .startsWith("application/vnd.google.protobuf"), r.headers().toString());
        }
    }

    /** SYN, SYN-ACK, ACK, request, reply, FIN both ways: ok. */
    private static Conversation clean(Conversation c) {
        return c.client("S").server("SA").client("A").client("PA", 100).server("A")
                .server("PA", 500).client("A").client("FA").server("FA").client("A");
    }

    private static String series(String port, String verdict, String outcome) {
        return "synscope_connections_total{ip=\"" + SERVER + "\",outcome=\"" + outcome
                + "\",port=\"" + port + "\",verdict=\"" + verdict + "\"}";
    }

    /** The script's segments in time order through one tracker, as a capture would be. */
    private static void run(List<Conversation> script, io.synscope.pipeline.AnalysisSink sink) {
        List<TcpSegment> segments = new ArrayList<>();
        script.forEach(c -> segments.addAll(c.segments()));
        segments.sort(Comparator.comparingLong(s -> s.tsNanos));
        FlowTracker tracker = new FlowTracker(AnalysisConfig.defaults(),
                new Diagnoser(ClassifierConfig.defaults(), sink));
        segments.forEach(tracker::accept);
        tracker.finish();
    }

    /** The page served, as sample (name and labels, as written) → value. */
    private static Map<String, Double> scrape(MetricsSink metrics) throws Exception {
        try (MetricsSink.Endpoint endpoint = metrics.serve(
                new InetSocketAddress("127.0.0.1", 0))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + endpoint.address() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            Map<String, Double> samples = new TreeMap<>();
            for (String line : r.body().split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    int space = line.lastIndexOf(' ');
                    samples.put(line.substring(0, space),
                            Double.parseDouble(line.substring(space + 1)));
                }
            }
            return samples;
        }
    }

    /** A report that, like the text report, wants failures only. */
    private static final class FailuresOnly extends CollectingSink {
        @Override
        public boolean wants(Verdict v) {
            return v.isFailure();
        }
    }
}
