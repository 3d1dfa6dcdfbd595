package io.synscope.kernel;

import io.synscope.capture.Addresses;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a trace instance's {@code trace_pipe}, parsed: an event with its payload, one of
 * our clock markers, a {@code [LOST n EVENTS]} notice, or something else. The text format (the
 * default {@code trace_options}):
 * <pre>
 *   conn-40001-22077   [000] ..... 1796549461.787597: tcp_send_reset: skbaddr=… src=10.77.0.2:8080 …
 *   CPU:1 [LOST 12 EVENTS]
 * </pre>
 * The task name before the CPU column is any 15 characters a process chose, so the line is read
 * from the CPU column on; timestamps are seconds with six decimals, in the instance's clock.
 *
 * @param kind       what the line is
 * @param name       the event's name ({@code tcp_send_reset}, {@code tracing_mark_write}, …)
 * @param traceNanos its timestamp in the trace clock, in nanoseconds
 * @param payload    the rest of the line after {@code name: }
 * @param lost       for {@link Kind#LOST}: how many events the kernel overwrote
 */
public record TraceLine(Kind kind, String name, long traceNanos, String payload, long lost) {
    public enum Kind { EVENT, LOST, OTHER }

    private static final Pattern HEAD = Pattern.compile(
            "\\[(\\d{3,})]\\s+(?:\\S+\\s+)?(\\d{1,12})\\.(\\d{1,9}):\\s+(\\w+):\\s?(.*)$");
    private static final Pattern LOST_LINE = Pattern.compile("^CPU:\\d+ \\[LOST (\\d+) EVENTS]");
    /** {@code key=value} and kfree_skb's {@code reason: VALUE}. */
    private static final Pattern KEY_VALUE = Pattern.compile("(\\w+)(?:=|: )(\\S+)");
    private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000,
            10_000_000, 100_000_000, 1_000_000_000};
    private static final TraceLine OTHER_LINE = new TraceLine(Kind.OTHER, null, 0, null, 0);

    public static TraceLine parse(String line) {
        Matcher lost = LOST_LINE.matcher(line);
        if (lost.find()) {
            return new TraceLine(Kind.LOST, null, 0, null, Long.parseLong(lost.group(1)));
        }
        Matcher m = HEAD.matcher(line);
        if (!m.find()) {
            return OTHER_LINE;
        }
        String frac = m.group(3);
        long nanos = Long.parseLong(m.group(2)) * 1_000_000_000L
                + Long.parseLong(frac) * POW10[9 - frac.length()];
        return new TraceLine(Kind.EVENT, m.group(4), nanos, m.group(5), 0);
    }

    /**
     * This line as a {@link KernelEvent} at {@code tsNanos} (already on the packets' clock), or
     * null when it is none of the three events or its addresses do not parse. Reads the
     * payloads of 6.10+ ({@code src=ADDR:PORT dest=ADDR:PORT state=S reason=R}) and of older
     * kernels ({@code sport= dport= saddr= daddr= saddrv6= daddrv6=}, with {@code family=} on
     * tcp_retransmit_synack), IPv4 and IPv6; IPv4-mapped IPv6 addresses (a dual-stack socket's)
     * become IPv4.
     */
    public KernelEvent toEvent(long tsNanos) {
        return toEvent(tsNanos, new TraceNames());
    }

    /** As {@link #toEvent(long)}, with addresses and names shared through {@code cache}. */
    KernelEvent toEvent(long tsNanos, TraceNames cache) {
        if (kind != Kind.EVENT) {
            return null;
        }
        Map<String, String> f = fields(payload);
        switch (name) {
            case KernelEvent.SEND_RESET, KernelEvent.RETRANSMIT_SYNACK -> {
                InetAddress src;
                int srcPort;
                InetAddress dst;
                int dstPort;
                if (f.containsKey("src")) {
                    String s = f.get("src");
                    String d = f.get("dest");
                    src = cache.address(host(s));
                    srcPort = port(s);
                    dst = cache.address(host(d));
                    dstPort = port(d);
                } else {
                    boolean v4 = "AF_INET".equals(f.get("family"))
                            || (!f.containsKey("family") && !isUnspecified(f.get("saddr")));
                    src = cache.address(f.get(v4 ? "saddr" : "saddrv6"));
                    dst = cache.address(f.get(v4 ? "daddr" : "daddrv6"));
                    srcPort = parsePort(f.get("sport"));
                    dstPort = parsePort(f.get("dport"));
                }
                if (src == null && dst == null) {
                    return null;
                }
                return new KernelEvent(cache.name(name), tsNanos, src, src == null ? 0 : srcPort, dst,
                        dst == null ? 0 : dstPort, cache.name(f.get("state")),
                        cache.name(f.get("reason")));
            }
            case KernelEvent.KFREE_SKB -> {
                return new KernelEvent(cache.name(name), tsNanos, null, 0, null, 0, null,
                        cache.name(f.get("reason")));
            }
            default -> {
                return null;
            }
        }
    }

    static Map<String, String> fields(String payload) {
        Map<String, String> out = new HashMap<>();
        Matcher m = KEY_VALUE.matcher(payload);
        while (m.find()) {
            out.putIfAbsent(m.group(1), m.group(2));
        }
        return out;
    }

    /** {@code 10.0.0.1:80} → {@code 10.0.0.1}; {@code [fd77::1]:80} → {@code fd77::1}. */
    private static String host(String sockaddr) {
        if (sockaddr == null) {
            return null;
        }
        int colon = sockaddr.lastIndexOf(':');
        String h = colon < 0 ? sockaddr : sockaddr.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int scope = h.indexOf('%');
        return scope < 0 ? h : h.substring(0, scope);
    }

    private static int port(String sockaddr) {
        return sockaddr == null ? 0 : parsePort(sockaddr.substring(sockaddr.lastIndexOf(':') + 1));
    }

    private static int parsePort(String s) {
        if (s == null || s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        int p = Integer.parseInt(s);
        return p <= 65535 ? p : 0;
    }

    private static boolean isUnspecified(String ip) {
        return ip == null || ip.equals("0.0.0.0");
    }

    /**
     * An address literal, or null for none, an unspecified one or anything that is not a literal
     * ({@link Addresses#literal}: never a name lookup).
     */
    static InetAddress address(String literal) {
        byte[] b = Addresses.literal(literal);
        if (b == null) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByAddress(b);
            return a.isAnyLocalAddress() ? null : a;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
