package io.synscope.cli;

import io.synscope.report.ReportZone;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for options whose values have a range: a value out of it (or not a number at all)
 * is a usage error, one line naming the option, what it takes and what it got
 * ({@code --threads must be 1..64, got 5000}), printed by {@link Main}'s handler of a bad
 * command line as it is.
 */
final class OptionRange {
    private OptionRange() {
    }

    /** A value the option does not take; its message is the whole error line. */
    static final class Invalid extends TypeConversionException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * A number option from {@code min} to {@code max}; {@code why} (or "") says why the bound.
     * Classes rather than lambdas: every run converts its options before it reads a packet
     * (docs/performance.md#s1-nothing-on-the-first-packets-that-bootstraps-javalanginvoke).
     */
    private record Range(String option, long min, long max, String why, boolean isInt)
            implements ITypeConverter<Object> {
        @Override
        public Object convert(String value) {
            long n = parse(option, value, min, max, why);
            if (isInt) {
                return (int) n; // not in a ?: with the long, which would widen it back
            }
            return n;
        }
    }

    /** {@code --tz}: a zone {@link ReportZone#parse} takes. */
    private record Zone(String option) implements ITypeConverter<ReportZone> {
        @Override
        public ReportZone convert(String value) {
            try {
                return ReportZone.parse(value);
            } catch (IllegalArgumentException e) {
                throw new Invalid(option + ": " + e.getMessage());
            }
        }
    }

    /** An int option from {@code min} to {@code max}. */
    static ITypeConverter<?> ints(String option, int min, int max, String why) {
        return new Range(option, min, max, why, true);
    }

    /** A long option from {@code min} to {@code max}. */
    static ITypeConverter<?> longs(String option, long min, long max, String why) {
        return new Range(option, min, max, why, false);
    }

    static ITypeConverter<ReportZone> zone(String option) {
        return new Zone(option);
    }

    private static long parse(String option, String value, long min, long max, String why) {
        String range = (max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                ? "at least " + min : min + ".." + max) + (why.isEmpty() ? "" : " (" + why + ")");
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(option + " must be a whole number, " + range + ", got '" + value
                    + "'");
        }
        if (n < min || n > max) {
            throw new Invalid(option + " must be " + range + ", got " + value.trim());
        }
        return n;
    }

    /** The whole error line when {@code ex} is a value out of its option's range; else null. */
    static String message(CommandLine.ParameterException ex) {
        return ex.getCause() instanceof Invalid invalid ? invalid.getMessage() : null;
    }
}
