package io.synscope.report;

/**
 * Wall-clock times as the text reports print them: in one {@link ReportZone}, with the date when
 * the times shown fall on more than one day of that zone (an overnight capture must never seem
 * to end before it starts), the time of day alone otherwise.
 */
final class Times {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND;

    private final ReportZone zone;
    private final boolean dates;

    private Times(ReportZone zone, boolean dates) {
        this.zone = zone;
        this.dates = dates;
    }

    /** Times for a capture from {@code firstNanos} to {@code lastNanos}: dates if it spans days. */
    static Times forSpan(ReportZone zone, long firstNanos, long lastNanos) {
        return new Times(zone, day(zone, firstNanos) != day(zone, lastNanos));
    }

    /** Times of day alone, until {@link #withDates()}. */
    static Times timeOfDay(ReportZone zone) {
        return new Times(zone, false);
    }

    Times withDates() {
        return dates ? this : new Times(zone, true);
    }

    boolean dates() {
        return dates;
    }

    ReportZone zone() {
        return zone;
    }

    /** The zone's day number of {@code epochNanos} (days since 1970-01-01 on its wall clock). */
    long day(long epochNanos) {
        return day(zone, epochNanos);
    }

    private static long day(ReportZone zone, long epochNanos) {
        return Math.floorDiv(zone.wallNanos(epochNanos), NANOS_PER_DAY);
    }

    /** {@code HH:mm:ss.uuuuuu}, or {@code yyyy-MM-dd HH:mm:ss.uuuuuu} with dates. */
    String at(long epochNanos) {
        long wall = zone.wallNanos(epochNanos);
        return dates ? Format.dateClock(wall) : Format.clock(wall);
    }

    /** {@code yyyy-MM-dd HH:mm:ss.uuuuuu} whatever the span: where a date is always due. */
    String dateAt(long epochNanos) {
        return Format.dateClock(zone.wallNanos(epochNanos));
    }

    /** A whole second: {@code HH:mm:ss}, or {@code yyyy-MM-dd HH:mm:ss} with dates. */
    String second(long epochSecond) {
        // Clamped: a hostile capture's first second (floored) may lie just outside the nanos.
        long second = Math.max(Long.MIN_VALUE / NANOS_PER_SECOND,
                Math.min(Long.MAX_VALUE / NANOS_PER_SECOND, epochSecond));
        String full = at(second * NANOS_PER_SECOND);
        return full.substring(0, full.length() - 7);
    }
}
