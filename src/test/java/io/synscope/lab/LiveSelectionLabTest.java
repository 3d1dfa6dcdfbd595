package io.synscope.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.cli.Main;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Outcome;
import io.synscope.testutil.Tshark;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code synscope live --outcome failed --export FILE.pcapng} on a real kernel, during lab runs
 * (the server's namespace, next to the lab's own tcpdump): it lists exactly the connections the
 * run's truth (what the clients saw, the kernel's counters) calls failed, while its summary
 * still counts every connection; its export holds exactly the packets tshark finds in the
 * capture {@code -w} kept with those connections' filters, and synscope judges them there as
 * live did. Then the two runs' {@code -w} files, each with its kernel evidence, read as one
 * capture, judge every connection as each file alone does. Skipped, saying why, where the lab
 * cannot run (not Linux, not root, tools missing).
 */
class LiveSelectionLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A mode with ok and failed connections, and one the kernel's reset reasons settle. */
    private static final List<String> MODES = List.of("overflow-reset", "rst-unread-data");

    @TempDir
    static Path out;
    @RegisterExtension
    static final LabTests LAB = new LabTests(Lab::withLive);

    @Test
    void liveListsAndExportsTheSelectionAndItsRecordingsMerge() throws Exception {
        List<Path> recorded = new ArrayList<>();
        for (String name : MODES) {
            LabMode mode = LabMode.byName(name).orElseThrow();
            Path export = out.resolve(name + ".failed.pcapng");
            Lab.Run run = LAB.lab().withLive(List.of("--outcome", "failed", "--export",
                    export.toString())).runShowing(mode, out, 3);
            Lab.LiveRun live = run.live();
            assertEquals(130, live.exitCode(), live.stderr());
            assertTrue(live.stderr().contains("exported "), live.stderr());

            Set<List<HostPort>> failedByTruth = new TreeSet<>(ByTuple.ORDER);
            run.rows().forEach(r -> {
                if (r.expectation().outcome() == Outcome.FAILED) {
                    failedByTruth.add(List.of(r.client(), r.server()));
                }
            });
            Map<String, String> listed = new TreeMap<>();
            Set<List<HostPort>> listedTuples = new TreeSet<>(ByTuple.ORDER);
            List<String> filters = new ArrayList<>();
            JsonNode end = null;
            for (Lab.TimedLine l : live.lines()) {
                JsonNode n = JSON.readTree(l.line());
                if (n.path("type").asText().equals("end")) {
                    end = n;
                }
                if (!n.path("type").asText().equals("connection")) {
                    continue;
                }
                listedTuples.add(List.of(hostPort(n.get("client")), hostPort(n.get("server"))));
                listed.put(key(n), said(n));
                filters.add("(" + n.get("wireshark_filter").asText() + ")");
            }
            assertFalse(failedByTruth.isEmpty(), name + ": the run failed nothing");
            assertEquals(failedByTruth, listedTuples, name + ": listed by --outcome failed");
            assertTrue(end != null, "the end record");
            assertEquals(run.rows().size(), end.get("summary").get("connections").asInt(),
                    name + ": the summary counts every connection");

            // What the export holds, by tshark; what synscope says of it.
            if (Tshark.installed()) {
                String or = String.join(" || ", filters);
                int inCapture = Tshark.count(live.capture(), or);
                assertTrue(inCapture > 0);
                assertEquals(inCapture, Tshark.count(export, null), name + ": exported packets");
                assertEquals(inCapture, Tshark.count(export, or), name + ": only those");
            }
            assertEquals(listed, analyzed(export.toString()), name + ": the export analysed");
            recorded.add(live.capture());
        }

        // Two recordings with their kernel evidence, as one: each connection as alone.
        Map<String, String> alone = new TreeMap<>();
        for (Path p : recorded) {
            alone.putAll(analyzed(p.toString()));
        }
        JsonNode merged = analyze(recorded.get(1).toString(), recorded.get(0).toString());
        Map<String, String> together = new TreeMap<>();
        merged.get("connections").forEach(c -> together.put(key(c), said(c)));
        assertEquals(alone, together, "the files read as one");
        JsonNode kernel = merged.get("kernel");
        assertTrue(kernel != null && !kernel.isNull(), "the kernel's evidence of the files");
        assertTrue(kernel.get("sources").size() > 0, kernel.toString());
        Assumptions.assumeTrue(together.values().stream().anyMatch(s -> !s.endsWith(" []")),
                "no connection had kernel evidence in these runs: " + together);
    }

    /** The connections of a capture's JSON report (--all), by {@link #key}. */
    private static Map<String, String> analyzed(String... files) throws Exception {
        Map<String, String> m = new TreeMap<>();
        analyze(files).get("connections").forEach(c -> m.put(key(c), said(c)));
        return m;
    }

    private static JsonNode analyze(String... files) throws Exception {
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "json", "--all"));
        args.addAll(List.of(files));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(o, true),
                new PrintWriter(e, true));
        assertEquals(0, code, e.toString());
        return JSON.readTree(o.toString());
    }

    private static String key(JsonNode c) {
        return hostPort(c.get("client")) + " > " + hostPort(c.get("server")) + " "
                + c.get("first_seen").asText();
    }

    private static String said(JsonNode c) {
        return String.join(" ", c.get("verdict").asText(), c.get("outcome").asText(),
                c.get("confidence").asText(), c.get("rule").asText(), c.path("kernel").toString());
    }

    private static HostPort hostPort(JsonNode n) {
        return new HostPort(n.get("ip").asText(), n.get("port").asInt());
    }

    /** Orders [client, server] pairs, for sets that print readably. */
    private static final class ByTuple {
        static final java.util.Comparator<List<HostPort>> ORDER = java.util.Comparator
                .comparing((List<HostPort> t) -> t.get(0).toString())
                .thenComparing(t -> t.get(1).toString());
    }
}
