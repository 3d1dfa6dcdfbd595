package io.synscope.lab;

import io.synscope.flow.Addresses;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of the lab's child programs ({@code --name value} pairs and bare
 * {@code --flag}s, written by the driver, so a mistake is a bug: it throws) and small helpers
 * they share.
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

    boolean flag(String name) {
        return values.containsKey(name);
    }

    int integer(String name) {
        return Integer.parseInt(get(name));
    }

    /** An enum constant by its {@link LabJson#key} form, e.g. {@code reply-wait-eof}. */
    <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        return Enum.valueOf(type, get(name).toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** {@code 10.77.0.2:8080} or {@code [fd77::2]:8080}. */
    InetSocketAddress hostPort(String name) throws UnknownHostException {
        String s = get(name);
        int colon = s.lastIndexOf(':');
        String host = s.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(s.substring(colon + 1)));
    }

    static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Dotted quad, or RFC 5952 IPv6 text: the form synscope prints and expected.json holds. */
    static String text(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress();
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return Addresses.format(buf.getLong(0), buf.getLong(8));
    }
}
