package io.synscope.cli;

import io.synscope.lab.LabMode;
import org.junit.jupiter.api.Test;

import static io.synscope.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code synscope lab}'s command line; runs that need root are LabRunTest's. */
class LabCommandTest {
    @Test
    void listShowsEveryModeOnOneLine() {
        BadInputTest.Run r = run("lab", "--list");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(LabMode.ALL.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            assertTrue(lines[i].startsWith(LabMode.ALL.get(i).name() + " "), lines[i]);
        }
    }

    @Test
    void badCommandLinesSayWhatToGive() {
        for (String[] args : new String[][] {{"lab"}, {"lab", "ok", "--all"}, {"lab", "--all"},
                {"lab", "no-such-mode"}}) {
            BadInputTest.Run r = run(args);
            assertEquals(ExitCode.USAGE, r.code(), String.join(" ", args));
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertTrue(r.err().startsWith("synscope lab: "), r.err());
            assertFalse(r.err().contains("at io.synscope"), "no stack trace");
        }
    }
}
