package io.synscope.diagnose;

import java.util.Locale;

/** A side of a connection. */
public enum Side {
    CLIENT,
    SERVER;

    private final String key;

    Side() {
        this.key = name().toLowerCase(Locale.ROOT);
    }

    public String key() {
        return key;
    }
}
