package io.synscope.capture;

/**
 * Makes text that came from outside (a file name, an interface name, a filter, an operating
 * system's message) safe to print on a terminal: control characters (C0, DEL, C1: escape
 * sequences that could recolour, move the cursor or retitle the window), Unicode's invisible
 * direction overrides (which can make a name read as another) and line separators become visible
 * escapes, {@code \x1b} or {@code \u202e}; a backslash is doubled so that an escape cannot be
 * forged. Everything else, non-ASCII letters included, is kept as it is.
 */
public final class Printable {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {
    }

    /** {@code text} with what a terminal would act on, or hide, escaped; null stays null. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                sb.append(c);
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x100) {
                sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                        .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            }
        }
        return sb.toString();
    }

    /**
     * Whether {@code escape} escapes {@code c}: a control character, an invisible direction
     * override or line separator, or the backslash.
     */
    public static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == '\\'
                || c == 0x061C || c == 0x200E || c == 0x200F
                || (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}
