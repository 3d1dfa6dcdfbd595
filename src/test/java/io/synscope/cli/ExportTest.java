package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synscope.testutil.Samples;
import io.synscope.testutil.Tshark;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.synscope.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code analyze --export FILE} through the command line, on the sample captures. Which packets
 * belong in the export is counted by tshark on the input, with each listed connection's display
 * filter (tshark, not synscope, decides what matches); which connections are listed comes from
 * how each sample was made ({@code .expected.json}). Skipped, saying why, without tshark.
 */
class ExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EDITCAP = Path.of("/usr/bin/editcap");

    @TempDir
    Path dir;

    @BeforeEach
    void needsTshark() {
        Tshark.assume();
    }

    /**
     * Every sample: the export (pcapng, which keeps the capture's end) holds exactly the packets
     * tshark finds in the input with the failed connections' filters, and synscope judges each
     * of those connections in the export as in the whole capture.
     */
    @TestFactory
    Stream<DynamicTest> theExportHoldsTheFailuresPacketsAndTheirVerdicts() throws IOException {
        return Samples.expectations().stream().map(e -> DynamicTest.dynamicTest(
                e.getFileName().toString(), () -> {
                    JsonNode expected = JSON.readTree(e.toFile());
                    String capture = Samples.DIR.resolve(expected.get("capture").asText())
                            .toString();
                    Path export = dir.resolve("x.pcapng");
                    List<CSVRecord> listed = csv("analyze", capture, "--export",
                            export.toString());
                    assertEquals(failures(expected), keys(listed), capture);
                    assertHoldsExactly(List.of(capture), listed, export, false);
                    assertEquals(rows(listed), rows(csv("analyze", export.toString(), "--all")),
                            "synscope on the export of " + capture);
                }));
    }

    /**
     * pcap has no place for the capture's end: the export ends at its last packet, and only a
     * connection whose last packet is that one, judged by the silence after it, may read
     * differently.
     */
    @Test
    void aPcapExportEndsAtItsLastPacket() throws Exception {
        for (Path e : Samples.expectations()) {
            String capture = Samples.DIR.resolve(JSON.readTree(e.toFile()).get("capture")
                    .asText()).toString();
            Path export = dir.resolve("x.pcap");
            List<CSVRecord> listed = csv("analyze", capture, "--export", export.toString());
            if (capture.endsWith("demo.pcap")) {
                assertHoldsExactly(List.of(capture), listed, export, false);
            }
            List<CSVRecord> again = csv("analyze", export.toString(), "--all");
            Map<String, String> before = rows(listed);
            Map<String, String> after = rows(again);
            assertEquals(before.keySet(), after.keySet(), capture);
            for (CSVRecord r : again) {
                String key = key(r);
                if (!before.get(key).equals(after.get(key))) {
                    String lastPacket = Tshark.fields(export.toString(), null,
                            "frame.time_epoch").stream().reduce((a, b) -> b).orElse("");
                    String last = r.get("ts");
                    double end = Double.parseDouble(last) + Double.parseDouble(r.get("duration"));
                    assertEquals(Double.parseDouble(lastPacket), end, 1e-6, capture + " " + key
                            + " differs in the export, though it is not its last packet: "
                            + before.get(key) + " / " + after.get(key));
                }
            }
        }
    }

    /** A selection exports what it lists, healthy connections too when it names them. */
    @Test
    void theSelectionIsWhatIsExported() throws Exception {
        String capture = "sample-pcaps/demo.pcap";
        JsonNode expected = JSON.readTree(Samples.DIR.resolve("demo.expected.json").toFile());
        Path export = dir.resolve("sel.pcapng");
        List<CSVRecord> listed = csv("analyze", capture, "--verdict", "syn-dropped,ok",
                "--export", export.toString());
        Set<String> want = new TreeSet<>();
        for (JsonNode c : expected.get("connections")) {
            if (Set.of("syn-dropped", "ok").contains(c.get("verdict").asText())) {
                want.add(c.get("client").get("port").asText() + ">" + c.get("server")
                        .get("port").asText() + " " + c.get("verdict").asText());
            }
        }
        assertEquals(want, keys(listed));
        assertHoldsExactly(List.of(capture), listed, export, true);
        assertEquals(rows(listed), rows(csv("analyze", export.toString(), "--all")));
    }

    /**
     * The sample cut by editcap into rotated parts, given last first: the same listed
     * connections, verdicts and exported bytes as the whole.
     */
    @Test
    void rotatedPartsExportWhatTheWholeDoes() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(EDITCAP), "editcap is not installed");
        String whole = "sample-pcaps/demo.pcap";
        Path parts = Files.createDirectories(dir.resolve("parts"));
        exec(EDITCAP.toString(), "-c", "50", whole, parts.resolve("demo.pcap").toString());
        List<String> given = new ArrayList<>();
        try (Stream<Path> files = Files.list(parts)) {
            files.forEach(p -> given.add(p.toString()));
        }
        assertTrue(given.size() > 2, given.toString());
        Collections.sort(given, Collections.reverseOrder());
        Path fromWhole = dir.resolve("whole.pcap");
        Path fromParts = dir.resolve("parts.pcap");
        List<CSVRecord> w = csv("analyze", whole, "--export", fromWhole.toString());
        List<String> args = new ArrayList<>(List.of("analyze"));
        args.addAll(given);
        args.addAll(List.of("--export", fromParts.toString()));
        List<CSVRecord> p = csv(args.toArray(String[]::new));
        assertEquals(rows(w), rows(p));
        assertHoldsExactly(List.of(whole), w, fromWhole, false);
        assertArrayEquals(Files.readAllBytes(fromWhole), Files.readAllBytes(fromParts));
        // A directory of them, too.
        Path fromDir = dir.resolve("dir.pcap");
        csv("analyze", parts.toString(), "--export", fromDir.toString());
        assertArrayEquals(Files.readAllBytes(fromWhole), Files.readAllBytes(fromDir));
    }

    /**
     * Inputs of two link types: a pcapng with an interface for each, whatever the name says,
     * each frame under its own.
     */
    @Test
    void severalLinkTypesGiveAnInterfaceEach() throws Exception {
        List<String> inputs = List.of("sample-pcaps/overflow-reset.pcap",
                "sample-pcaps/overflow-reset.sll2.pcap");
        Path export = dir.resolve("two.pcap");
        BadInputTest.Run r = run("analyze", inputs.get(0), inputs.get(1), "--format", "csv",
                "--export", export.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("written as pcapng"), r.err());
        assertHoldsExactly(inputs, LiveCsvTest.parse(r.out()), export, true);
        Set<String> encapsulations = new TreeSet<>(Tshark.fields(export.toString(), null,
                "frame.interface_id"));
        assertEquals(Set.of("0", "1"), encapsulations);
        Set<String> links = new TreeSet<>(Tshark.fields(export.toString(), null,
                "frame.encap_type"));
        assertEquals(2, links.size(), links.toString());
    }

    /**
     * --quiet leaves stderr to errors: neither the count nor the pcapng note, and the same
     * frames exported as without it.
     */
    @Test
    void quietExportsTheSameAndSaysNothing() throws Exception {
        List<String> inputs = List.of("sample-pcaps/overflow-reset.pcap",
                "sample-pcaps/overflow-reset.sll2.pcap");
        Path loud = dir.resolve("loud.pcapng");
        Path quiet = dir.resolve("quiet.pcap");
        BadInputTest.Run said = run("analyze", inputs.get(0), inputs.get(1), "-o", "/dev/null",
                "--export", loud.toString());
        assertEquals(0, said.code(), said.err());
        assertTrue(said.err().contains("synscope: exported "), said.err());
        BadInputTest.Run r = run("analyze", inputs.get(0), inputs.get(1), "-o", "/dev/null",
                "-q", "--export", quiet.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals(Tshark.fields(loud.toString(), null, "frame.time_epoch"),
                Tshark.fields(quiet.toString(), null, "frame.time_epoch"));
    }

    /** Standard input is kept for the second pass: the same export as from the file. */
    @Test
    void standardInputIsSpooledForTheSecondPass() throws Exception {
        Path fromFile = dir.resolve("file.pcap");
        csv("analyze", "sample-pcaps/demo.pcap", "--export", fromFile.toString());
        Path fromStdin = dir.resolve("stdin.pcap");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process p = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(), "analyze", "-", "--format", "csv", "--export",
                fromStdin.toString()).redirectInput(new File("sample-pcaps/demo.pcap"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(false).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertArrayEquals(Files.readAllBytes(fromFile), Files.readAllBytes(fromStdin));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the spool is removed");
        }
    }

    @Test
    void anExportThatCannotBeWrittenIsSaidAtOnce() {
        BadInputTest.Run r = run("analyze", "sample-pcaps/demo.pcap", "--export",
                dir.resolve("no/such/dir/x.pcap").toString());
        assertEquals(ExitCode.IO_ERROR, r.code());
        assertTrue(r.err().startsWith("synscope: --export "), r.err());
        assertEquals("", r.out(), "nothing analysed");

        Path left = dir.resolve("left.pcap");
        BadInputTest.Run missing = run("analyze", dir.resolve("nope.pcap").toString(),
                "--export", left.toString());
        assertEquals(ExitCode.NOT_FOUND, missing.code(), missing.err());
        assertFalse(Files.exists(left), "no empty export left behind");

        BadInputTest.Run input = run("analyze", "sample-pcaps/demo.pcap", "--export",
                "sample-pcaps/../sample-pcaps/demo.pcap");
        assertEquals(ExitCode.USAGE, input.code());
        assertTrue(input.err().contains("would overwrite an input"), input.err());
        Path both = dir.resolve("both.csv");
        BadInputTest.Run sameAsReport = run("analyze", "sample-pcaps/demo.pcap", "--format",
                "csv", "-o", both.toString(), "--export", dir.resolve(".").resolve("both.csv")
                        .toString());
        assertEquals(ExitCode.USAGE, sameAsReport.code(), sameAsReport.err());
        assertTrue(sameAsReport.err().contains("is also the report's file"), sameAsReport.err());
        assertFalse(Files.exists(both), "neither written");
        BadInputTest.Run inDir = run("analyze", "sample-pcaps", "--export",
                "sample-pcaps/x.pcap");
        assertEquals(ExitCode.USAGE, inDir.code());
        assertFalse(Files.exists(Path.of("sample-pcaps/x.pcap")));
    }

    /** live's selection and export options fail as analyze's do, before any capture. */
    @Test
    void liveSaysWhatIsWrongWithItsSelectionAndExport() {
        BadInputTest.Run bad = run("live", "-i", "lo", "--verdict", "nope");
        assertEquals(ExitCode.USAGE, bad.code());
        assertTrue(bad.err().startsWith("synscope: --verdict: 'nope'"), bad.err());
        BadInputTest.Run unwritable = run("live", "-i", "lo", "--export",
                dir.resolve("no/such/dir/x.pcap").toString());
        assertEquals(ExitCode.IO_ERROR, unwritable.code());
        assertTrue(unwritable.err().startsWith("synscope: --export "), unwritable.err());
        String same = dir.resolve("x.pcapng").toString();
        BadInputTest.Run clash = run("live", "-i", "lo", "-w", same, "--export", same);
        assertEquals(ExitCode.USAGE, clash.code());
        assertTrue(clash.err().contains("would overwrite an input"), clash.err());
    }

    /**
     * The export holds as many packets as tshark finds in the inputs with the listed
     * connections' filters, all of them matched by those filters; and, {@code perConnection},
     * each filter finds as many in the export as in the inputs (a tshark run per connection).
     */
    private static void assertHoldsExactly(List<String> inputs, List<CSVRecord> listed,
                                           Path export, boolean perConnection) throws Exception {
        long union = 0;
        for (String input : inputs) {
            union += Tshark.fields(input, or(listed), "frame.number").size();
        }
        List<String> exported = Tshark.fields(export.toString(), null, "frame.number");
        assertEquals(union, exported.size(), export + ": as many packets as the filters find");
        assertEquals(exported, Tshark.fields(export.toString(), or(listed), "frame.number"),
                export + ": packets other than the listed connections'");
        if (!perConnection) {
            return;
        }
        for (CSVRecord r : listed) {
            long inInputs = 0;
            for (String input : inputs) {
                inInputs += Tshark.fields(input, r.get("wireshark_filter"), "frame.number").size();
            }
            assertEquals(inInputs, Tshark.fields(export.toString(), r.get("wireshark_filter"),
                    "frame.number").size(), key(r));
            assertTrue(inInputs > 0, key(r));
        }
    }

    private static String or(List<CSVRecord> listed) {
        if (listed.isEmpty()) {
            return "frame.number == 0";
        }
        List<String> each = new ArrayList<>();
        listed.forEach(r -> each.add("(" + r.get("wireshark_filter") + ")"));
        return String.join(" || ", each);
    }

    private static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }

    /** The CSV the command writes; it must succeed. */
    private static List<CSVRecord> csv(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--format", "csv"));
        BadInputTest.Run r = run(all.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return LiveCsvTest.parse(r.out());
    }

    /** A connection: its ports, first packet and verdict (demo.pcap reuses ports). */
    private static String key(CSVRecord r) {
        return r.get("id.orig_p") + ">" + r.get("id.resp_p") + " " + r.get("ts");
    }

    /** What is said of each connection, by {@link #key}. */
    private static Map<String, String> rows(List<CSVRecord> rows) {
        Map<String, String> m = new HashMap<>();
        for (CSVRecord r : rows) {
            m.put(key(r), String.join(" ", r.get("verdict"), r.get("outcome"),
                    r.get("confidence"), r.get("rule"), r.get("reset_by"), r.get("history"),
                    r.get("orig_pkts"), r.get("resp_pkts"), r.get("wireshark_filter")));
        }
        return m;
    }

    private static Set<String> keys(List<CSVRecord> rows) {
        Set<String> keys = new TreeSet<>();
        rows.forEach(r -> keys.add(r.get("id.orig_p") + ">" + r.get("id.resp_p") + " "
                + r.get("verdict")));
        return keys;
    }

    /** The failures a sample was made with (every verdict but ok and incomplete). */
    private static Set<String> failures(JsonNode expected) {
        Set<String> keys = new TreeSet<>();
        for (JsonNode c : expected.get("connections")) {
            String v = c.get("verdict").asText();
            if (!v.equals("ok") && !v.equals("incomplete")) {
                keys.add(c.get("client").get("port").asText() + ">" + c.get("server")
                        .get("port").asText() + " " + v);
            }
        }
        return keys;
    }
}
