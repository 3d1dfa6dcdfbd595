package io.synscope.diagnose;

import java.util.Locale;

/**
 * How sure synscope is of a verdict. HIGH: the wire shows the signature itself. MEDIUM: the
 * likelier of readings the wire cannot tell apart, or a signature seen only in part. LOW: an
 * inference from what is missing (no retransmission, one direction only).
 */
public enum Confidence {
    HIGH,
    MEDIUM,
    LOW;

    private final String key;

    Confidence() {
        this.key = name().toLowerCase(Locale.ROOT);
    }

    public String key() {
        return key;
    }
}
