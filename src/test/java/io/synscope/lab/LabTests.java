package io.synscope.lab;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.UnaryOperator;

/**
 * The lab driver of a test class that needs root: opened before its tests, or the class skipped
 * saying why the lab cannot run here; closed after them. Register it with
 * {@code @RegisterExtension static final LabTests LAB = new LabTests();}.
 */
final class LabTests implements BeforeAllCallback, AfterAllCallback {
    private final StringWriter log = new StringWriter();
    private final UnaryOperator<Lab> setUp;
    private Lab lab;

    LabTests() {
        this(UnaryOperator.identity());
    }

    /** With {@code setUp} applied to the opened driver (e.g. {@link Lab#withLive}). */
    LabTests(UnaryOperator<Lab> setUp) {
        this.setUp = setUp;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            lab = setUp.apply(Lab.open(false, new PrintWriter(log, true)));
        } catch (LabException e) {
            Assumptions.abort("the lab cannot run here: " + e.getMessage());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (lab != null) {
            lab.close();
        }
    }

    Lab lab() {
        return lab;
    }
}
