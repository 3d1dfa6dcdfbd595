package io.synscope.diagnose;

import java.util.Locale;

/** A side of a connection. */
public enum Side {
    CLIENT,
    SERVER;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
