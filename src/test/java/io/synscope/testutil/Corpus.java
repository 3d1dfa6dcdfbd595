package io.synscope.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared corpus of public captures with third-party oracles. It lives outside the
 * repository: {@code $SYNSCOPE_CORPUS}, else {@code ../shared/corpus} beside the project. Tests
 * that need it are skipped, saying so, when it is absent.
 */
public final class Corpus {
    private Corpus() {
    }

    /** The corpus folder; skips the calling test when there is none. */
    public static Path dir() {
        String override = System.getenv("SYNSCOPE_CORPUS");
        Path projectDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path corpus = override != null && !override.isEmpty()
                ? Path.of(override) : projectDir.resolve("../shared/corpus").normalize();
        assumeTrue(Files.isDirectory(corpus), "no capture corpus at " + corpus
                + "; set SYNSCOPE_CORPUS to the shared corpus folder to run this test");
        return corpus;
    }
}
