package io.synscope.diagnose;

/**
 * What the classifier judged of a connection, without the explanation ({@link Diagnosis} has
 * both): what counting it in a {@link Summary} takes.
 *
 * @param recoveryDelayNanos as in {@link Diagnosis}: for {@link Outcome#RECOVERED}, time from the
 *                           first failure to the moment it worked; -1 otherwise
 */
public record Judgement(Verdict verdict, Rule rule, Confidence confidence, Outcome outcome,
                        long recoveryDelayNanos) {
}
