package io.synscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.flow.AnalysisConfig;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ndjson stream's contract (docs/ndjson.md): a {@code connection} record is an entry of the
 * JSON document's {@code connections} plus its type, and the {@code end} record carries the
 * document's {@code capture} and {@code summary}; every record is one line.
 */
class NdjsonReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String run(Path capture, AnalysisSinkFactory sink) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PacketSource source = Captures.open(capture.toString())) {
            new Analyzer(AnalysisConfig.defaults(), 1).run(source, sink.make(out));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    interface AnalysisSinkFactory {
        AnalysisSink make(ByteArrayOutputStream out) throws Exception;
    }

    @Test
    void recordsAreTheJsonDocumentsObjectsLineByLine() throws Exception {
        for (String name : List.of("demo.pcap", "ipv6.pcap", "rst-linger0.ng.pcapng")) {
            Path capture = Path.of("sample-pcaps", name);
            JsonNode doc = JSON.readTree(run(capture, out -> new JsonReport(out, true, false,
                    "test")));
            String ndjson = run(capture, out -> new NdjsonReport(out, true, "test"));
            assertTrue(ndjson.endsWith("\n"), "the last record ends its line");
            List<String> lines = ndjson.lines().toList();
            Map<Long, JsonNode> entries = new HashMap<>();
            for (JsonNode c : doc.get("connections")) {
                entries.put(c.get("id").asLong(), c);
            }
            int connections = 0;
            for (String line : lines.subList(0, lines.size() - 1)) {
                ObjectNode record = (ObjectNode) JSON.readTree(line);
                assertEquals("connection", record.remove("type").asText(), line);
                assertEquals(entries.get(record.get("id").asLong()), record, name);
                connections++;
            }
            assertEquals(entries.size(), connections, name + ": every connection, once");
            JsonNode end = JSON.readTree(lines.get(lines.size() - 1));
            assertEquals("end", end.get("type").asText());
            assertEquals(doc.get("capture"), end.get("capture"), name);
            assertEquals(doc.get("summary"), end.get("summary"), name);
            assertEquals(doc.get("schema_version"), end.get("schema_version"));
        }
    }
}
