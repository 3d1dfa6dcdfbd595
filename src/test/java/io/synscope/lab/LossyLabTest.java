package io.synscope.lab;

import io.synscope.diagnose.Confidence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lossy modes on this kernel: fresh runs through the lab's relay (delay, jitter, loss,
 * targeted drops), each captured on the server's side and on the client's, each capture
 * compared with the truth for its side (what the clients saw, and the relay's own log of
 * what it dropped; never synscope's output). Checked per mode over {@link #RUNS} runs:
 * <ul>
 *   <li>for each side and each verdict of the truth, synscope agrees on at least 97 % of the
 *       connections (verdict, outcome, and the confidence and alternative the truth asks for);
 *   <li>no connection is called a handshake failure with high confidence unless its truth
 *       allows it (a client that sent three SYNs): above all none whose truth is {@code ok}
 *       (blaming the listener for loss);
 *   <li>the relay did what the mode is about: it dropped each connection's handshake ACK, or
 *       first SYN-ACK, or (lossy-ok) some frames at random.
 * </ul>
 * The figures go to standard output. {@code -Dsynscope.lab.lossyRuns=N} makes N runs of each
 * mode instead (docs/lab/lossy.md). Skipped, saying why, where the lab cannot run (not Linux,
 * not root, tools missing, no ethtool).
 */
class LossyLabTest {
    private static final int RUNS = Integer.getInteger("synscope.lab.lossyRuns", 2);
    private static final double AGREEMENT = 0.97;
    private static final List<String> MODES = List.of("lossy-ok", "handshake-ack-lost",
            "synack-lost");

    @TempDir
    static Path out;
    @RegisterExtension
    static final LabTests LAB = new LabTests();
    private static final List<String> SUMMARY = new ArrayList<>();

    @AfterAll
    static void printSummary() {
        synchronized (SUMMARY) {
            SUMMARY.forEach(System.out::println);
        }
    }

    @TestFactory
    Stream<DynamicTest> synscopeAgreesWithTheTruthOfEachSide() {
        return MODES.stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    /** Connections per side and truth verdict, and how many of them synscope got right. */
    private static final class Tally {
        final Map<String, int[]> byVerdict = new TreeMap<>();
        final List<String> misses = new ArrayList<>();
        final List<String> healthyHigh = new ArrayList<>();
        /** High-confidence handshake failures the truth does not allow, healthy ones included. */
        final List<String> highNotAllowed = new ArrayList<>();

        void add(String side, Comparison.Line l) {
            int[] t = byVerdict.computeIfAbsent(side + " " + l.row().expectation().verdict().key(),
                    k -> new int[2]);
            t[1]++;
            if (l.matches()) {
                t[0]++;
            } else {
                // With confidence always, and the truth in words (what the relay dropped).
                misses.add(side + " " + l.client() + ": truth " + l.truth() + " (rule "
                        + l.row().expectation().rule() + "), synscope " + String.join(" + ",
                        l.synscope().stream().map(s -> s.text(true)).toList()) + "; "
                        + l.row().truth());
            }
            if (l.healthyCalledHighFailure()) {
                healthyHigh.add(side + " " + l.client() + ": " + l.said());
            }
            TruthRules.Expectation e = l.row().expectation();
            boolean allowed = Comparison.HANDSHAKE_FAILURES.contains(e.verdict())
                    && e.confidences().contains(Confidence.HIGH);
            if (!allowed && l.synscope().stream().anyMatch(Comparison.Said::highHandshakeFailure)) {
                highNotAllowed.add(side + " " + l.client() + ": truth " + l.truth() + ", synscope "
                        + l.said());
            }
        }
    }

    private static void check(String name) throws Exception {
        LabMode mode = LabMode.byName(name).orElseThrow();
        Tally tally = new Tally();
        List<String> relay = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Lab.Run run = LAB.lab().run(mode, out);
            relay.add(run.relaySummary());
            List<Lab.Capture> captures = new ArrayList<>(List.of(new Lab.Capture(run.capture(),
                    mode.captureSide(), run.rows())));
            captures.addAll(run.variantCaptures());
            assertEquals(2, captures.size(), "captured on both sides");
            for (Lab.Capture c : captures) {
                List<Comparison.Line> lines = Comparison.compare(c.rows(),
                        Comparison.analyze(c.file(), null));
                assertEquals(c.rows().size(), lines.size(), name + " " + c.file()
                        + ": synscope saw connections the lab did not make");
                String side = c.side().name().toLowerCase(Locale.ROOT);
                lines.forEach(l -> tally.add(side, l));
                if (c.side() == LabMode.Side.CLIENT) {
                    assertTheRelayDidItsPart(mode, c.rows(), run);
                }
            }
        }
        List<String> figures = new ArrayList<>();
        List<String> below = new ArrayList<>();
        tally.byVerdict.forEach((key, t) -> {
            figures.add(String.format(Locale.ROOT, "%s %d/%d", key, t[0], t[1]));
            if (t[0] < AGREEMENT * t[1]) {
                below.add(key);
            }
        });
        synchronized (SUMMARY) {
            SUMMARY.add("lossy " + name + " (" + RUNS + " runs): " + String.join(", ", figures)
                    + "; high-confidence handshake failures the truth does not allow: "
                    + tally.highNotAllowed.size() + ", of them on healthy connections: "
                    + tally.healthyHigh.size());
            relay.forEach(r -> SUMMARY.add("  relay: " + r));
            tally.misses.forEach(m -> SUMMARY.add("  differs: " + m));
        }
        assertTrue(tally.healthyHigh.isEmpty(), name + ": healthy connections called a handshake"
                + " failure with high confidence: " + tally.healthyHigh);
        assertTrue(tally.highNotAllowed.isEmpty(), name + ": high-confidence handshake failures"
                + " the truth does not allow: " + tally.highNotAllowed);
        assertTrue(below.isEmpty(), name + ": agreement below " + AGREEMENT * 100 + " % for "
                + below + " (" + String.join(", ", figures) + "); differing: " + tally.misses);
    }

    /**
     * From the truth alone: each connection of a targeted mode lost what the mode drops, and
     * lossy-ok lost frames at random. A relay that dropped nothing would make the test vacuous.
     */
    private static void assertTheRelayDidItsPart(LabMode mode, List<Expected.Row> clientRows,
                                                 Lab.Run run) {
        switch (mode.relay().drop()) {
            case HANDSHAKE_ACK -> clientRows.forEach(r -> assertEquals(20,
                    r.expectation().rule(), r.client() + ": " + r.truth()));
            case FIRST_SYNACK -> clientRows.forEach(r -> assertEquals(18,
                    r.expectation().rule(), r.client() + ": " + r.truth()));
            case NONE -> assertTrue(run.relay().droppedToServer() + run.relay().droppedToClient()
                    > 0, run.relaySummary());
        }
    }
}
