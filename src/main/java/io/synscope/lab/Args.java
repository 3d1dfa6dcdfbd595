package io.synscope.lab;

import io.synscope.capture.Addresses;

import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line of the lab's child programs ({@code --name value} pairs written by the
 * driver, so a mistake is a bug: it throws) and small helpers they share. Both programs take
 * the mode's name and look their part of it up in {@link LabMode}.
 */
final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name, got " + args[i]);
            }
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            values.put(args[i], hasValue ? args[++i] : "");
        }
    }

    String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return v;
    }

    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Dotted quad, or RFC 5952 IPv6 text: the form synscope prints and expected.json holds. */
    static String text(InetAddress a) {
        byte[] b = a.getAddress();
        return Addresses.format(Addresses.hi(b), Addresses.lo(b));
    }
}
