package io.synscope.testutil;

import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tshark as a test's judge of what a capture holds: Wireshark's own reading of the packets and
 * of a display filter, outside synscope.
 */
public final class Tshark {
    public static final Path PATH = Path.of("/usr/bin/tshark");

    private Tshark() {
    }

    /** Skips the test, saying why, without tshark. */
    public static void assume() {
        Assumptions.assumeTrue(Files.isExecutable(PATH), "tshark is not installed (.ci/run"
                + " installs it)");
    }

    public static boolean installed() {
        return Files.isExecutable(PATH);
    }

    /**
     * One field of each frame of {@code file} that {@code filter} selects (null: every frame),
     * in the file's order; fails the test when tshark cannot read the file or the filter.
     */
    public static List<String> fields(String file, String filter, String field)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PATH.toString(), "-n", "-r", file));
        if (filter != null) {
            cmd.addAll(List.of("-Y", filter));
        }
        cmd.addAll(List.of("-T", "fields", "-e", field));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark could not read " + file + " with " + filter);
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    /** How many frames of {@code file} {@code filter} selects (null: all). */
    public static int count(Path file, String filter) throws Exception {
        return fields(file.toString(), filter, "frame.number").size();
    }
}
