package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.synscope.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON field names are a public contract (docs/json-schema.md); the text report keeps its
 * sections and its caps. Run on real sample captures whose truth is known (sample-pcaps/).
 */
class ReportContractTest {
    private static final List<String> CONNECTION_FIELDS = List.of("id", "client", "server",
            "verdict", "outcome", "reset_by", "first_seen", "last_seen", "evidence",
            "alternatives", "confidence", "rule", "history", "recovery_delay_ms");

    @TempDir
    Path dir;

    @Test
    void jsonDocumentHasTheDocumentedShape() throws Exception {
        BadInputTest.Run r = run("analyze", "--format", "json", "sample-pcaps/overflow-reset.pcap");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        JsonNode capture = doc.get("capture");
        assertEquals("sample-pcaps/overflow-reset.pcap", capture.get("file").asText());
        assertEquals(70, capture.get("packets").asLong(), "tcpdump -r counts 70 frames");
        assertEquals(2, capture.get("skipped").get("not_ip").asLong(), "the two ARP frames");
        assertTrue(capture.get("first_time").asText().endsWith("Z"));
        assertEquals("ethernet", capture.get("link_types").get(0).asText());
        assertTrue(capture.get("warnings").isArray());

        JsonNode connections = doc.get("connections");
        assertEquals(3, connections.size(), "failures only by default: the 3 overflow resets");
        for (JsonNode c : connections) {
            for (String field : CONNECTION_FIELDS) {
                assertTrue(c.has(field), "connection lacks " + field + ": " + c);
            }
            assertEquals("overflow-reset", c.get("verdict").asText());
            assertEquals("failed", c.get("outcome").asText());
            assertEquals("server", c.get("reset_by").asText());
            assertEquals("10.77.0.2", c.get("server").get("ip").asText());
            assertEquals(8080, c.get("server").get("port").asInt());
            JsonNode evidence = c.get("evidence");
            assertTrue(evidence.size() >= 2);
            for (JsonNode e : evidence) {
                assertTrue(e.get("frame").asLong() > 0 && e.get("note").isTextual(), e.toString());
            }
        }
        JsonNode summary = doc.get("summary");
        assertEquals(8, summary.get("connections").asLong());
        assertEquals(5, summary.get("verdicts").get("ok").asLong());
        assertEquals(3, summary.get("verdicts").get("overflow-reset").asLong());
        assertEquals("accept-queue-overflow",
                summary.get("listener_findings").get(0).get("rule").asText());
    }

    @Test
    void allListsEveryConnectionOnce() throws Exception {
        BadInputTest.Run r = run("analyze", "--format", "json", "--all", "sample-pcaps/demo.pcap");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        JsonNode connections = doc.get("connections");
        // As many as the lab made for the capture, not only as many as synscope says it saw.
        JsonNode made = new ObjectMapper().readTree(Path.of("sample-pcaps/demo.expected.json")
                .toFile()).get("connections");
        assertEquals(made.size(), connections.size());
        assertEquals(doc.get("summary").get("connections").asLong(), connections.size());
        Set<Long> ids = new HashSet<>();
        connections.forEach(c -> ids.add(c.get("id").asLong()));
        assertEquals(connections.size(), ids.size(), "ids are unique");
    }

    @Test
    void textReportToAFileHasItsSectionsAndNoColour() throws Exception {
        Path out = dir.resolve("report.txt");
        BadInputTest.Run r = run("analyze", "sample-pcaps/demo.pcap", "-o", out.toString(),
                "--max-ladders", "2");
        assertEquals(0, r.code(), r.err());
        String text = Files.readString(out);
        assertFalse(text.contains("\u001b["), "no ANSI escapes in a file");
        for (String section : List.of("Verdicts by server", "What the failures point at",
                "Failures per", "Failures, earliest first")) {
            assertTrue(text.contains(section), "missing section " + section + "\n" + text);
        }
        assertTrue(text.contains("more failures not shown"), "ladders are capped and say so");
    }

    @Test
    void colourOnlyWhenAsked() {
        BadInputTest.Run plain = run("analyze", "sample-pcaps/refused.pcap");
        assertFalse(plain.out().contains("\u001b["), "not a terminal: no colour");
        BadInputTest.Run forced = run("analyze", "--color", "always", "sample-pcaps/refused.pcap");
        assertTrue(forced.out().contains("\u001b["));
    }
}
