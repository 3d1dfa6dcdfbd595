package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.report.CsvReport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.synscope.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --format csv}, the Wireshark filter of each connection, and the selection options,
 * through the command line on the sample captures. Which connections exist and their verdicts
 * come from how each capture was made (sample-pcaps/*.expected.json); which packets a filter
 * must match, from tshark's own reading of the capture.
 */
class CsvAndSelectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path TSHARK = Path.of("/usr/bin/tshark");

    /** One connection as the lab made it: ports, verdict, outcome. */
    private record Made(String clientIp, int clientPort, String serverIp, int serverPort,
                        String verdict, String outcome) {
        String key() {
            return clientPort + ">" + serverPort + " " + verdict;
        }
    }

    private static List<Made> made(String capture) throws IOException {
        List<Made> made = new ArrayList<>();
        for (JsonNode c : JSON.readTree(Path.of("sample-pcaps", capture + ".expected.json")
                .toFile()).get("connections")) {
            made.add(new Made(c.get("client").get("ip").asText(), c.get("client").get("port")
                    .asInt(), c.get("server").get("ip").asText(), c.get("server").get("port")
                    .asInt(), c.get("verdict").asText(), c.get("outcome").asText()));
        }
        return made;
    }

    private static List<CSVRecord> csv(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("analyze", "--format", "csv"));
        all.addAll(List.of(args));
        BadInputTest.Run r = run(all.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(r.out()))) {
            assertEquals(List.of(CsvReport.COLUMNS), p.getHeaderNames());
            return p.getRecords();
        }
    }

    private static Set<String> keys(List<CSVRecord> rows) {
        Set<String> keys = new TreeSet<>();
        for (CSVRecord row : rows) {
            keys.add(row.get("id.orig_p") + ">" + row.get("id.resp_p") + " " + row.get("verdict"));
        }
        return keys;
    }

    private static Set<String> keys(List<Made> made, Predicate<Made> which) {
        Set<String> keys = new TreeSet<>();
        made.stream().filter(which).forEach(m -> keys.add(m.key()));
        return keys;
    }

    @Test
    void csvHasARowPerConnectionWithTheVerdictItWasMadeWith() throws Exception {
        for (String capture : List.of("demo", "ipv6", "overflow-reset")) {
            List<Made> made = made(capture);
            List<CSVRecord> all = csv("--all", "sample-pcaps/" + capture + ".pcap");
            assertEquals(made.size(), all.size(), capture);
            // Ports repeat in demo.pcap (several runs merged): compare as a multiset.
            List<String> want = new ArrayList<>(made.stream().map(Made::key).sorted().toList());
            List<String> got = new ArrayList<>(all.stream().map(r -> r.get("id.orig_p") + ">"
                    + r.get("id.resp_p") + " " + r.get("verdict")).sorted().toList());
            assertEquals(want, got, capture);
            List<CSVRecord> failed = csv("sample-pcaps/" + capture + ".pcap");
            assertEquals(made.stream().filter(m -> !m.verdict().equals("ok")
                    && !m.verdict().equals("incomplete")).count(), failed.size(),
                    capture + ": failures only by default");
        }
    }

    @Test
    void csvRowsMatchTheJsonReport() throws Exception {
        BadInputTest.Run r = run("analyze", "--format", "json", "--all", "sample-pcaps/demo.pcap");
        assertEquals(0, r.code(), r.err());
        JsonNode connections = JSON.readTree(r.out()).get("connections");
        Map<String, JsonNode> byId = new HashMap<>();
        connections.forEach(c -> byId.put(c.get("id").asText(), c));
        List<CSVRecord> rows = csv("--all", "sample-pcaps/demo.pcap");
        assertEquals(connections.size(), rows.size());
        // Both in decision order, which threads may change from run to run: matched by id.
        for (CSVRecord row : rows) {
            JsonNode c = byId.remove(row.get("id"));
            assertTrue(c != null, "no JSON connection with the id of " + row);
            assertEquals(c.get("verdict").asText(), row.get("verdict"));
            assertEquals(c.get("outcome").asText(), row.get("outcome"));
            assertEquals(c.get("first_seen").asText(), row.get("first_seen"));
            assertEquals(c.get("packets").get("client").asText(), row.get("orig_pkts"));
            assertEquals(c.get("wireshark_filter").asText(), row.get("wireshark_filter"));
        }
    }

    /**
     * Each filter, fed to tshark, picks exactly the connection's packets: demo.pcap reuses the
     * same ports eight times, so this fails without the time window.
     */
    @Test
    void wiresharkFilterSelectsExactlyTheConnectionsPackets() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(TSHARK), "tshark is not installed (.ci/run"
                + " installs it)");
        for (String capture : List.of("demo", "ipv6")) {
            String file = "sample-pcaps/" + capture + ".pcap";
            for (CSVRecord row : csv("--all", file)) {
                List<String> frames = tshark(file, row.get("wireshark_filter"));
                long packets = Long.parseLong(row.get("orig_pkts"))
                        + Long.parseLong(row.get("resp_pkts"));
                assertEquals(packets, frames.size(), capture + " " + row.get("id") + ": "
                        + frames);
                assertEquals(row.get("first_frame"), frames.get(0));
                assertEquals(row.get("last_frame"), frames.get(frames.size() - 1));
            }
        }
    }

    /** The frame numbers tshark finds in {@code file} with the display filter {@code filter}. */
    static List<String> tshark(String file, String filter) throws Exception {
        Process p = new ProcessBuilder(TSHARK.toString(), "-n", "-r", file, "-Y", filter,
                "-T", "fields", "-e", "frame.number").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark rejected " + filter);
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    @Test
    void eachSelectionOptionListsExactlyTheMatchingConnections() throws Exception {
        List<Made> demo = made("demo");
        String file = "sample-pcaps/demo.pcap";
        assertEquals(keys(demo, m -> m.clientPort() == 40002),
                keys(csv("--all", "--client", "10.77.0.1:40002", file)));
        assertEquals(keys(demo, m -> m.clientPort() == 40003 || m.serverPort() == 40003),
                keys(csv("--all", "--port", "40003", file)));
        assertEquals(keys(demo, m -> true), keys(csv("--all", "--server", "10.77.0.2", file)));
        assertEquals(Set.of(), keys(csv("--all", "--server", "10.77.0.2:9", file)));
        assertEquals(keys(demo, m -> Set.of("refused", "ok").contains(m.verdict())),
                keys(csv("--verdict", "refused,ok", file)), "ok listed without --all when asked");
        assertEquals(keys(demo, m -> m.outcome().equals("recovered")),
                keys(csv("--outcome", "recovered", file)));
        assertFalse(keys(demo, m -> m.outcome().equals("recovered")).isEmpty());

        List<Made> v6 = made("ipv6");
        assertEquals(keys(v6, m -> m.serverPort() == 8081),
                keys(csv("--all", "--server", "[fd77::2]:8081", "sample-pcaps/ipv6.pcap")));
        assertEquals(keys(v6, m -> m.clientIp().equals("fd77::1")),
                keys(csv("--all", "--client", "fd77:0::1", "sample-pcaps/ipv6.pcap")),
                "an address in any IPv6 spelling");
    }

    /**
     * The time window against the connections' own first and last packets as the unselected
     * JSON report gives them: listed when seen in the window.
     */
    @Test
    void sinceAndUntilListConnectionsSeenInTheWindow() throws Exception {
        BadInputTest.Run r = run("analyze", "--format", "json", "--all", "sample-pcaps/demo.pcap");
        JsonNode doc = JSON.readTree(r.out());
        Instant start = Instant.parse(doc.get("capture").get("first_time").asText());
        Instant since = start.plusSeconds(10);
        Instant until = start.plusSeconds(30);
        Set<String> want = new TreeSet<>();
        for (JsonNode c : doc.get("connections")) {
            if (!Instant.parse(c.get("last_seen").asText()).isBefore(since)
                    && !Instant.parse(c.get("first_seen").asText()).isAfter(until)) {
                want.add(c.get("client").get("port").asText() + ">" + c.get("server").get("port")
                        .asText() + " " + c.get("verdict").asText());
            }
        }
        assertFalse(want.isEmpty());
        assertTrue(want.size() < doc.get("connections").size(), "the window leaves some out");
        assertEquals(want, keys(csv("--all", "--since", "+10s", "--until", "+30s",
                "sample-pcaps/demo.pcap")));
        assertEquals(want, keys(csv("--all", "--since", since.toString(), "--until",
                until.toString(), "sample-pcaps/demo.pcap")));
        assertEquals(want, keys(csv("--all", "--since", "+10000ms", "--until",
                until.atOffset(java.time.ZoneOffset.ofHours(2)).toString(),
                "sample-pcaps/demo.pcap")));
        assertTrue(Duration.between(start, until).toSeconds() == 30);
    }

    @Test
    void selectionNarrowsTheJsonAndTheLadders() throws Exception {
        List<Made> demo = made("demo");
        BadInputTest.Run r = run("analyze", "--format", "json", "--verdict", "syn-dropped",
                "sample-pcaps/demo.pcap");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        long synDropped = demo.stream().filter(m -> m.verdict().equals("syn-dropped")).count();
        assertEquals(synDropped, doc.get("connections").size());
        assertEquals(demo.size(), doc.get("summary").get("connections").asLong(),
                "the summary counts the whole capture");

        BadInputTest.Run text = run("analyze", "--verdict", "syn-dropped", "sample-pcaps/demo.pcap");
        long failures = demo.stream().filter(m -> !m.verdict().equals("ok")).count();
        assertTrue(text.out().contains("(" + synDropped + " shown of " + synDropped
                + " selected by --verdict syn-dropped; " + failures + " in all)"), text.out());
        assertEquals(synDropped, text.out().lines().filter(l -> l.contains(" → ")
                && l.contains("  syn-dropped  ")).count(), text.out());
    }

    @Test
    void badSelectionValuesAreUsageErrorsNamingTheOption() {
        for (String[] bad : List.of(new String[] {"--server", "example.com"},
                new String[] {"--client", "10.0.0.1:99999"}, new String[] {"--port", "http"},
                new String[] {"--verdict", "refused,nope"}, new String[] {"--outcome", "bad"},
                new String[] {"--since", "yesterday"}, new String[] {"--until", "+3 days"},
                new String[] {"--server", "[fd77::2"})) {
            BadInputTest.Run r = run("analyze", bad[0], bad[1], "sample-pcaps/refused.pcap");
            assertEquals(ExitCode.USAGE, r.code(), String.join(" ", bad));
            assertTrue(r.err().startsWith("synscope: " + bad[0] + ": '"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals("", r.out());
        }
    }
}
