package io.synscope.report;

import io.synscope.diagnose.FixedPoint;

import java.util.Locale;

/**
 * Small formatting helpers shared by the renderers. Written out by hand rather than with
 * java.time's formatters and java.util.Formatter, which cost a short run tens of milliseconds to
 * set up and the JSON report a microsecond per timestamp; the output is the same to the byte
 * (FormatTest holds them side by side).
 */
final class Format {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
    private static final long NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;
    private static final int SECONDS_PER_DAY = 86_400;
    /** Longest ISO-8601 instant: {@code 2262-04-11T23:47:16.854775807Z}. */
    static final int ISO_MAX_CHARS = 30;
    /** Longest {@link #millis(long, char[])} text: {@code -9999999.999}. */
    static final int MILLIS_MAX_CHARS = 12;
    /** {@link Double#toString} switches to E-notation from 10^7 on: 10^10 µs as milliseconds. */
    private static final long PLAIN_MILLIS_BELOW_MICROS = 10_000_000_000L;

    private Format() {
    }

    /** {@code HH:mm:ss.uuuuuu} UTC. */
    static String clock(long epochNanos) {
        char[] buf = new char[15];
        appendClock(buf, 0, epochNanos);
        return new String(buf);
    }

    /** {@code yyyy-MM-dd HH:mm:ss.uuuuuu} UTC. */
    static String dateClock(long epochNanos) {
        char[] buf = new char[26];
        appendDate(buf, 0, Math.floorDiv(epochNanos, NANOS_PER_SECOND));
        buf[10] = ' ';
        appendClock(buf, 11, epochNanos);
        return new String(buf);
    }

    /**
     * Seconds with all nine decimals (epoch seconds from an epoch time, or a duration): exact,
     * no floating point on the way, and read as a number by Wireshark and spreadsheets alike.
     */
    static String seconds(long nanos) {
        long s = Math.floorDiv(nanos, NANOS_PER_SECOND);
        String fraction = Long.toString(Math.floorMod(nanos, NANOS_PER_SECOND));
        return s + "." + "0".repeat(9 - fraction.length()) + fraction;
    }

    /** ISO-8601 with nanoseconds, for JSON: what {@link java.time.Instant#toString} prints. */
    static String iso(long epochNanos) {
        char[] buf = new char[ISO_MAX_CHARS];
        return new String(buf, 0, iso(epochNanos, buf));
    }

    /**
     * Writes {@link #iso(long)}'s text into {@code buf} (at least {@link #ISO_MAX_CHARS} long)
     * from index 0; returns its length. Every long is a year from 1677 to 2262: four digits.
     */
    static int iso(long epochNanos, char[] buf) {
        appendDate(buf, 0, Math.floorDiv(epochNanos, NANOS_PER_SECOND));
        buf[10] = 'T';
        appendHms(buf, 11, epochNanos);
        int nano = (int) Math.floorMod(epochNanos, NANOS_PER_SECOND);
        int at = 19;
        // Instant prints the fraction in groups of three digits, as many as it needs.
        if (nano != 0) {
            buf[at++] = '.';
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
            int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1_000 : nano;
            at = digits(buf, at, value, digits);
        }
        buf[at++] = 'Z';
        return at;
    }

    /**
     * A duration for people: µs, ms or s with sensible precision below a minute; from a minute
     * on, the units a person reads at a glance, each truncated, never rounded up into the next
     * ({@code 4m 05.2s}, {@code 1h 02m 03s}, {@code 2d 03h 04m}).
     */
    static String duration(long nanos) {
        StringBuilder sb = new StringBuilder(12);
        if (nanos < 1_000_000) {
            return FixedPoint.append(sb, nanos, 3, 0).append(" µs").toString();
        }
        if (nanos < 1_000_000_000L) {
            return FixedPoint.append(sb, nanos, 6, 1).append(" ms").toString();
        }
        if (nanos < NANOS_PER_MINUTE) {
            // Whole seconds are a span of bins or a setting, not a measurement: no decimals.
            return nanos % NANOS_PER_SECOND == 0 ? sb.append(nanos / NANOS_PER_SECOND)
                    .append(" s").toString()
                    : FixedPoint.append(sb, nanos, 9, 3).append(" s").toString();
        }
        long seconds = nanos / NANOS_PER_SECOND;
        if (nanos < NANOS_PER_HOUR) {
            long tenths = nanos % NANOS_PER_MINUTE / 100_000_000L;
            sb.append(seconds / 60).append("m ");
            return twoDigits(sb, tenths / 10).append('.').append(tenths % 10).append('s')
                    .toString();
        }
        if (seconds < SECONDS_PER_DAY) {
            sb.append(seconds / 3600).append("h ");
            twoDigits(sb, seconds / 60 % 60).append("m ");
            return twoDigits(sb, seconds % 60).append('s').toString();
        }
        sb.append(seconds / SECONDS_PER_DAY).append("d ");
        twoDigits(sb, seconds / 3600 % 24).append("h ");
        return twoDigits(sb, seconds / 60 % 60).append('m').toString();
    }

    private static StringBuilder twoDigits(StringBuilder sb, long value) {
        return sb.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** Milliseconds with three decimals, for JSON. */
    static double millis(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    /**
     * Writes the JSON number {@code millis(nanos)} as Jackson writes that double
     * ({@link Double#toString}) into {@code buf} (at least {@link #MILLIS_MAX_CHARS} long) from
     * index 0; returns its length, or -1 when Double.toString would use E-notation (10^7 ms and
     * more) and the caller should write the double itself.
     */
    static int millis(long nanos, char[] buf) {
        long micros = Math.round(nanos / 1e3);
        if (micros <= -PLAIN_MILLIS_BELOW_MICROS || micros >= PLAIN_MILLIS_BELOW_MICROS) {
            return -1;
        }
        int at = 0;
        if (micros < 0) {
            buf[at++] = '-';
            micros = -micros;
        }
        at = decimal(buf, at, micros / 1000);
        buf[at++] = '.';
        // micros / 1e3 has at most ten significant digits, so its shortest decimal, the one
        // Double.toString prints, is exact: the three decimals without trailing zeros (one at least).
        int fraction = (int) (micros % 1000);
        if (fraction % 100 == 0) {
            buf[at++] = (char) ('0' + fraction / 100);
        } else if (fraction % 10 == 0) {
            at = digits(buf, at, fraction / 10, 2);
        } else {
            at = digits(buf, at, fraction, 3);
        }
        return at;
    }

    /** Thousands separators: 1,234,567. */
    static String count(long n) {
        String digits = Long.toString(n);
        int start = n < 0 ? 1 : 0;
        int length = digits.length() - start;
        StringBuilder sb = new StringBuilder(digits.length() + length / 3);
        sb.append(digits, 0, start);
        for (int i = 0; i < length; i++) {
            if (i > 0 && (length - i) % 3 == 0) {
                sb.append(',');
            }
            sb.append(digits.charAt(start + i));
        }
        return sb.toString();
    }

    /**
     * A ratio from 0 to 1 as a percentage with one decimal, as {@code "%.1f%%"} prints
     * {@code ratio * 100}: Formatter rounds half up the decimal digits that
     * {@link Double#toString} prints (it takes more digits only where that decimal has a single
     * one, which here is a tie only at 0.05, and rounds the same).
     */
    static String percent(double ratio) {
        double value = ratio * 100;
        if (value < 0.05 && Double.compare(value, 0.0) >= 0) {
            return "0.0%";
        }
        if (!(value >= 0.05 && value < 1e7)) {
            // Not a ratio: negative, NaN, or printed in E-notation by Double.toString.
            return String.format(Locale.ROOT, "%.1f%%", value);
        }
        String digits = Double.toString(value);
        int point = digits.indexOf('.');
        long tenths = Long.parseLong(digits, 0, point, 10) * 10 + (digits.charAt(point + 1) - '0');
        if (point + 2 < digits.length() && digits.charAt(point + 2) >= '5') {
            tenths++;
        }
        return FixedPoint.append(new StringBuilder(8), tenths, 1, 1).append('%').toString();
    }


    // ---- digits -------------------------------------------------------------------------

    /** {@code HH:mm:ss} at {@code at}. */
    private static void appendHms(char[] buf, int at, long epochNanos) {
        int secondOfDay = secondOfDay(epochNanos);
        twoDigits(buf, at, secondOfDay / 3600);
        buf[at + 2] = ':';
        twoDigits(buf, at + 3, secondOfDay / 60 % 60);
        buf[at + 5] = ':';
        twoDigits(buf, at + 6, secondOfDay % 60);
    }

    private static int secondOfDay(long epochNanos) {
        return Math.floorMod(Math.floorDiv(epochNanos, NANOS_PER_SECOND), SECONDS_PER_DAY);
    }

    /** {@code HH:mm:ss.uuuuuu} (microseconds truncated) at {@code at}. */
    private static void appendClock(char[] buf, int at, long epochNanos) {
        appendHms(buf, at, epochNanos);
        buf[at + 8] = '.';
        digits(buf, at + 9, (int) (Math.floorMod(epochNanos, NANOS_PER_SECOND) / 1000), 6);
    }

    /**
     * {@code yyyy-MM-dd} (UTC, proleptic Gregorian, as java.time) of an epoch second at
     * {@code at}: ten characters. Civil-from-days after Howard Hinnant's chrono algorithms.
     */
    private static void appendDate(char[] buf, int at, long epochSecond) {
        long days = Math.floorDiv(epochSecond, SECONDS_PER_DAY) + 719_468; // from 0000-03-01
        long era = Math.floorDiv(days, 146_097);
        long dayOfEra = days - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long marchMonth = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * marchMonth + 2) / 5 + 1);
        int month = (int) (marchMonth < 10 ? marchMonth + 3 : marchMonth - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        digits(buf, at, year, 4);
        buf[at + 4] = '-';
        twoDigits(buf, at + 5, month);
        buf[at + 7] = '-';
        twoDigits(buf, at + 8, day);
    }

    private static void twoDigits(char[] buf, int at, int value) {
        buf[at] = (char) ('0' + value / 10);
        buf[at + 1] = (char) ('0' + value % 10);
    }

    /** {@code value} zero-padded to {@code count} digits at {@code at}; returns the end. */
    private static int digits(char[] buf, int at, int value, int count) {
        for (int i = at + count - 1; i >= at; i--) {
            buf[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + count;
    }

    /** Non-negative {@code value} without padding at {@code at}; returns the end. */
    private static int decimal(char[] buf, int at, long value) {
        int count = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            count++;
        }
        for (int i = at + count - 1; i >= at; i--) {
            buf[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + count;
    }
}
