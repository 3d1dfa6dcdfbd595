package io.synscope.diagnose;

import java.util.List;

/**
 * The classifier's reading of one connection.
 *
 * @param recoveryDelayNanos for {@link Outcome#RECOVERED}: time from the first failure to the
 *                           moment it worked; -1 otherwise
 * @param resetBy            the side whose RST ended the connection, or null
 * @param rule               the id of the rule that fired (stable, documented in docs/verdicts.md#rule-ids)
 * @param notes              facts worth knowing that are not evidence of the verdict
 */
public record Diagnosis(Verdict verdict, Outcome outcome, long recoveryDelayNanos, Side resetBy,
                        String rule, Confidence confidence, List<Evidence> evidence,
                        List<Alternative> alternatives, List<String> notes) {
    public Diagnosis {
        evidence = List.copyOf(evidence);
        alternatives = List.copyOf(alternatives);
        notes = List.copyOf(notes);
    }

    /** The verdict part alone. */
    public Judgement judgement() {
        return new Judgement(verdict, outcome, recoveryDelayNanos);
    }
}
