package io.synscope.report;

import io.synscope.diagnose.Verdict;

/** ANSI styling that collapses to plain text when colour is off. */
final class Style {
    private final boolean color;

    Style(boolean color) {
        this.color = color;
    }

    private String wrap(String code, String s) {
        return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }

    String bold(String s) {
        return wrap("1", s);
    }

    String dim(String s) {
        return wrap("2", s);
    }

    String bad(String s) {
        return wrap("31", s);
    }

    String warn(String s) {
        return wrap("33", s);
    }

    String good(String s) {
        return wrap("32", s);
    }

    String verdict(Verdict v, String s) {
        return v == Verdict.OK ? good(s) : v.isFailure() ? wrap("1;31", s) : s;
    }
}
