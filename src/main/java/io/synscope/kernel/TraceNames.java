package io.synscope.kernel;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reader's cache of what repeats from event to event: one {@link InetAddress} per address
 * literal and one string per state or reason name, so that a store full of events holds few
 * copies of either. Bounded (a flood from many sources cycles through it); one reader thread
 * only, not thread-safe.
 */
final class TraceNames {
    private static final int MAX_ADDRESSES = 4096;
    private static final int MAX_NAMES = 512;

    private final Map<String, InetAddress> addresses =
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, InetAddress> eldest) {
                    return size() > MAX_ADDRESSES;
                }
            };
    private final Map<String, String> names = new HashMap<>();

    /** As {@link TraceLine#address}, the same instance for the same literal while cached. */
    InetAddress address(String literal) {
        if (literal == null) {
            return null;
        }
        InetAddress a = addresses.get(literal);
        if (a == null && !addresses.containsKey(literal)) {
            a = TraceLine.address(literal);
            addresses.put(literal, a);
        }
        return a;
    }

    /** {@code name}, or an equal string seen before. */
    String name(String name) {
        if (name == null) {
            return null;
        }
        String seen = names.get(name);
        if (seen != null) {
            return seen;
        }
        if (names.size() < MAX_NAMES) {
            names.put(name, name);
        }
        return name;
    }
}
