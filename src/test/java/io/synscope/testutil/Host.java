package io.synscope.testutil;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The machine a test runs on: what it needs of it, and short commands. */
public final class Host {
    private Host() {
    }

    /**
     * Skips the caller unless this is Linux and the test runs as root, saying
     * {@code what} needs them (e.g. "capturing", "a tracefs instance").
     */
    public static void assumeLinuxRoot(String what) throws IOException, InterruptedException {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
                what + " is tested on Linux");
        Assumptions.assumeTrue("0".equals(sh("id", "-u").strip()),
                what + " needs root (CI runs as root)");
    }

    /** Runs a short command; its stdout. */
    public static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
