package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.cli.BadInputTest.Run;
import io.synscope.decode.TcpSegment;
import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.FrameBuilder;
import io.synscope.testutil.Samples;
import io.synscope.testutil.Samples.Made;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text report stays readable on long and busy captures: dates when a capture spans days,
 * times in the zone asked for, findings grouped and capped, counts that add up, option errors
 * that say what is allowed. The captures are written here, or are the lab's with its truth
 * file, so their times, servers and failures are known from how they were made; expected times
 * are printed with java.time, not with synscope's own formatting.
 */
class ReadableTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE_CLOCK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx");
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    // ---- dates and zones ----------------------------------------------------------------

    /** Three refused connections over three days: every time shown carries its own date. */
    @Test
    void aThreeDayCaptureShowsItsDates() throws Exception {
        long[] starts = {
            nanos("2026-11-20T23:59:59.500000Z"),
            nanos("2026-11-21T12:00:00.250000Z"),
            nanos("2026-11-22T23:59:58.000001Z"),
        };
        CaptureFiles.Pcap pcap = CaptureFiles.pcap();
        for (int i = 0; i < starts.length; i++) {
            refused(pcap, "10.0.0.1", 40_000 + i, "10.0.0.2", 80, starts[i]);
        }
        Path f = pcap.write(dir.resolve("three-days.pcap"));
        long last = starts[2] + REFUSAL_NANOS;

        Run r = BadInputTest.run("analyze", "--color", "never", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        String text = r.out();
        Duration span = Duration.between(instant(starts[0]), instant(last));
        assertTrue(text.contains("time " + at(starts[0], ZoneOffset.UTC) + " → "
                + at(last, ZoneOffset.UTC) + " UTC (" + String.format(Locale.ROOT,
                "%dd %02dh %02dm", span.toDays(), span.toHoursPart(), span.toMinutesPart())
                + ")"), text);
        for (long start : starts) {
            assertTrue(text.contains("\n" + at(start, ZoneOffset.UTC) + "  10.0.0.1:"), text);
        }
        // Two days in at most 30 rows: bins of whole hours, from midnight on.
        Matcher title = Pattern.compile("\nFailures per (\\d+) hours \\(UTC, by connection"
                + " start\\)\n").matcher(text);
        assertTrue(title.find(), text);
        int binHours = Integer.parseInt(title.group(1));
        assertTrue(48 / binHours <= 30, binHours + " h");
        List<String> histogram = section(text, title.group().trim());
        ZonedDateTime first = ZonedDateTime.ofInstant(instant(starts[0]), ZoneOffset.UTC);
        ZonedDateTime firstBin = first.truncatedTo(ChronoUnit.DAYS)
                .plusHours(first.getHour() / binHours * binHours);
        assertTrue(histogram.get(0).startsWith(
                firstBin.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + " █"),
                histogram.toString());
        long counted = 0;
        for (String row : histogram) {
            assertTrue(row.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d .*"), row);
            Matcher m = Pattern.compile("[█▏] (\\d+)$").matcher(row);
            counted += m.find() ? Long.parseLong(m.group(1)) : 0;
        }
        assertEquals(starts.length, counted, "every failure in a bin");
    }

    /**
     * Without a day crossed, times of day as before; --tz moves them and names the zone (a
     * fixed offset by its offset, said once).
     */
    @Test
    void aZoneMovesEveryTimeAndIsNamed() throws Exception {
        long start = nanos("2026-11-21T06:52:37.059065Z");
        CaptureFiles.Pcap pcap = CaptureFiles.pcap();
        refused(pcap, "10.0.0.1", 40_000, "10.0.0.2", 80, start);
        Path f = pcap.write(dir.resolve("short.pcap"));

        String utc = BadInputTest.run("analyze", "--color", "never", f.toString()).out();
        assertTrue(utc.contains("time " + at(start, ZoneOffset.UTC) + " → "
                + clock(start + REFUSAL_NANOS, ZoneOffset.UTC) + " UTC ("), utc);
        assertTrue(utc.contains("\n" + clock(start, ZoneOffset.UTC) + "  10.0.0.1:40000"), utc);

        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        Run r = BadInputTest.run("analyze", "--color", "never", "--tz", "Asia/Tokyo",
                f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.out().contains("time " + at(start, tokyo) + " +09:00 → "
                + clock(start + REFUSAL_NANOS, tokyo) + " +09:00 Asia/Tokyo ("), r.out());
        assertTrue(r.out().contains("\n" + clock(start, tokyo) + "  10.0.0.1:40000"), r.out());
        assertTrue(r.out().contains("Failures per second (Asia/Tokyo, by connection start)"),
                r.out());

        // A fixed offset is named by it, once: UTC+05:45 where a zone's name stands.
        ZoneOffset kathmandu = ZoneOffset.of("+05:45");
        for (String tz : new String[] {"+05:45", "UTC+05:45"}) {
            Run k = BadInputTest.run("analyze", "--color", "never", "--tz", tz, f.toString());
            assertEquals(ExitCode.OK, k.code(), k.err());
            String header = "time " + at(start, kathmandu) + " → "
                    + clock(start + REFUSAL_NANOS, kathmandu) + " UTC+05:45 (";
            assertTrue(k.out().contains(header), header + "\n" + k.out());
            String line = k.out().substring(k.out().indexOf(header));
            line = line.substring(0, line.indexOf('\n'));
            assertEquals(line.indexOf("+05:45"), line.lastIndexOf("+05:45"), line);
            assertTrue(k.out().contains("\n" + clock(start, kathmandu) + "  10.0.0.1:40000"),
                    k.out());
        }

        ZoneId local = ZoneId.systemDefault();
        Run l = BadInputTest.run("analyze", "--color", "never", "--tz", "local", f.toString());
        assertEquals(ExitCode.OK, l.code(), l.err());
        assertTrue(l.out().contains(" " + local.getId() + " (")
                || local.getRules().isFixedOffset()
                && l.out().contains(at(start, local)), l.out());
    }

    /**
     * Across both daylight-saving changes of Paris, each time has the offset it had then: the
     * spring-forward hour that does not exist is jumped, and the autumn hour that happens twice
     * is told apart by its offset, in the header, the histogram and the ladders alike.
     */
    @Test
    void daylightSavingChangesGiveEachTimeItsOwnOffset() throws Exception {
        ZoneId paris = ZoneId.of("Europe/Paris");
        for (String[] change : new String[][] {
                {"2026-03-29T00:59:30Z", "2026-03-29T01:00:10Z", "01:59:30", "03:00:10"},
                {"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "02:30:00", "02:30:00"}}) {
            long before = nanos(change[0]);
            long after = nanos(change[1]);
            CaptureFiles.Pcap pcap = CaptureFiles.pcap();
            refused(pcap, "10.0.0.1", 40_000, "10.0.0.2", 80, before);
            refused(pcap, "10.0.0.1", 40_001, "10.0.0.2", 80, after);
            Path f = pcap.write(dir.resolve("dst-" + change[0].substring(0, 10) + ".pcap"));
            Run r = BadInputTest.run("analyze", "--color", "never", "--tz", "Europe/Paris",
                    f.toString());
            assertEquals(ExitCode.OK, r.code(), r.err());
            long end = after + REFUSAL_NANOS;
            String header = "time " + at(before, paris) + " " + offset(before, paris) + " → "
                    + clock(end, paris) + " " + offset(end, paris) + " Europe/Paris (";
            assertTrue(r.out().contains(header), header + "\n" + r.out());
            assertFalse(offset(before, paris).equals(offset(end, paris)), "a change in between");
            // The wall clocks as a person in Paris read them (written down by hand here), each
            // with its offset: the span holds a change.
            assertTrue(r.out().contains("\n" + change[2] + ".000000 " + offset(before, paris)
                    + "  10.0.0.1:40000"), r.out());
            assertTrue(r.out().contains("\n" + change[3] + ".000000 " + offset(after, paris)
                    + "  10.0.0.1:40001"), r.out());
            // Every histogram row's time, read back by java.time with its offset, is later
            // than the row before it, and each failure is counted in the row of its bin.
            Matcher title = Pattern.compile("\nFailures per (\\d+ )?(second|minute|hour)s?"
                    + " \\(Europe/Paris, by connection start\\)\n").matcher(r.out());
            assertTrue(title.find(), r.out());
            Duration bin = Duration.of(title.group(1) == null ? 1
                    : Long.parseLong(title.group(1).trim()), switch (title.group(2)) {
                        case "second" -> ChronoUnit.SECONDS;
                        case "minute" -> ChronoUnit.MINUTES;
                        default -> ChronoUnit.HOURS;
                    });
            String day = change[0].substring(0, 10) + "T";
            Instant previous = Instant.MIN;
            long counted = 0;
            for (String row : section(r.out(), title.group().trim())) {
                Matcher m = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d) ([+-]\\d\\d:\\d\\d) ")
                        .matcher(row);
                assertTrue(m.find(), row);
                Instant at = java.time.OffsetDateTime.parse(day + m.group(1) + m.group(2))
                        .toInstant();
                assertTrue(at.isAfter(previous), row + " after " + previous);
                assertEquals(paris.getRules().getOffset(at).getId(), m.group(2), row);
                previous = at;
                Matcher n = Pattern.compile("[█▏] (\\d+)$").matcher(row);
                if (n.find()) {
                    long inBin = 0;
                    for (long failure : new long[] {before, after}) {
                        inBin += !instant(failure).isBefore(at)
                                && instant(failure).isBefore(at.plus(bin)) ? 1 : 0;
                    }
                    assertEquals(inBin, Long.parseLong(n.group(1)), row);
                    counted += inBin;
                }
            }
            assertEquals(2, counted, "both failures in a row");
        }
    }

    /**
     * The HTML page too: the autumn hour that happens twice in Paris is told apart by offset in
     * the table's start column (its rows are made before the span is known) and the ladders.
     */
    @Test
    void theHtmlPageTellsTheRepeatedHourApart() throws Exception {
        ZoneId paris = ZoneId.of("Europe/Paris");
        long before = nanos("2026-10-25T00:30:00Z");
        long after = nanos("2026-10-25T01:30:00Z");
        CaptureFiles.Pcap pcap = CaptureFiles.pcap();
        refused(pcap, "10.0.0.1", 40_000, "10.0.0.2", 80, before);
        refused(pcap, "10.0.0.1", 40_001, "10.0.0.2", 80, after);
        Path f = pcap.write(dir.resolve("fall-back.pcap"));
        Run r = BadInputTest.run("analyze", "--format", "html", "--tz", "Europe/Paris",
                f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        for (long t : new long[] {before, after}) {
            // The same wall clock twice, written down by hand; the offsets from java.time.
            String shown = "2026-10-25 02:30:00.000000 " + offset(t, paris);
            assertTrue(r.out().contains(">" + shown + "</td>"), shown + " in the table");
            assertTrue(r.out().contains(">" + shown + "</span>"), shown + " on a ladder");
        }
        assertFalse(offset(before, paris).equals(offset(after, paris)), "a change in between");
    }

    @Test
    void anUnknownZoneIsAUsageErrorSayingWhatIsAllowed() {
        for (String bad : new String[] {"Mars/Olympus", "", "+25:00", "local-ish"}) {
            Run r = BadInputTest.run("analyze", "--tz", bad, "x.pcap");
            assertEquals(ExitCode.USAGE, r.code(), bad + ": " + r.err());
            assertTrue(r.err().startsWith("synscope: --tz: '" + bad + "' is not a time zone;"),
                    r.err());
            assertTrue(r.err().contains("Europe/Paris") && r.err().contains("local"), r.err());
            LiveBadInputTest.assertOneLine(r);
        }
        Run live = BadInputTest.run("live", "-i", "lo", "--tz", "Nowhere/Atall");
        assertEquals(ExitCode.USAGE, live.code(), live.err());
        assertTrue(live.err().contains("--tz"), live.err());
    }

    // ---- findings on a busy capture -----------------------------------------------------

    /**
     * 300 servers refused once each and six refused 2 to 7 times: one fix, printed once; the 300
     * as one finding with a few of them named; the six as their own findings up to the cap, the
     * rest counted; and every server that refused is accounted for, in the JSON and the text.
     */
    @Test
    void manyServersFailingAlikeStayAFewLines() throws Exception {
        CaptureFiles.Pcap pcap = CaptureFiles.pcap();
        long t = nanos("2026-11-21T06:00:00Z");
        Set<String> once = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String server = "10.1." + (i / 250) + "." + (i % 250 + 1);
            once.add(server + ":8080");
            refused(pcap, "10.0.0.1", 20_000 + i, server, 8080, t += 1_000_000);
        }
        int port = 30_000;
        for (int k = 2; k <= 7; k++) {
            for (int j = 0; j < k; j++) {
                refused(pcap, "10.0.0.1", port++, "10.2.0." + k, 8080, t += 1_000_000);
            }
        }
        Path f = pcap.write(dir.resolve("busy.pcap"));
        JsonNode json = JSON.readTree(BadInputTest.run("analyze", "--format", "json",
                f.toString()).out());
        JsonNode findings = json.get("summary").get("listener_findings");
        assertEquals(306, findings.size(), "a finding per server that refused");

        Run r = BadInputTest.run("analyze", "--color", "never", "--max-ladders", "0",
                f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        List<String> lines = section(r.out(), "What the failures point at");
        assertTrue(lines.size() <= 8, String.join("\n", lines));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("  fix: ")).count(),
                "one fix for one kind of finding");
        assertEquals("• 300 servers  1 connection refused: nothing listening (or a REJECT rule)",
                lines.get(0));
        String[] named = lines.get(1).trim().split(", ");
        assertEquals("… 294 more", named[named.length - 1]);
        for (int i = 0; i < named.length - 1; i++) {
            assertTrue(once.contains(named[i]), named[i] + " was refused once");
        }
        // Most refusals first; then the cap.
        assertEquals("• 10.2.0.7:8080  7 connections refused: nothing listening (or a REJECT"
                + " rule)", lines.get(2));
        long accounted = 0;
        for (String line : lines) {
            Matcher many = Pattern.compile("^• (\\d+) servers  ").matcher(line);
            Matcher more = Pattern.compile("^• … (\\d+) more servers? ").matcher(line);
            accounted += many.find() ? Long.parseLong(many.group(1))
                    : more.find() ? Long.parseLong(more.group(1))
                    : line.matches("^• \\d+\\.\\d+\\.\\d+\\.\\d+:\\d+  .*") ? 1 : 0;
        }
        assertEquals(once.size() + 6, accounted, "every server that refused, once");
    }

    // ---- counts that add up -------------------------------------------------------------

    /**
     * The header's outcomes and its failures, the table's failures and the line under it, against
     * how the captures were made: demo.pcap's connections as the lab's clients, server and kernel
     * saw them (demo.expected.json), and the one connection {@link #alsoCapture()} writes.
     */
    @Test
    void failedAndFailuresAddUpWithHowTheCapturesWereMade() throws Exception {
        textCountsAre("sample-pcaps/demo.pcap", Samples.made("demo.pcap"), null);
        // Its SYN sent twice, then the handshake's ACK and data answered by a stateless RST:
        // the client saw a reset (failed), a syn-dropped first and an overflow-reset later.
        textCountsAre(alsoCapture().toString(), List.of(new Made("syn-dropped", "failed")), 1L);
    }

    /**
     * The text report of {@code capture} counts {@code made}'s outcomes and failures; and, when
     * {@code later} is not null (the truth knows it), that many later failures of another kind.
     */
    private static void textCountsAre(String capture, List<Made> made, Long later) {
        Map<String, Long> outcomes = new HashMap<>();
        Map<String, Long> failureOutcomes = new HashMap<>();
        for (Made c : made) {
            outcomes.merge(c.outcome(), 1L, Long::sum);
            if (c.failure()) {
                failureOutcomes.merge(c.outcome(), 1L, Long::sum);
            }
        }
        long failures = failureOutcomes.values().stream().mapToLong(Long::longValue).sum();
        long failed = outcomes.getOrDefault("failed", 0L);

        String text = BadInputTest.run("analyze", "--color", "never", capture).out();
        String counts = failed + " failed, " + outcomes.getOrDefault("recovered", 0L)
                + " recovered, " + outcomes.getOrDefault("ok", 0L) + " ok";
        assertTrue(text.contains(counts), counts + "\n" + text);
        if (failures != failed) {
            StringBuilder sum = new StringBuilder("; " + failures + " failures: "
                    + failureOutcomes.getOrDefault("failed", 0L) + " failed");
            for (String outcome : List.of("recovered", "ok")) {
                if (failureOutcomes.getOrDefault(outcome, 0L) > 0) {
                    sum.append(" + ").append(failureOutcomes.get(outcome)).append(" ")
                            .append(outcome);
                }
            }
            assertTrue(text.contains(sum), sum + "\n" + text);
        }
        assertTrue(text.contains("(" + Math.min(20, failures) + " of " + failures
                + " shown)"), text);
        if (later != null) {
            assertEquals(later > 0, text.contains("; their " + later + " later failure"),
                    later + " later failures\n" + text);
        }
    }

    /**
     * Frames that came after their connection was over are called packets, and counted: a
     * connection closed by FIN, FIN and the last ACK, then the server's FIN again and the
     * client's ACK to it, 200 ms later, as a server whose last ACK went missing resends them.
     */
    @Test
    void latePacketsAreCalledPackets() throws Exception {
        FrameBuilder client = FrameBuilder.tcp().from("10.0.0.1", 40_000).to("10.0.0.2", 80);
        FrameBuilder server = FrameBuilder.tcp().from("10.0.0.2", 80).to("10.0.0.1", 40_000);
        int ackFin = TcpSegment.ACK | TcpSegment.FIN;
        long t = nanos("2026-11-21T06:00:00Z");
        long ms = 1_000_000;
        Path f = CaptureFiles.pcap()
                .frame(client.copy().seq(1000).flags(TcpSegment.SYN).build(), t)
                .frame(server.copy().seq(5000).ack(1001).flags(TcpSegment.SYN | TcpSegment.ACK)
                        .build(), t + ms)
                .frame(client.copy().seq(1001).ack(5001).flags(TcpSegment.ACK).build(), t + 2 * ms)
                .frame(client.copy().seq(1001).ack(5001).flags(ackFin).build(), t + 3 * ms)
                .frame(server.copy().seq(5001).ack(1002).flags(ackFin).build(), t + 4 * ms)
                .frame(client.copy().seq(1002).ack(5002).flags(TcpSegment.ACK).build(), t + 5 * ms)
                // Late: the connection was over at the frame before.
                .frame(server.copy().seq(5001).ack(1002).flags(ackFin).build(), t + 200 * ms)
                .frame(client.copy().seq(1002).ack(5002).flags(TcpSegment.ACK).build(),
                        t + 201 * ms)
                .write(dir.resolve("late.pcap"));
        Run r = BadInputTest.run("analyze", "--color", "never", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.out().contains("8 TCP segments, 2 late packets (arrived after their"
                + " connection was over"), r.out());
        assertFalse(r.out().contains("trailing already-closed connections"), r.out());
    }

    /** A capture of the client's side only says so in the header. */
    @Test
    void aCaptureOfOneDirectionSaysSo() throws Exception {
        FrameBuilder client = FrameBuilder.tcp().from("10.0.0.1", 40_000).to("10.0.0.2", 80);
        long t = nanos("2026-11-21T06:00:00Z");
        Path f = CaptureFiles.pcap()
                .frame(client.copy().seq(1000).flags(TcpSegment.SYN).build(), t)
                .frame(client.copy().seq(1001).ack(5001).flags(TcpSegment.ACK).build(),
                        t + 1_000_000)
                .frame(client.copy().seq(1001).ack(5001).flags(TcpSegment.ACK | TcpSegment.PSH)
                        .payloadLength(10).build(), t + 2_000_000)
                .write(dir.resolve("client-only.pcap"));
        Run r = BadInputTest.run("analyze", "--color", "never", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.out().contains("one direction: 1 of 1 connections show one side's packets"
                + " only"), r.out());
    }

    // ---- option errors ------------------------------------------------------------------

    @Test
    void numericOptionsOutOfRangeSayTheRangeInOneLine() {
        String[][] cases = {
            {"analyze --threads 5000 x.pcap", "--threads must be 1..64, got 5000"},
            {"analyze --threads 0 x.pcap", "--threads must be 1..64, got 0"},
            {"analyze --threads many x.pcap", "--threads must be a whole number, 1..64, got 'many'"},
            {"analyze --max-ladders -1 x.pcap", "--max-ladders must be 0..100000"},
            {"analyze --idle-timeout 0 x.pcap", "--idle-timeout must be 1..31536000 (a year), got 0"},
            {"live -i lo --snaplen 10", "--snaplen must be 68..262144"},
            {"live -i lo --interval 0", "--interval must be 1..86400 (a day), got 0"},
            {"live -i lo --duration -5", "--duration must be 0..31536000"},
            {"live -i lo --count -1", "--count must be at least 0 (0: until Ctrl-C), got -1"},
            {"live -i lo --threads 65", "--threads must be 1..64, got 65"},
            {"live -i lo --metrics-listeners -1", "--metrics-listeners must be at least 0"},
            {"lab --retries 1000 refused", "--retries must be 0..100, got 1000"},
            {"lab --max-ladders -2 refused", "--max-ladders must be 0..100000"},
        };
        for (String[] c : cases) {
            Run r = BadInputTest.run(c[0].split(" "));
            assertEquals(ExitCode.USAGE, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().startsWith("synscope: " + c[1]), c[0] + ": " + r.err());
            LiveBadInputTest.assertOneLine(r);
            assertEquals("", r.out());
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /** How long after its SYN a written refusal's RST comes. */
    private static final long REFUSAL_NANOS = 13_000;

    /** A SYN and the RST+ACK that refuses it, 13 µs apart. */
    private static void refused(CaptureFiles.Pcap pcap, String client, int clientPort,
                                String server, int serverPort, long tsNanos) {
        FrameBuilder syn = FrameBuilder.tcp().from(client, clientPort).to(server, serverPort)
                .seq(1000).flags(TcpSegment.SYN);
        FrameBuilder rst = FrameBuilder.tcp().from(server, serverPort).to(client, clientPort)
                .seq(0).ack(1001).window(0).flags(TcpSegment.RST | TcpSegment.ACK);
        pcap.frame(syn.build(), tsNanos).frame(rst.build(), tsNanos + REFUSAL_NANOS);
    }

    /**
     * A connection whose SYN was dropped once, then whose handshake ACK was answered with the
     * kernel's stateless RST: a syn-dropped that then had an overflow-reset.
     */
    private Path alsoCapture() {
        FrameBuilder c = FrameBuilder.tcp().from("10.0.0.1", 40_000).to("10.0.0.2", 80);
        FrameBuilder s = FrameBuilder.tcp().from("10.0.0.2", 80).to("10.0.0.1", 40_000);
        long t = nanos("2026-11-21T06:00:00Z");
        return CaptureFiles.pcap()
                .frame(c.copy().seq(1000).flags(TcpSegment.SYN).build(), t)
                .frame(c.copy().seq(1000).flags(TcpSegment.SYN).build(), t + 1_000_000_000L)
                .frame(s.copy().seq(5000).ack(1001).flags(TcpSegment.SYN | TcpSegment.ACK)
                        .build(), t + 1_000_500_000L)
                .frame(c.copy().seq(1001).ack(5001).flags(TcpSegment.ACK).build(),
                        t + 1_000_600_000L)
                .frame(c.copy().seq(1001).ack(5001).flags(TcpSegment.ACK | TcpSegment.PSH)
                        .payloadLength(10).build(), t + 1_000_700_000L)
                .frame(s.copy().seq(5001).window(0).flags(TcpSegment.RST).build(),
                        t + 1_001_100_000L)
                .write(dir.resolve("also.pcap"));
    }

    /** The lines of the section under {@code title}, up to the blank line that ends it. */
    private static List<String> section(String text, String title) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : text.split("\n", -1)) {
            if (in && line.isEmpty()) {
                break;
            }
            if (in) {
                lines.add(line);
            }
            in |= line.equals(title);
        }
        assertTrue(in, "no section " + title + " in\n" + text);
        return lines;
    }

    private static long nanos(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * NANOS_PER_SECOND + i.getNano();
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND),
                Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    private static String at(long nanos, ZoneId zone) {
        return DATE_CLOCK.format(instant(nanos).atZone(zone));
    }

    private static String clock(long nanos, ZoneId zone) {
        return CLOCK.format(instant(nanos).atZone(zone));
    }

    private static String offset(long nanos, ZoneId zone) {
        return OFFSET.format(instant(nanos).atZone(zone));
    }
}
