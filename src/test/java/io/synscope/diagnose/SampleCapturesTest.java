package io.synscope.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.testutil.CollectingSink;
import io.synscope.testutil.Samples;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every capture in {@code sample-pcaps/} was made on a real kernel (sample-pcaps/README.md); its
 * {@code .expected.json} holds each connection's verdict and outcome derived from what the
 * client saw and the kernel's counters, never from synscope. They must match exactly.
 */
class SampleCapturesTest {
    private static final Path SAMPLES = Samples.DIR;

    @TestFactory
    Stream<DynamicTest> everySampleMatchesItsGroundTruth() throws IOException {
        return Samples.expectations().stream().map(e -> DynamicTest.dynamicTest(
                e.getFileName().toString(), () -> check(e)));
    }

    private static void check(Path expectationFile) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(expectationFile.toFile());
        Path capture = SAMPLES.resolve(expected.get("capture").asText());
        List<String> want = new ArrayList<>();
        for (JsonNode c : expected.get("connections")) {
            want.add(line(c.get("client").get("ip").asText(), c.get("client").get("port").asInt(),
                    c.get("server").get("ip").asText(), c.get("server").get("port").asInt(),
                    c.get("verdict").asText(), c.get("outcome").asText()));
        }
        List<String> got = new ArrayList<>();
        for (ConnectionResult r : CollectingSink.analyze(capture).connections) {
            got.add(line(r.client().ip(), r.client().port(), r.server().ip(), r.server().port(),
                    r.verdict().key(), r.outcome().key()));
        }
        want.sort(null);
        got.sort(null);
        assertEquals(String.join("\n", want), String.join("\n", got), capture.toString());
    }

    /**
     * The listener findings against the kernel's own counters of each run: where the listener
     * dropped SYNs or handshake ACKs ({@code ListenDrops}, {@code TCPReqQFullDrop} moved), the
     * finding must blame a listen queue; where nothing moved, it must not.
     */
    @TestFactory
    Stream<DynamicTest> listenerFindingsAgreeWithTheKernelsCounters() throws IOException {
        return Samples.expectations().stream().map(e -> DynamicTest.dynamicTest(
                e.getFileName().toString(), () -> checkFindings(e)));
    }

    private static final Set<String> QUEUE_FINDINGS = Set.of("accept-queue-overflow",
            "listen-queue-overflow", "syn-flood");

    private static void checkFindings(Path expectationFile) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(expectationFile.toFile());
        JsonNode nstat = expected.get("nstat_delta");
        Assumptions.assumeTrue(nstat != null && !expected.get("connections").isEmpty(),
                "no kernel counters recorded for " + expectationFile.getFileName());
        long listenerDrops = nstat.path("TcpExtListenDrops").asLong()
                + nstat.path("TcpExtTCPReqQFullDrop").asLong();
        Path capture = SAMPLES.resolve(expected.get("capture").asText());
        List<String> blamed = new ArrayList<>();
        for (Summary.ListenerFinding f : CollectingSink.analyze(capture).summary
                .listenerFindings()) {
            if (QUEUE_FINDINGS.contains(f.rule())) {
                blamed.add(f.server() + " " + f.rule());
            }
        }
        if (listenerDrops > 0) {
            assertFalse(blamed.isEmpty(), capture + ": the listener dropped " + listenerDrops
                    + " (nstat), yet no finding names a listen queue");
        } else {
            assertEquals(List.of(), blamed, capture + ": nstat shows no listener drop");
        }
    }

    private static String line(String clientIp, int clientPort, String serverIp, int serverPort,
                               String verdict, String outcome) {
        return clientIp + ":" + clientPort + " -> " + serverIp + ":" + serverPort + "  " + verdict
                + "/" + outcome;
    }
}
