package io.synscope.report;

/**
 * Wall-clock times as the text reports print them: in one {@link ReportZone}, with the date when
 * the times shown fall on more than one day of that zone (an overnight capture must never seem
 * to end before it starts), the time of day alone otherwise; and each with its offset when the
 * zone's offset changes within them (after a daylight-saving fall-back an hour of wall clock
 * comes twice, and only the offset tells which).
 */
final class Times {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND;

    private final ReportZone zone;
    private final boolean dates;
    private final boolean offsets;

    private Times(ReportZone zone, boolean dates, boolean offsets) {
        this.zone = zone;
        this.dates = dates;
        this.offsets = offsets;
    }

    /**
     * Times for a capture from {@code firstNanos} to {@code lastNanos}: dates if it spans days,
     * offsets if the zone's offset changes in it.
     */
    static Times forSpan(ReportZone zone, long firstNanos, long lastNanos) {
        return new Times(zone, day(zone, firstNanos) != day(zone, lastNanos),
                zone.changesOffset(firstNanos, lastNanos));
    }

    /** Times of day alone, until {@link #withDates()}. */
    static Times timeOfDay(ReportZone zone) {
        return new Times(zone, false, false);
    }

    Times withDates() {
        return dates ? this : new Times(zone, true, offsets);
    }

    /** These times each followed by the offset it had, as {@code +02:00}. */
    Times withOffsets() {
        return offsets ? this : new Times(zone, dates, true);
    }

    boolean dates() {
        return dates;
    }

    boolean offsets() {
        return offsets;
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
        return withOffset(dates ? Format.dateClock(wall) : Format.clock(wall), epochNanos);
    }

    /** {@code yyyy-MM-dd HH:mm:ss.uuuuuu} whatever the span: where a date is always due. */
    String dateAt(long epochNanos) {
        return withOffset(Format.dateClock(zone.wallNanos(epochNanos)), epochNanos);
    }

    /** A whole second: {@code HH:mm:ss}, or {@code yyyy-MM-dd HH:mm:ss} with dates. */
    String second(long epochSecond) {
        // Clamped: a hostile capture's first second (floored) may lie just outside the nanos.
        long second = Math.max(Long.MIN_VALUE / NANOS_PER_SECOND,
                Math.min(Long.MAX_VALUE / NANOS_PER_SECOND, epochSecond));
        long wall = zone.wallNanos(second * NANOS_PER_SECOND);
        String full = dates ? Format.dateClock(wall) : Format.clock(wall);
        return withOffset(full.substring(0, full.length() - 7), second * NANOS_PER_SECOND);
    }

    private String withOffset(String clock, long epochNanos) {
        return offsets ? clock + " " + zone.offsetText(epochNanos) : clock;
    }
}
