package io.synscope.diagnose;

/** Another verdict the wire cannot rule out, and why. */
public record Alternative(Verdict verdict, String reason) {
}
