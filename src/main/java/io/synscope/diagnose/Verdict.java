package io.synscope.diagnose;

import java.util.Locale;

/**
 * What happened to a connection. The {@link #key()} strings are a public contract (JSON output,
 * docs, scripts): never rename them.
 */
public enum Verdict {
    OK,
    REFUSED,
    SYN_DROPPED,
    SYNACK_UNANSWERED,
    ACK_IGNORED,
    OVERFLOW_RESET,
    RST_UNREAD_DATA,
    RST_LINGER0,
    HALF_OPEN_RESET,
    RESET,
    STALLED,
    INCOMPLETE;

    private final String key;

    Verdict() {
        this.key = name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The public name, e.g. {@code syn-dropped}. */
    public String key() {
        return key;
    }

    /** True for verdicts that name a failure (everything but ok and incomplete). */
    public boolean isFailure() {
        return this != OK && this != INCOMPLETE;
    }
}
