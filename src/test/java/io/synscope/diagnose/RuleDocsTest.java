package io.synscope.diagnose;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every verdict and every rule is explained, in the report and in docs/verdicts.md: a rule a
 * user meets in a report must lead somewhere.
 */
class RuleDocsTest {
    private static final Path VERDICTS_MD = Path.of("docs", "verdicts.md");

    /** The text of section {@code ## `key`} up to the next {@code ## } heading, or null. */
    private static String section(String doc, String key) {
        int start = doc.indexOf("\n## `" + key + "`\n");
        if (start < 0) {
            return null;
        }
        int end = doc.indexOf("\n## ", start + 1);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    @Test
    void everyFailureVerdictHasACauseAndARemedy() {
        for (Verdict v : Verdict.values()) {
            Explanation e = Explanation.of(v);
            assertTrue(e != null, v + " has no explanation");
            if (v.isFailure()) {
                assertTrue(!e.cause().isBlank() && !e.remedy().isBlank(), v + ": " + e);
            }
        }
    }

    @Test
    void everyRuleIsDescribedInItsVerdictsSectionAndInTheRuleTable() throws IOException {
        String doc = Files.readString(VERDICTS_MD);
        String table = doc.substring(doc.indexOf("\n## Rule ids\n"));
        List<String> missing = new ArrayList<>();
        for (Rule r : Rule.values()) {
            assertEquals("docs/verdicts.md#" + r.verdict().key(), r.docsAnchor());
            String section = section(doc, r.verdict().key());
            if (section == null || !section.contains("`" + r.key() + "`")) {
                missing.add(r.key() + " (section " + r.verdict().key() + ")");
            }
            if (!table.contains("| `" + r.key() + "` | `" + r.verdict().key() + "` |")) {
                missing.add(r.key() + " (rule table)");
            }
            assertTrue(r.explanation() != null && (r.verdict() == Verdict.OK
                    || !r.explanation().cause().isBlank()), r + " has no explanation");
        }
        assertEquals(List.of(), missing, "rules not documented in " + VERDICTS_MD);
    }

    @Test
    void everyVerdictHasASection() throws IOException {
        String doc = Files.readString(VERDICTS_MD);
        for (Verdict v : Verdict.values()) {
            assertTrue(section(doc, v.key()) != null, "no section ## `" + v.key() + "`");
        }
    }
}
