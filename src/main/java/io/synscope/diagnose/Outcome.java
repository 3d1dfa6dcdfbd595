package io.synscope.diagnose;

import java.util.Locale;

/** How the connection ended up, from the user's point of view. */
public enum Outcome {
    /** It worked. */
    OK,
    /** It failed. */
    FAILED,
    /** It failed first and worked in the end (the delay is reported). */
    RECOVERED,
    /** The capture cannot tell (verdict {@code incomplete}). */
    UNKNOWN;

    private final String key;

    Outcome() {
        this.key = name().toLowerCase(Locale.ROOT);
    }

    public String key() {
        return key;
    }
}
