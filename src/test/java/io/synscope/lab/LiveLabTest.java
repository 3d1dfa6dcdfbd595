package io.synscope.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.diagnose.Confidence;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;
import io.synscope.diagnose.HostPort;
import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code synscope live} on a real kernel: during each lab run, {@code synscope live --netns
 * <the server's namespace> -i <its veth> --format ndjson --all -w FILE} runs from the host's
 * namespace next to the lab's tcpdump and is stopped with SIGINT like it. Checked for each
 * mode:
 * <ul>
 *   <li>the verdict and outcome it streamed for every connection equal what that run's truth
 *       (the clients' own view, the server's and the kernel's counters) implies;
 *   <li>each verdict decided by a packet (a RST, the last FIN's ACK) was printed within a
 *       second of that packet, and each decided by a handshake's timeout within a second of its
 *       window's end, as read by this test when the line arrived;
 *   <li>it ended with the {@code end} record and exit code 130 (interrupted);
 *   <li>{@code analyze} of the pcapng it wrote gives every connection the same verdict (with
 *       the kernel evidence the file carries);
 *   <li>the kernel's evidence agrees with what made the run: each reset the truth calls unread
 *       data or linger 0 is settled by its kernel reason with high confidence, the accept-queue
 *       modes' listener shows the backlog the server set and a queue that reached it, the SYN
 *       flood's listener as many half-open connections as the lab left, and the counters rose
 *       by what {@code nstat} says over the run.
 * </ul>
 * Skipped, saying why, where the lab cannot run (not Linux, not root, tools missing).
 */
class LiveLabTest {
    private static final int ATTEMPTS = 3;
    private static final long SECOND = 1_000_000_000L;
    private static final List<String> MODES = List.of("ok", "refused",
            "syn-dropped-accept-queue", "ack-ignored", "overflow-reset", "rst-unread-data",
            "rst-unread-data-after-fin", "rst-linger0", "client-linger0", "write-after-close",
            "syn-dropped-syn-queue");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Modes whose server's accept queue fills: the listener must show it. */
    private static final List<String> ACCEPT_QUEUE_MODES = List.of("syn-dropped-accept-queue",
            "ack-ignored", "overflow-reset");

    @TempDir
    static Path out;
    @RegisterExtension
    static final LabTests LAB = new LabTests(Lab::withLive);
    /** Every mode's latencies from deciding packet (or window end) to the line, for the summary. */
    private static final List<Long> LATENCIES = new ArrayList<>();
    /** Connections whose live verdict was compared with the truth, all modes together. */
    private static int compared;

    @AfterAll
    static void printSummary() {
        synchronized (LATENCIES) {
            if (!LATENCIES.isEmpty()) {
                List<Long> sorted = new ArrayList<>(LATENCIES);
                sorted.sort(null);
                System.out.printf("live: %d connections matched their truth; %d decided by a"
                                + " packet or a handshake window, printed %.1f ms after (median),"
                                + " %.1f ms (max)%n", compared, sorted.size(),
                        sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> liveVerdictsMatchEachRunsTruthWithinASecond() {
        return MODES.stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    private static void check(String name) throws Exception {
        LabMode mode = LabMode.byName(name).orElseThrow();
        Lab.Run run = LAB.lab().runShowing(mode, out, ATTEMPTS);
        Lab.LiveRun live = run.live();
        assertEquals(130, live.exitCode(), "exit code after SIGINT; it said: " + live.stderr());
        assertTrue(live.stderr().contains("listening on"), live.stderr());
        assertFalse(live.lines().isEmpty(), "synscope live printed nothing; it said: "
                + live.stderr());
        JsonNode end = JSON.readTree(live.lines().get(live.lines().size() - 1).line());
        assertEquals("end", end.path("type").asText(), "the last line is the end record");
        assertTrue(end.path("capture").has("kernel_drops"), end.toString());

        Map<List<HostPort>, List<Comparison.Said>> said = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        AnalysisConfig config = AnalysisConfig.defaults();
        for (Lab.TimedLine l : live.lines()) {
            JsonNode n = JSON.readTree(l.line());
            if (!n.path("type").asText().equals("connection")) {
                continue;
            }
            List<HostPort> tuple = List.of(hostPort(n.get("client")), hostPort(n.get("server")));
            said.computeIfAbsent(tuple, k -> new ArrayList<>()).add(said(n));
            long first = nanos(n.get("first_seen").asText());
            long last = nanos(n.get("last_seen").asText());
            Long decidedAt = switch (n.get("decided_by").asText()) {
                case "closed", "superseded" -> last;
                case "handshake-timeout" -> last + config.handshakeWindowNanos(last - first);
                default -> null; // capture-end: decided by the SIGINT; idle: 300 s, not here
            };
            if (decidedAt != null) {
                long latency = l.receivedNanos() - decidedAt;
                synchronized (LATENCIES) {
                    LATENCIES.add(latency);
                }
                if (latency > SECOND) {
                    problems.add(tuple + " " + n.get("decided_by").asText() + ": printed "
                            + latency / 1e6 + " ms after it was decided");
                }
            }
        }
        Map<List<HostPort>, List<Comparison.Said>> saidCopy = new LinkedHashMap<>(said);
        List<Comparison.Line> lines = Comparison.compare(run.rows(), said);
        StringBuilder table = new StringBuilder();
        for (Comparison.Line l : lines) {
            table.append(l.client()).append("  truth ").append(l.truth())
                    .append("  live ").append(l.synscope()).append('\n');
        }
        assertEquals(run.rows().size(), lines.size(), "live saw connections the lab did not"
                + " make:\n" + table);
        for (Comparison.Line l : lines) {
            assertTrue(l.matches(), name + ": " + l.client() + " truth " + l.truth() + ", live "
                    + l.synscope() + "\n" + table);
        }
        assertTrue(problems.isEmpty(), name + ": " + problems);
        synchronized (LATENCIES) {
            compared += lines.size();
        }

        // The file it wrote, analysed, says the same of every connection.
        Map<List<HostPort>, List<Comparison.Said>> fromFile = new LinkedHashMap<>();
        for (ConnectionResult r : Comparison.analyze(live.capture(), null)) {
            fromFile.computeIfAbsent(List.of(r.client(), r.server()), k -> new ArrayList<>())
                    .add(Comparison.Said.of(r));
        }
        assertEquals(saidCopy, fromFile, name + ": analyze of " + live.capture());
        checkKernelEvidence(mode, run, end, live);
        Assumptions.assumeTrue(run.intendedShown(), name + ": in " + ATTEMPTS + " runs the kernel"
                + " never showed the intended " + mode.intended() + " (last truth: " + run.shown()
                + "); live agreed with the truth, but this mode went untested");
    }

    /**
     * The kernel's word, held to what made the run: every reset the truth calls unread data or
     * linger 0 is settled by the reset's kernel reason with high confidence; the listener of
     * an accept-queue mode shows the backlog the server set (bounded by the namespace's
     * somaxconn) and a queue that reached it; the counters' rises equal nstat's over the run.
     */
    private static void checkKernelEvidence(LabMode mode, Lab.Run run, JsonNode end,
                                            Lab.LiveRun live) throws Exception {
        Map<List<HostPort>, JsonNode> byTuple = new LinkedHashMap<>();
        for (Lab.TimedLine l : live.lines()) {
            JsonNode n = JSON.readTree(l.line());
            if (n.path("type").asText().equals("connection")) {
                byTuple.put(List.of(hostPort(n.get("client")), hostPort(n.get("server"))), n);
            }
        }
        for (Expected.Row row : run.rows()) {
            Verdict truth = row.expectation().verdict();
            if (truth != Verdict.RST_UNREAD_DATA && truth != Verdict.RST_LINGER0) {
                continue;
            }
            JsonNode n = byTuple.get(List.of(row.client(), row.server()));
            assertTrue(n != null, mode.name() + ": no line for " + row.client());
            String rule = n.get("rule").asText();
            assertTrue(rule.startsWith("kernel-abort-") || rule.equals("data-after-close"),
                    mode.name() + " " + row.client() + ": not settled by the kernel: " + n);
            assertEquals("high", n.get("confidence").asText(), n.toString());
            assertTrue(n.get("kernel").toString().contains("tcp_send_reset"), n.toString());
        }
        JsonNode kernel = end.path("kernel");
        assertFalse(kernel.isNull() || kernel.isMissingNode(), "the end record has no kernel");
        System.out.printf("live kernel %s: sources %s, missing %s, listeners %s, counters"
                        + " ListenOverflows %d ListenDrops %d TCPReqQFullDrop %d (nstat %s)%n",
                mode.name(), kernel.path("sources"), kernel.path("missing"), end.path("listeners"),
                kernel.path("counters").path("ListenOverflows").asLong(0),
                kernel.path("counters").path("ListenDrops").asLong(0),
                kernel.path("counters").path("TCPReqQFullDrop").asLong(0),
                run.nstatServer().entrySet().stream().filter(e -> e.getKey().contains("Listen")
                        || e.getKey().contains("ReqQFull")).toList());
        for (String counter : List.of("ListenOverflows", "ListenDrops", "TCPReqQFullDrop")) {
            long nstat = run.nstatServer().getOrDefault("TcpExt" + counter, 0L);
            assertEquals(nstat, kernel.path("counters").path(counter).asLong(0),
                    mode.name() + ": " + counter + " over the run, nstat vs live: " + kernel);
            // The status records' per-interval rises add up to no more than the run's.
            long perInterval = 0;
            for (Lab.TimedLine l : live.lines()) {
                JsonNode n = JSON.readTree(l.line());
                if (n.path("type").asText().equals("status")) {
                    perInterval += n.path("kernel_counters").path(counter).asLong(0);
                }
            }
            assertTrue(perInterval <= nstat, mode.name() + ": " + counter + " per interval "
                    + perInterval + ", nstat " + nstat);
        }
        if (mode.server() == null) {
            return;
        }
        JsonNode listener = null;
        for (JsonNode l : end.path("listeners")) {
            if (l.path("port").asInt() == LabMode.PORT) {
                listener = l;
            }
        }
        if (mode.name().equals("syn-dropped-syn-queue")) {
            // The spoofed SYNs' SYN-ACKs went unanswered: each held a request socket at once.
            long halfOpen = run.rows().stream().filter(r -> r.expectation().verdict()
                    == Verdict.SYNACK_UNANSWERED).count();
            assertTrue(listener != null, "no listener in " + end.path("listeners"));
            assertEquals(halfOpen, listener.path("syn_recv_peak").asLong(), listener.toString());
            return;
        }
        if (!ACCEPT_QUEUE_MODES.contains(mode.name())) {
            return;
        }
        int backlog = Math.min(mode.server().backlog(), mode.sysctls().somaxconn());
        assertTrue(listener != null, mode.name() + ": no listener in " + end.path("listeners"));
        assertEquals(backlog, listener.path("backlog").asInt(), listener.toString());
        assertTrue(listener.path("accept_queue").path("peak").asInt() >= backlog,
                "the queue reached its backlog: " + listener);
    }

    /** What a connection record says: verdict, outcome, confidence, alternatives' reasons. */
    private static Comparison.Said said(JsonNode n) {
        List<String> reasons = new ArrayList<>();
        n.get("alternatives").forEach(a -> reasons.add(a.get("reason").asText()));
        return new Comparison.Said(
                Samples.byKey(Verdict.values(), Verdict::key, n.get("verdict").asText()),
                Samples.byKey(Outcome.values(), Outcome::key, n.get("outcome").asText()),
                Samples.byKey(Confidence.values(), Confidence::key, n.get("confidence").asText()),
                reasons);
    }

    private static HostPort hostPort(JsonNode n) {
        return new HostPort(n.get("ip").asText(), n.get("port").asInt());
    }

    private static long nanos(String iso) {
        Instant t = Instant.parse(iso);
        return t.getEpochSecond() * SECOND + t.getNano();
    }
}
