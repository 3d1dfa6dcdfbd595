package io.synscope.report;

import io.synscope.decode.TcpSegment;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small formatting helpers shared by the renderers. */
final class Format {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private Format() {
    }

    static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** {@code HH:mm:ss.uuuuuu} UTC. */
    static String clock(long epochNanos) {
        return CLOCK.format(instant(epochNanos));
    }

    /** {@code yyyy-MM-dd HH:mm:ss.uuuuuu} UTC. */
    static String dateClock(long epochNanos) {
        return DATE_CLOCK.format(instant(epochNanos));
    }

    /** ISO-8601 with nanoseconds, for JSON. */
    static String iso(long epochNanos) {
        return instant(epochNanos).toString();
    }

    /** A duration for people: µs, ms or s with sensible precision. */
    static String duration(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
        }
        if (nanos < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        if (nanos < 100_000_000_000L) {
            return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
        }
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** Milliseconds with three decimals, for JSON. */
    static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    /** Thousands separators: 1,234,567. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    /** tcpdump's flag notation: S, S., ., P., F., R, R., with ECE/CWR as E and W. */
    static String flags(int flags) {
        StringBuilder sb = new StringBuilder(6);
        if ((flags & TcpSegment.SYN) != 0) {
            sb.append('S');
        }
        if ((flags & TcpSegment.FIN) != 0) {
            sb.append('F');
        }
        if ((flags & TcpSegment.PSH) != 0) {
            sb.append('P');
        }
        if ((flags & TcpSegment.RST) != 0) {
            sb.append('R');
        }
        if ((flags & TcpSegment.URG) != 0) {
            sb.append('U');
        }
        if ((flags & TcpSegment.ECE) != 0) {
            sb.append('E');
        }
        if ((flags & TcpSegment.CWR) != 0) {
            sb.append('W');
        }
        if ((flags & TcpSegment.ACK) != 0) {
            sb.append('.');
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
