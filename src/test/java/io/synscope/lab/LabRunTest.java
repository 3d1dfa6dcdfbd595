package io.synscope.lab;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a fresh set of lab modes on this kernel through the real driver (namespaces, tcpdump, the
 * lab's server and clients) and checks that synscope's verdict and outcome for every connection
 * of each new capture, on the server's side and on the client's, equal the ones that run's ground
 * truth implies for that side. Which burst connections overflowed is a race: each connection's
 * own truth settles it, never the mode's intention. A mode whose runs never show what it is meant
 * to (the race went the other way three times) is reported as skipped, not passed: synscope
 * agreed with the truth, but the failure mode went untested. Skipped, saying why, where the lab
 * cannot run (not Linux, not root, no ip, tc, nstat or tcpdump).
 */
class LabRunTest {
    /** Runs of a mode at most, until its truth shows the failure it is meant to show. */
    private static final int ATTEMPTS = 3;
    private static final List<String> MODES = List.of("refused", "ack-ignored", "overflow-reset",
            "rst-unread-data", "write-after-close", "syn-dropped-accept-queue", "half-open",
            "ack-ignored-cookies", "stalled");

    @TempDir
    static Path out;
    @RegisterExtension
    static final LabTests LAB = new LabTests();

    @TestFactory
    Stream<DynamicTest> synscopeAgreesWithEachRunsTruth() {
        return MODES.stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    private static void check(String name) throws Exception {
        LabMode mode = LabMode.byName(name).orElseThrow();
        Lab.Run run = LAB.lab().runShowing(mode, out, ATTEMPTS);
        assertTrue(Files.size(run.capture()) > 24, "a capture with packets: " + run.capture());
        assertTrue(Files.exists(out.resolve(name + ".expected.json")));
        assertFalse(run.rows().isEmpty(), "the run made connections");
        List<Lab.Capture> captures = new ArrayList<>(List.of(new Lab.Capture(run.capture(),
                mode.captureSide(), run.rows())));
        captures.addAll(run.variantCaptures());
        if (mode.captureSide() == LabMode.Side.SERVER) {
            assertTrue(captures.stream().anyMatch(c -> c.side() == LabMode.Side.CLIENT),
                    "captured on the client's side too");
        }
        for (Lab.Capture c : captures) {
            List<Comparison.Line> lines = Comparison.compare(c.rows(),
                    Comparison.analyze(c.file(), null));
            StringBuilder table = new StringBuilder();
            for (Comparison.Line l : lines) {
                table.append(l.client()).append("  truth ").append(l.truth())
                        .append(l.row() == null ? "" : " (rule " + l.row().expectation().rule()
                                + ", " + l.row().truth() + ")")
                        .append("  synscope ").append(l.synscope()).append('\n');
            }
            String where = name + " (" + c.side().name().toLowerCase(Locale.ROOT) + " side)";
            assertEquals(c.rows().size(), lines.size(), where
                    + ": synscope saw connections the lab did not make:\n" + table);
            for (Comparison.Line l : lines) {
                assertTrue(l.matches(), where + ": " + l.client() + " truth " + l.truth()
                        + ", synscope " + l.synscope() + "\n" + table);
            }
        }
        Assumptions.assumeTrue(run.intendedShown(), name + ": in " + ATTEMPTS + " runs the kernel"
                + " never showed the intended " + mode.intended() + " (last truth: " + run.shown()
                + "); synscope agreed with the truth, but this mode went untested");
    }
}
