package io.synscope.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.diagnose.Verdict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
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

    /**
     * A connection as the lab made it (its {@code .expected.json}: what the clients, the server
     * and the kernel saw), not as synscope judged it.
     */
    public record Made(String verdict, String outcome) {
        /** Whether the reports count it among the failures ({@link Verdict#isFailure}). */
        public boolean failure() {
            return byKey(Verdict.values(), Verdict::key, verdict).isFailure();
        }
    }

    /**
     * The value of {@code values} whose {@code key} (as the JSON report and the lab's truth files
     * spell it) is {@code text}; fails the test when none is.
     */
    public static <E> E byKey(E[] values, Function<E, String> key, String text) {
        return Arrays.stream(values).filter(v -> key.apply(v).equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("not a known value: " + text));
    }

    /** The connections the lab made for {@code capture} (a file here), from its truth file. */
    public static List<Made> made(String capture) throws IOException {
        String base = capture.substring(0, capture.lastIndexOf('.'));
        JsonNode truth = new ObjectMapper().readTree(DIR.resolve(base + ".expected.json")
                .toFile());
        List<Made> made = new ArrayList<>();
        for (JsonNode c : truth.get("connections")) {
            made.add(new Made(c.get("verdict").asText(), c.get("outcome").asText()));
        }
        assertFalse(made.isEmpty(), "no connections in " + base + ".expected.json");
        return made;
    }
}
