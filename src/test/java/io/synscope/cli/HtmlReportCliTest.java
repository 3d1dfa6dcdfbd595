package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.synscope.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --format html} through the command line. Which connections failed, and how, comes from
 * how each sample capture was made (sample-pcaps/*.expected.json); which packets a ladder must
 * draw, from tshark's reading of the capture with the ladder's own filter; what {@code live}
 * must list, from what each connect() got.
 */
class HtmlReportCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A table row: verdict, id, then the client and server cells. */
    static final Pattern ROW = Pattern.compile("<tr data-verdict=\"([a-z0-9-]+)\""
            + " id=\"row(\\d+)\">\\n<td[^>]*>(?:<a [^>]*>)?\\d+(?:</a>)?</td><td[^>]*>[^<]*</td>"
            + "<td class=\"mono\">([^<]*)</td><td class=\"mono\">([^<]*)</td>");
    static final Pattern LADDER = Pattern.compile("<article class=\"ladder\" id=\"c(\\d+)\">"
            + "(.*?)</article>", Pattern.DOTALL);
    private static final Pattern FRAME = Pattern.compile("<text class=\"t\" x=\"112\""
            + " y=\"[^\"]*\">#(\\d+)</text>");
    private static final Pattern FILTER = Pattern.compile("<code id=\"f\\d+\" class=\"filter\">"
            + "([^<]*)</code>");

    @TempDir
    Path dir;

    /** The sample captures that come with how they were made. */
    static List<String> samples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("sample-pcaps"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".pcap") || n.endsWith(".pcapng"))
                    .filter(n -> Files.exists(Path.of("sample-pcaps",
                            n.replaceFirst("\\.pcap(ng)?$", ".expected.json"))))
                    .sorted().toList();
        }
    }

    /** "40001>8080 refused" per failed connection the lab made, sorted (ports repeat). */
    static List<String> madeFailures(String capture) throws IOException {
        List<String> keys = new ArrayList<>();
        for (JsonNode c : JSON.readTree(Path.of("sample-pcaps", capture.replaceFirst(
                "\\.pcap(ng)?$", ".expected.json")).toFile()).get("connections")) {
            String verdict = c.get("verdict").asText();
            if (!verdict.equals("ok") && !verdict.equals("incomplete")) {
                keys.add(c.get("client").get("port").asInt() + ">"
                        + c.get("server").get("port").asInt() + " " + verdict);
            }
        }
        keys.sort(null);
        return keys;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static String html(String... args) {
        List<String> all = new ArrayList<>(List.of("analyze", "--format", "html"));
        all.addAll(List.of(args));
        BadInputTest.Run r = run(all.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @Test
    void everyFailedConnectionIsARowAndALadderWithTheVerdictItWasMadeWith() throws Exception {
        for (String capture : samples()) {
            String file = "sample-pcaps/" + capture;
            String page = html("--max-ladders", "1000", file);
            List<String> rows = new ArrayList<>();
            Set<String> rowIds = new TreeSet<>();
            Matcher m = ROW.matcher(page);
            while (m.find()) {
                rows.add(port(m.group(3)) + ">" + port(m.group(4)) + " " + m.group(1));
                rowIds.add(m.group(2));
            }
            rows.sort(null);
            assertEquals(madeFailures(capture), rows, capture);

            Set<String> jsonIds = new TreeSet<>();
            BadInputTest.Run json = run("analyze", "--format", "json", file);
            for (JsonNode c : JSON.readTree(json.out()).get("connections")) {
                jsonIds.add(c.get("id").asText());
            }
            assertEquals(jsonIds, rowIds, capture + ": the JSON report's failures");
            Set<String> ladderIds = new TreeSet<>();
            Matcher l = LADDER.matcher(page);
            while (l.find()) {
                ladderIds.add(l.group(1));
            }
            assertEquals(jsonIds, ladderIds, capture + ": a ladder for each");
        }
    }

    /** The frames a ladder draws are those tshark finds with the ladder's Wireshark filter. */
    @Test
    void eachLadderDrawsThePacketsItsFilterFindsInTshark() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CsvAndSelectionTest.TSHARK), "tshark is not installed (.ci/run"
                + " installs it)");
        for (String capture : List.of("demo.pcap", "ipv6.pcap")) {
            String file = "sample-pcaps/" + capture;
            Matcher l = LADDER.matcher(html("--max-ladders", "1000", file));
            int ladders = 0;
            while (l.find()) {
                List<String> drawn = new ArrayList<>();
                Matcher f = FRAME.matcher(l.group(2));
                while (f.find()) {
                    drawn.add(f.group(1));
                }
                Matcher filter = FILTER.matcher(l.group(2));
                assertTrue(filter.find(), "a filter under each ladder");
                List<String> frames = CsvAndSelectionTest.tshark(file, unescape(filter.group(1)));
                assertEquals(frames.subList(0, Math.min(24, frames.size())), drawn,
                        capture + " ladder " + l.group(1));
                ladders++;
            }
            assertTrue(ladders > 0, capture);
        }
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
    }

    @Test
    void aHostileFileNameIsTextInThePage() throws Exception {
        Path hostile = dir.resolve("\"><img src=x onerror=alert(1)><script>alert(2)<"
                + "\u001b[31m.pcap");
        Files.copy(Path.of("sample-pcaps/overflow-reset.pcap"), hostile);
        Path out = dir.resolve("report.html");
        BadInputTest.Run r = run("analyze", "--format", "html", "-o", out.toString(),
                hostile.toString());
        assertEquals(0, r.code(), r.err());
        String page = Files.readString(out);
        assertFalse(page.contains("<img"), "no element from the name");
        assertEquals(1, page.split("<script", -1).length - 1, "only the page's own script");
        assertTrue(page.contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;"
                + "\\x1b[31m.pcap"), "the name as text, its escape character visible");
    }

    @Test
    void liveWritesThePageWhenItsDurationEnds() throws Exception {
        LiveBadInputTest.assumeLiveCaptureWorks();
        int closed = MetricsPrometheusTest.freePort();
        Path page = dir.resolve("live.html");
        LiveBadInputTest.Child synscope = LiveBadInputTest.Child.start(LiveBadInputTest.java(
                "live", "-i", "lo", "-f", "tcp port " + closed, "--duration", "4",
                "--format", "html", "-o", page.toString()));
        synscope.awaitListening();
        int refused = 0;
        for (int i = 0; i < 3; i++) {
            refused += MetricsPrometheusTest.refused(closed) ? 1 : 0;
        }
        synscope.waitFor();
        assertEquals(ExitCode.OK, synscope.code, synscope.err());
        assertEquals(3, refused, "connections refused");
        List<String> rows = new ArrayList<>();
        Matcher m = ROW.matcher(Files.readString(page));
        while (m.find()) {
            rows.add(port(m.group(4)) + " " + m.group(1));
        }
        assertEquals(List.of(closed + " refused", closed + " refused", closed + " refused"),
                rows);
    }

    /**
     * A capture with the kernel's evidence ({@code live -w}): a Python server in a network
     * namespace of its own on 127.0.0.1:8080 with {@code listen(4)}, accepting nothing for 6 s
     * and then three, ten clients 0.3 s apart, {@code live --netns NS -i lo -w}. The page shows
     * that listener's accept queue with the backlog the server set, its depth lane under the
     * chart, and the kernel's reset reasons beside the ladders.
     */
    @Test
    void kernelEvidenceShowsTheListenersQueueAndTheKernelsResets() throws Exception {
        String page = html("src/test/resources/io/synscope/report/listen4-kernel.pcapng");
        assertTrue(page.contains("<h2>What the kernel saw"), "the kernel section");
        assertTrue(page.contains("<b>127.0.0.1:8080</b> accept queue at its limit of 4 from "),
                "the backlog the server asked for");
        assertTrue(page.contains("127.0.0.1:8080 accept queue (limit 4, at most 5 waiting)"),
                "a lane under the chart: a full queue of 4 holds 5, as the kernel counts");
        assertTrue(Pattern.compile("<polyline class=\"depth\" points=\"[0-9., ]+\">")
                .matcher(page).find(), "the depth line");
        assertTrue(page.contains("<g class=\"kmark\">"), "kernel records on the ladders");
    }

    /**
     * --tz moves every time on the page to that zone. The truth is the capture's first record
     * header (demo.pcap: little-endian, microseconds), put in the zone by java.time; Kathmandu's
     * +05:45 leaves no digit of the UTC reading in place.
     */
    @Test
    void timesAreInTheZoneTzNames() throws Exception {
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(Path.of("sample-pcaps/demo.pcap")),
                0, 40).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, head.getInt(0), "demo.pcap is a little-endian microsecond pcap");
        Instant first = Instant.ofEpochSecond(head.getInt(24) & 0xffffffffL,
                (head.getInt(28) & 0xffffffffL) * 1000);
        DateTimeFormatter shown = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
        String zoned = shown.format(first.atZone(ZoneId.of("Asia/Kathmandu")));
        String utc = shown.format(first.atZone(ZoneOffset.UTC));

        String page = html("sample-pcaps/demo.pcap", "--tz", "Asia/Kathmandu");
        assertTrue(page.contains(zoned + " → "), "the capture's start in Kathmandu: " + zoned);
        assertFalse(page.contains(utc), "no UTC reading of the same instant: " + utc);
        assertTrue(page.contains("start (Asia/Kathmandu)"), "the table says its zone");
        assertTrue(page.contains("Failures per second (Asia/Kathmandu"), "so does the chart");
        assertTrue(html("sample-pcaps/demo.pcap").contains(utc + " → "), "UTC by default");
    }
}
