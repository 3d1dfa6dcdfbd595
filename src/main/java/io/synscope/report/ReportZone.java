package io.synscope.report;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The time zone the text reports print times in ({@code --tz}): UTC unless asked. UTC touches no
 * java.time class at all, so the default report costs nothing more than before; another zone's
 * offset is looked up per timestamp in its rules, so a capture across a daylight-saving change
 * shows each time with the offset it had.
 */
public final class ReportZone {
    public static final ReportZone UTC = new ReportZone("UTC", null, 0);
    /** What {@code --tz} accepts, for its help and its error. */
    public static final String ACCEPTED = "UTC (the default), local (this machine's zone), a"
            + " tz database zone such as Europe/Paris or America/New_York, or an offset such as"
            + " +02:00";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final String name;
    /** Null for a fixed offset ({@link #fixedOffsetNanos}). */
    private final ZoneRules rules;
    private final long fixedOffsetNanos;

    private ReportZone(String name, ZoneRules rules, long fixedOffsetNanos) {
        this.name = name;
        this.rules = rules;
        this.fixedOffsetNanos = fixedOffsetNanos;
    }

    /**
     * {@code UTC}, {@code local} or a zone id as {@link ZoneId#of} takes it.
     *
     * @throws IllegalArgumentException naming what was given and what is accepted
     */
    public static ReportZone parse(String tz) {
        if (tz.equalsIgnoreCase("UTC") || tz.equals("Z")) {
            return UTC;
        }
        ZoneId zone;
        try {
            zone = tz.equals("local") ? ZoneId.systemDefault() : ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + tz + "' is not a time zone; expected "
                    + ACCEPTED);
        }
        ZoneRules rules = zone.getRules();
        if (rules.isFixedOffset()) {
            // Named by its offset (+05:45, Etc/GMT-5 alike): the name is then all a time needs.
            ZoneOffset offset = rules.getOffset(Instant.EPOCH);
            return offset.getTotalSeconds() == 0 ? UTC : new ReportZone("UTC" + offset.getId(),
                    null, offset.getTotalSeconds() * NANOS_PER_SECOND);
        }
        return new ReportZone(zone.getId(), rules, 0);
    }

    /** As the header names it: {@code UTC}, {@code UTC+05:45} or the zone's id. */
    public String name() {
        return name;
    }

    /** Whether the zone's offset is always the same (UTC's among them): its name says it. */
    boolean isFixed() {
        return rules == null;
    }

    /** Whether the offset at some instant of {@code [fromNanos, toNanos]} differs from another's. */
    boolean changesOffset(long fromNanos, long toNanos) {
        if (rules == null || toNanos <= fromNanos) {
            return false;
        }
        ZoneOffsetTransition next = rules.nextTransition(
                Instant.ofEpochSecond(Math.floorDiv(fromNanos, NANOS_PER_SECOND)));
        return next != null && next.toEpochSecond() <= Math.floorDiv(toNanos, NANOS_PER_SECOND);
    }

    /**
     * {@code epochNanos} moved by the zone's offset at that instant: a time that Format's UTC
     * digits then print as this zone's wall clock. Saturates rather than wrapping at the ends of
     * the long range (a hostile capture's timestamps).
     */
    long wallNanos(long epochNanos) {
        long offset = offsetNanos(epochNanos);
        long wall = epochNanos + offset;
        if (((epochNanos ^ wall) & (offset ^ wall)) < 0) {
            return offset > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return wall;
    }

    /** The offset from UTC at {@code epochNanos}, in nanoseconds. */
    long offsetNanos(long epochNanos) {
        return offsetSeconds(Math.floorDiv(epochNanos, NANOS_PER_SECOND)) * NANOS_PER_SECOND;
    }

    /** The offset from UTC at {@code epochSecond}, in seconds. */
    long offsetSeconds(long epochSecond) {
        if (rules == null) {
            return fixedOffsetNanos / NANOS_PER_SECOND;
        }
        return rules.getOffset(Instant.ofEpochSecond(epochSecond)).getTotalSeconds();
    }

    /** The offset at {@code epochNanos} as {@code +02:00} ({@code +05:45}, {@code -03:30}). */
    String offsetText(long epochNanos) {
        long minutes = offsetNanos(epochNanos) / (60 * NANOS_PER_SECOND);
        long abs = Math.abs(minutes);
        return (minutes < 0 ? "-" : "+") + (abs / 600) + (abs / 60 % 10) + ":" + (abs % 60 / 10)
                + (abs % 10);
    }
}
