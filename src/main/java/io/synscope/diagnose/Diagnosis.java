package io.synscope.diagnose;

import java.util.List;

/**
 * The classifier's reading of one connection. Its verdict is the connection's first failure in
 * time (or {@code ok}, {@code incomplete}); failures after it are in {@link #also}.
 *
 * @param recoveryDelayNanos for {@link Outcome#RECOVERED}: time from the first failure to the
 *                           moment it worked; -1 otherwise
 * @param resetBy            the side whose RST ended the connection, or null
 * @param rule               the rule that gave the verdict
 * @param notes              facts worth knowing that are not evidence of the verdict
 * @param also               the failures after the first, in time order
 * @param kernel             what the kernel recorded that bears on the verdict, in time order;
 *                           empty without kernel evidence
 */
public record Diagnosis(Verdict verdict, Outcome outcome, long recoveryDelayNanos, Side resetBy,
                        Rule rule, Confidence confidence, List<Evidence> evidence,
                        List<Alternative> alternatives, List<String> notes, List<Failure> also,
                        List<KernelEvidence> kernel) {
    public Diagnosis {
        evidence = List.copyOf(evidence);
        also = List.copyOf(also);
        alternatives = List.copyOf(alternatives);
        notes = List.copyOf(notes);
        kernel = List.copyOf(kernel);
    }

    /** The verdict part alone. */
    public Judgement judgement() {
        int later = 0;
        for (Failure f : also) {
            later |= 1 << f.verdict().ordinal();
        }
        return new Judgement(verdict, rule, confidence, outcome, recoveryDelayNanos, later);
    }
}
