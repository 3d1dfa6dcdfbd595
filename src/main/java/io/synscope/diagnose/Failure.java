package io.synscope.diagnose;

import java.util.List;

/**
 * A failure that came after a connection's first one (its {@link Diagnosis#verdict()}): a SYN
 * dropped for seconds, then the connection reset; an ignored ACK, then a reset once it worked.
 *
 * @param atNanos when it showed: the capture time of its first evidence packet
 */
public record Failure(Verdict verdict, Rule rule, Confidence confidence, long atNanos,
                      List<Evidence> evidence) {
    public Failure {
        evidence = List.copyOf(evidence);
    }
}
