package io.synscope.diagnose;

/**
 * What the classifier judged of a connection, without the explanation ({@link Diagnosis} has
 * both): what counting it in a {@link Summary} takes.
 *
 * @param recoveryDelayNanos as in {@link Diagnosis}: for {@link Outcome#RECOVERED}, time from the
 *                           first failure to the moment it worked; -1 otherwise
 * @param laterVerdicts      the verdicts of the failures after the first, a bit per ordinal
 */
public record Judgement(Verdict verdict, Rule rule, Confidence confidence, Outcome outcome,
                        long recoveryDelayNanos, int laterVerdicts) {

    /** True when {@code v} is among the failures after the verdict ({@link Diagnosis#also()}). */
    public boolean later(Verdict v) {
        return (laterVerdicts & 1 << v.ordinal()) != 0;
    }
}
