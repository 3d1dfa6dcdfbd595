package io.synscope.lab;

import org.junit.jupiter.api.Assumptions;

import java.io.PrintWriter;
import java.io.Writer;

/** What the lab tests that need root share. */
final class LabTests {
    private LabTests() {
    }

    /** A lab driver logging to {@code log}, or the test class skipped, saying why the lab cannot run. */
    static Lab openOrSkip(Writer log) {
        try {
            return Lab.open(false, new PrintWriter(log, true));
        } catch (LabException e) {
            return Assumptions.abort("the lab cannot run here: " + e.getMessage());
        }
    }
}
