package io.synscope.report;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A zone's wall clock as the text report prints it, against java.time's own formatting of the
 * same instants in the same zones: half-hour and quarter-hour offsets, negative ones, zones with
 * daylight saving and a seeded sweep over two centuries.
 */
class ReportZoneTest {
    private static final DateTimeFormatter DATE_CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx");
    private static final String[] ZONES = {"Europe/Paris", "America/New_York",
        "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "+05:30",
        "-09:30", "UTC"};

    @Test
    void wallClocksAsJavaTimePrintsThem() {
        SplittableRandom random = new SplittableRandom(20_261_206);
        for (String id : ZONES) {
            ReportZone zone = ReportZone.parse(id);
            Times times = Times.timeOfDay(zone).withDates();
            ZoneId java = ZoneId.of(id);
            for (int i = 0; i < 5_000; i++) {
                // 1900 to 2100
                long nanos = random.nextLong(-2_208_988_800_000_000_000L, 4_102_444_800_000_000_000L);
                Instant at = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                        Math.floorMod(nanos, 1_000_000_000L));
                assertEquals(DATE_CLOCK.format(at.atZone(java)), times.dateAt(nanos), id + " " + at);
                assertEquals(OFFSET.format(at.atZone(java)), zone.offsetText(nanos), id + " " + at);
            }
        }
    }

    @Test
    void utcTouchesNoZoneRules() {
        assertSame(ReportZone.UTC, ReportZone.parse("UTC"));
        assertSame(ReportZone.UTC, ReportZone.parse("utc"));
        assertSame(ReportZone.UTC, ReportZone.parse("Z"));
        assertSame(ReportZone.UTC, ReportZone.parse("+00:00"));
        assertEquals("UTC", ReportZone.UTC.name());
        assertEquals(0, ReportZone.UTC.offsetNanos(1_767_225_600_000_000_000L));
    }

    @Test
    void aDayIsTheZonesDay() {
        // 2026-01-01T23:30Z is already 2 January in Paris, still 1 January in New York.
        long nanos = 1_767_310_200_000_000_000L;
        long utcDay = Times.timeOfDay(ReportZone.UTC).day(nanos);
        assertEquals(utcDay + 1, Times.timeOfDay(ReportZone.parse("Europe/Paris")).day(nanos));
        assertEquals(utcDay, Times.timeOfDay(ReportZone.parse("America/New_York")).day(nanos));
        assertTrue(Times.forSpan(ReportZone.parse("Europe/Paris"), nanos - 3_600_000_000_000L,
                nanos).dates(), "22:30 to 00:30 in Paris");
        assertTrue(!Times.forSpan(ReportZone.UTC, nanos - 3_600_000_000_000L, nanos).dates(),
                "22:30 to 23:30 in UTC");
    }

    /** A fixed offset is named by it (UTC+05:45), whatever the id it was given by. */
    @Test
    void aFixedOffsetIsNamedByItsOffset() {
        for (String id : new String[] {"+05:45", "UTC+05:45", "GMT+05:45"}) {
            assertEquals("UTC+05:45", ReportZone.parse(id).name(), id);
        }
        // The tz database's Etc/GMT-5 is five hours east of Greenwich: java.time says +05:00.
        assertEquals("UTC" + ZoneId.of("Etc/GMT-5").getRules().getOffset(Instant.EPOCH),
                ReportZone.parse("Etc/GMT-5").name());
        assertEquals("UTC-09:30", ReportZone.parse("-09:30").name());
        assertSame(ReportZone.UTC, ReportZone.parse("GMT"), "no offset: UTC's wall clock");
        assertSame(ReportZone.UTC, ReportZone.parse("Etc/UTC"));
        assertEquals("Europe/Paris", ReportZone.parse("Europe/Paris").name());
    }

    /**
     * Whether the offset changes within a span, against java.time's offsets read at each
     * quarter hour of it and at its end (no zone changes twice within a quarter hour); and the
     * times of such a span carry their offsets.
     */
    @Test
    void aSpanChangesOffsetWhenJavaTimeSaysItDoes() {
        SplittableRandom random = new SplittableRandom(20_261_207);
        long quarterHour = 900_000_000_000L;
        int changing = 0;
        for (String id : ZONES) {
            ReportZone zone = ReportZone.parse(id);
            ZoneId java = ZoneId.of(id);
            for (int i = 0; i < 2_000; i++) {
                // 1970 to 2100, spans of up to three days
                long from = random.nextLong(0, 4_102_444_800_000_000_000L);
                long to = from + random.nextLong(0, 3 * 96 * quarterHour);
                Set<ZoneOffset> seen = new HashSet<>();
                for (long t = from; t < to; t += quarterHour) {
                    seen.add(java.getRules().getOffset(instant(t)));
                }
                seen.add(java.getRules().getOffset(instant(to)));
                boolean changes = seen.size() > 1;
                changing += changes ? 1 : 0;
                assertEquals(changes, zone.changesOffset(from, to), id + " " + instant(from)
                        + " → " + instant(to));
                Times times = Times.forSpan(zone, from, to);
                assertEquals(changes, times.offsets(), id);
                String end = times.at(to);
                assertEquals(changes, end.endsWith(" " + OFFSET.format(instant(to).atZone(java))),
                        id + " " + end);
            }
        }
        assertTrue(changing > 20, "the sweep met changes: " + changing);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                Math.floorMod(nanos, 1_000_000_000L));
    }

    @Test
    void theEndsOfTheLongRangeDoNotWrap() {
        ReportZone east = ReportZone.parse("+14:00");
        ReportZone west = ReportZone.parse("-12:00");
        assertEquals(Long.MAX_VALUE, east.wallNanos(Long.MAX_VALUE - 1));
        assertEquals(Long.MIN_VALUE, west.wallNanos(Long.MIN_VALUE + 1));
        assertDoesNotThrow(() -> Times.timeOfDay(east).withDates().at(Long.MAX_VALUE));
        assertDoesNotThrow(() -> Times.timeOfDay(west).second(Long.MIN_VALUE / 1_000_000_000L - 1));
    }

    @Test
    void whatIsNotAZoneSaysWhatIs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReportZone.parse("Europe/Pariss"));
        assertTrue(e.getMessage().startsWith("'Europe/Pariss' is not a time zone; expected UTC"),
                e.getMessage());
    }
}
