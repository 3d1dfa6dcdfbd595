package io.synscope.report;

import io.synscope.capture.Addresses;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which connections a report lists ({@code --server}, {@code --client}, {@code --port},
 * {@code --verdict}, {@code --outcome}, {@code --since}, {@code --until}; docs/usage.md): all of
 * the given conditions at once. Parsed from the command line's text by the {@code parse…}
 * methods, which throw {@link IllegalArgumentException} with a message for the user.
 *
 * @param server   the server's address and maybe port, or null for any
 * @param client   the client's address and maybe port, or null for any
 * @param port     a port on either side, or -1 for any
 * @param verdicts the verdicts listed, or null for any
 * @param outcomes the outcomes listed, or null for any
 * @param since    seen at or after this, or null
 * @param until    seen at or before this, or null
 * @param text     the options as given, for the report to say what it lists
 */
public record Selection(Address server, Address client, int port, Set<Verdict> verdicts,
                        Set<Outcome> outcomes, Time since, Time until, String text) {
    /** Every connection. */
    public static final Selection ALL = new Selection(null, null, -1, null, null, null, null, "");

    private static final Pattern RELATIVE = Pattern.compile("\\+(\\d{1,9})(ms|s|m|h)");

    public Selection {
        verdicts = verdicts == null ? null : Set.copyOf(verdicts);
        outcomes = outcomes == null ? null : Set.copyOf(outcomes);
    }

    public boolean isAll() {
        return server == null && client == null && port < 0 && verdicts == null
                && outcomes == null && since == null && until == null;
    }

    /**
     * Whether it asks for connections that are not failures (verdict ok or incomplete, outcome
     * ok or unknown): the lists that hold only failures by default then hold those too, as if
     * {@code --all} were given.
     */
    public boolean namesHealthy() {
        return verdicts != null && (verdicts.contains(Verdict.OK)
                || verdicts.contains(Verdict.INCOMPLETE))
                || outcomes != null && (outcomes.contains(Outcome.OK)
                || outcomes.contains(Outcome.UNKNOWN));
    }

    /** Whether connections with verdict {@code v} may be selected. */
    public boolean allows(Verdict v) {
        return verdicts == null || verdicts.contains(v);
    }

    /**
     * Whether {@code r} is selected: a connection is in a time window when it was seen in it
     * (first to last packet overlapping the window), so one that started before {@code --since}
     * and failed after it is listed.
     *
     * @param captureStartNanos the first frame's time, for times relative to it
     */
    public boolean matches(ConnectionResult r, long captureStartNanos) {
        return allows(r.verdict())
                && (outcomes == null || outcomes.contains(r.outcome()))
                && (server == null || server.matches(r.server()))
                && (client == null || client.matches(r.client()))
                && (port < 0 || r.client().port() == port || r.server().port() == port)
                && (since == null || r.lastSeenNanos() >= since.nanos(captureStartNanos))
                && (until == null || r.firstSeenNanos() <= until.nanos(captureStartNanos));
    }

    /**
     * This selection with its relative times ({@code +30s}) counted from {@code start} instead
     * of the capture's first frame: {@code live}'s, counted from when it starts listening.
     */
    public Selection startingAt(Instant start) {
        long startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
        return new Selection(server, client, port, verdicts, outcomes, absolute(since, startNanos),
                absolute(until, startNanos), text);
    }

    private static Time absolute(Time t, long startNanos) {
        return t == null || !t.relative() ? t : new Time(startNanos + t.value(), false);
    }

    /**
     * An address, in the text synscope prints addresses in ({@link Addresses#format}), and
     * maybe a port ({@code port} -1: any). A connection's addresses are in that text too, so
     * matching one is comparing strings, no parsing per connection.
     */
    public record Address(String ip, int port) {
        boolean matches(HostPort hp) {
            return (port < 0 || hp.port() == port) && ip.equals(hp.ip());
        }
    }

    /** An absolute time, or (relative) nanoseconds after the capture's first frame. */
    public record Time(long value, boolean relative) {
        long nanos(long captureStartNanos) {
            return relative ? captureStartNanos + value : value;
        }
    }

    /** {@code HOST[:PORT]}, HOST an IPv4 or IPv6 address; IPv6 with a port as {@code [::1]:80}. */
    public static Address parseAddress(String option, String text) {
        String host = text;
        int port = -1;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || (close != text.length() - 1 && colon != close + 1)) {
                throw badAddress(option, text);
            }
            host = text.substring(1, close);
            if (close != text.length() - 1) {
                port = parsePort(option, text.substring(close + 2));
            }
        } else if (colon >= 0 && text.indexOf(':') == colon) {
            host = text.substring(0, colon);
            port = parsePort(option, text.substring(colon + 1));
        }
        byte[] ip = Addresses.literal(host);
        if (ip == null) {
            throw badAddress(option, text);
        }
        return new Address(Addresses.format(Addresses.hi(ip), Addresses.lo(ip)), port);
    }

    /** 1 to 65535. */
    public static int parsePort(String option, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Said below, as for a number out of range.
        }
        throw new IllegalArgumentException(option + ": '" + text + "' is not a port (1 to 65535)");
    }

    /** A comma-separated list of verdict keys. */
    public static Set<Verdict> parseVerdicts(String option, String text) {
        return parseList(option, text, Verdict.class, Verdict::key, "verdict");
    }

    /** A comma-separated list of outcome keys. */
    public static Set<Outcome> parseOutcomes(String option, String text) {
        return parseList(option, text, Outcome.class, Outcome::key, "outcome");
    }

    /**
     * An ISO-8601 time ({@code 2026-11-21T06:52:37Z}, with an offset, or without one: UTC, as
     * the reports show times), or {@code +N} with ms, s, m or h after the capture's first frame.
     */
    public static Time parseTime(String option, String text) {
        Matcher m = RELATIVE.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long unitNanos = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            return new Time(n * unitNanos, true);
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException withoutOffset) {
            try {
                at = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException(option + ": '" + text + "' is neither an ISO"
                        + " time (2026-11-21T06:52:37Z, or with an offset; UTC without one) nor"
                        + " +N ms, s, m or h after the capture's first packet (+500ms, +30s, +2m)");
            }
        }
        try {
            return new Time(Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L),
                    at.getNano()), false);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is out of range");
        }
    }

    private static <E extends Enum<E>> Set<E> parseList(String option, String text,
                                                        Class<E> type, Function<E, String> key,
                                                        String what) {
        Set<E> set = EnumSet.noneOf(type);
        for (String item : text.split(",", -1)) {
            E found = null;
            for (E e : type.getEnumConstants()) {
                if (key.apply(e).equals(item.trim().toLowerCase(Locale.ROOT))) {
                    found = e;
                }
            }
            if (found == null) {
                List<String> keys = new ArrayList<>();
                for (E e : type.getEnumConstants()) {
                    keys.add(key.apply(e));
                }
                throw new IllegalArgumentException(option + ": '" + item + "' is not a " + what
                        + "; a comma-separated list of: " + String.join(", ", keys));
            }
            set.add(found);
        }
        return set;
    }

    private static IllegalArgumentException badAddress(String option, String text) {
        return new IllegalArgumentException(option + ": '" + text + "' is not HOST[:PORT] with"
                + " HOST an IPv4 or IPv6 address (IPv6 with a port in brackets: [fd00::1]:443)");
    }
}
