package io.synscope.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** The captures in {@code sample-pcaps/}, each with its ground truth (sample-pcaps/README.md). */
public final class Samples {
    public static final Path DIR = Path.of("sample-pcaps");

    private Samples() {
    }

    /** Every {@code .expected.json} there, sorted; fails when there is none. */
    public static List<Path> expectations() throws IOException {
        List<Path> expectations;
        try (Stream<Path> files = Files.list(DIR)) {
            expectations = files.filter(p -> p.getFileName().toString().endsWith(".expected.json"))
                    .sorted().toList();
        }
        assertFalse(expectations.isEmpty(), "no sample captures in " + DIR.toAbsolutePath());
        return expectations;
    }
}
