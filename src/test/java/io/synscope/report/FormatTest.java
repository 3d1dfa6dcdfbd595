package io.synscope.report;

import io.synscope.diagnose.FixedPoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Format and FixedPoint write by hand what java.time and java.util.Formatter print; the JDK's
 * own formatters are the expected values, over edge cases and a seeded random sweep.
 */
class FormatTest {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
    private static final long[] EDGES = {0, 1, 499, 500, 501, 999, 1000, 999_499, 999_500,
            999_999, 1_000_000, 1_049_999, 1_050_000, 999_949_999, 999_950_000, 999_999_999,
            1_000_000_000L, 99_999_499_999L, 99_999_500_000L, 100_000_000_000L,
            999_999_999_999_999L, 1_000_000_000_000_000L, 1_705_320_000_123_456_789L,
            Long.MAX_VALUE};

    private static void sweep(LongConsumer check) {
        for (long e : EDGES) {
            for (long d = -2; d <= 2; d++) {
                check.accept(e + d);
                check.accept(-e - d);
            }
        }
        SplittableRandom random = new SplittableRandom(20_260_521);
        for (int i = 0; i < 5_000; i++) {
            check.accept(random.nextLong());
            check.accept(random.nextLong(-2_000_000_000_000L, 2_000_000_000_000L));
            // Ties: a five right after the last digit shown.
            check.accept(random.nextLong(0, 1_000_000) * 1_000_000 + 500_000);
            check.accept(random.nextLong(0, 1_000_000) * 100_000 + 50_000);
        }
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
    }

    @Test
    void timestampsAsJavaTimePrintsThem() {
        sweep(n -> {
            assertEquals(CLOCK.format(instant(n)), Format.clock(n), "clock " + n);
            assertEquals(DATE_CLOCK.format(instant(n)), Format.dateClock(n), "dateClock " + n);
            assertEquals(instant(n).toString(), Format.iso(n), "iso " + n);
        });
    }

    @Test
    void durationsAsFormatterPrintsThem() {
        sweep(n -> {
            assertEquals(expectedDuration(n), Format.duration(n), "duration " + n);
            assertEquals(String.format(Locale.ROOT, "%.1f", n / 1e9),
                    FixedPoint.append(new StringBuilder(), n, 9, 1).toString(), "seconds " + n);
        });
    }

    /**
     * Below a minute as java.util.Formatter prints the number (whole seconds without decimals);
     * from a minute on, java.time.Duration's parts: minutes and tenths of seconds, then hours,
     * minutes and seconds, then days, hours and minutes, each truncated, the parts after the
     * first two digits each.
     */
    private static String expectedDuration(long n) {
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f µs", n / 1e3);
        }
        if (n < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f ms", n / 1e6);
        }
        Duration d = Duration.ofNanos(n);
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            return d.getNano() == 0 ? d.getSeconds() + " s"
                    : String.format(Locale.ROOT, "%.3f s", n / 1e9);
        }
        if (d.compareTo(Duration.ofHours(1)) < 0) {
            return String.format(Locale.ROOT, "%dm %02d.%ds", d.toMinutesPart(),
                    d.toSecondsPart(), d.toMillisPart() / 100);
        }
        if (d.compareTo(Duration.ofDays(1)) < 0) {
            return String.format(Locale.ROOT, "%dh %02dm %02ds", d.toHoursPart(),
                    d.toMinutesPart(), d.toSecondsPart());
        }
        return String.format(Locale.ROOT, "%dd %02dh %02dm", d.toDays(), d.toHoursPart(),
                d.toMinutesPart());
    }

    @Test
    void longDurationsInUnitsPeopleRead() {
        assertEquals("4m 05.2s", Format.duration(245_299_999_999L));
        assertEquals("1h 02m 03s", Format.duration(3_723_999_999_999L));
        assertEquals("2d 03h 04m", Format.duration(((2 * 24 + 3) * 60 + 4) * 60_000_000_000L));
        assertEquals("59.999 s", Format.duration(59_999_000_000L));
        assertEquals("1m 00.0s", Format.duration(60_000_000_000L));
        assertEquals("12 s", Format.duration(12_000_000_000L));
        for (long s = 55; s < 3 * 86_400 + 100; s += 7) {
            assertEquals(expectedDuration(s * 1_000_000_000L + 123_456_789),
                    Format.duration(s * 1_000_000_000L + 123_456_789), s + " s");
        }
    }

    @Test
    void millisecondsAsJacksonWritesTheDouble() {
        char[] buf = new char[Format.MILLIS_MAX_CHARS];
        sweep(n -> {
            int length = Format.millis(n, buf);
            String expected = Double.toString(Format.millis(n));
            if (length >= 0) {
                assertEquals(expected, new String(buf, 0, length), "millis " + n);
            } else {
                assertTrue(expected.contains("E"), "only E-notation is left out: " + n);
            }
        });
    }

    @Test
    void countsAndPercentagesAsFormatterPrintsThem() {
        sweep(n -> assertEquals(String.format(Locale.ROOT, "%,d", n), Format.count(n),
                "count " + n));
        for (long connections = 1; connections <= 400; connections++) {
            for (long failures = 0; failures <= connections; failures++) {
                double ratio = (double) failures / connections;
                assertEquals(String.format(Locale.ROOT, "%.1f%%", ratio * 100),
                        Format.percent(ratio), failures + " of " + connections);
            }
        }
    }
}
