package io.synscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML report in a real browser: headless Chromium (Debian's {@code chromium}) opens pages
 * that the packaged {@code synscope.jar} wrote, under the page's own Content-Security-Policy.
 * Chromium's log on stderr ({@code --enable-logging=stderr}) carries every console message the
 * page caused, script errors and blocked fetches included: there must be none. The DOM after the
 * page's script ran ({@code --dump-dom}) must hold every failure of the JSON report, and the
 * first screen ({@code --screenshot}) must show something. Skips, saying why, without chromium.
 */
class HtmlInBrowserIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[:(]");
    private static final long TIMEOUT_SECONDS = 90;

    @TempDir
    static Path dir;
    private static String chromium;
    private static Path jar;

    @BeforeAll
    static void needsChromiumAndTheJar() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                chromium = candidate;
            }
        }
        Assumptions.assumeTrue(chromium != null, "chromium is not installed (.ci/run installs"
                + " the Debian package chromium): the HTML report is not tested in a browser");
        jar = Path.of(System.getProperty("synscope.buildDir", "target"), "synscope.jar");
        assertTrue(Files.isRegularFile(jar), "mvn package should have made " + jar);
    }

    private record Browser(int code, String out, List<String> console) {
    }

    /** Chromium on {@code url} with {@code args}; what it printed and the page's console. */
    private static Browser browse(String url, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
                // A profile of its own: nothing shared with another run, nothing left behind.
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        cmd.addAll(List.of(args));
        cmd.add(url);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s: "
                    + Files.readString(err));
        }
        List<String> console = new ArrayList<>();
        for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
            if (CONSOLE.matcher(line).find()) {
                console.add(line);
            }
        }
        return new Browser(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                console);
    }

    /** Runs the packaged command; returns its standard output. */
    private static String synscope(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command()
                .orElse("java"), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", args));
        return out;
    }

    private static Path page(String name, String capture, String... options) throws Exception {
        Path page = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "html", "-o",
                page.toString()));
        args.addAll(List.of(options));
        args.add(capture);
        synscope(args.toArray(String[]::new));
        return page;
    }

    /** The failures' ids and verdicts as the JSON report gives them. */
    private static Map<String, String> failures(String capture) throws Exception {
        Map<String, String> ids = new HashMap<>();
        for (JsonNode c : JSON.readTree(synscope("analyze", "--format", "json", capture))
                .get("connections")) {
            ids.put(c.get("id").asText(), c.get("verdict").asText());
        }
        return ids;
    }

    /** The check itself works: a page with a script error and a blocked fetch is caught. */
    @Test
    void aBrokenPageIsCaught() throws Exception {
        Path broken = dir.resolve("broken.html");
        Files.writeString(broken, "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\""
                + " content=\"default-src 'none'; script-src 'unsafe-inline'\"><p>x</p>"
                + "<img src=\"https://example.invalid/x.png\"><script>noSuchFunction();</script>");
        Browser b = browse(broken.toUri().toString(), "--dump-dom");
        assertEquals(2, b.console().size(), "the error and the blocked image: " + b.console());
    }

    @Test
    void everyFailureIsOnThePageAndNothingIsLoggedOrFetched() throws Exception {
        for (String capture : List.of("sample-pcaps/demo.pcap", "sample-pcaps/ipv6.pcap",
                "sample-pcaps/syn-dropped-syn-queue.pcap")) {
            Path page = page(Path.of(capture).getFileName() + ".html", capture,
                    "--max-ladders", "1000");
            Browser b = browse(page.toUri().toString(), "--dump-dom");
            assertEquals(0, b.code(), capture);
            assertEquals(List.of(), b.console(), capture + ": console messages");
            Map<String, String> failures = failures(capture);
            assertFalse(failures.isEmpty(), capture);
            for (Map.Entry<String, String> f : failures.entrySet()) {
                assertTrue(b.out().contains("<tr data-verdict=\"" + f.getValue() + "\" id=\"row"
                        + f.getKey() + "\">"), capture + ": row of " + f);
                assertTrue(b.out().contains("<article class=\"ladder\" id=\"c" + f.getKey()
                        + "\">"), capture + ": ladder of " + f);
            }
            assertTrue(b.out().contains(failures.size() + " of " + failures.size()
                    + " rows shown"), capture + ": the table's script ran");
        }
    }

    /** A view in the address: the rows of one verdict, latest first, the others hidden. */
    @Test
    void theTableFiltersAndSortsAsTheAddressAsks() throws Exception {
        String capture = "sample-pcaps/demo.pcap";
        Path page = page("demo.html", capture);
        Map<String, String> failures = failures(capture);
        List<Long> refused = new ArrayList<>();
        failures.forEach((id, verdict) -> {
            if (verdict.equals("refused")) {
                refused.add(Long.parseLong(id));
            }
        });
        refused.sort((a, b) -> Long.compare(b, a));
        Browser b = browse(page.toUri() + "#verdict=refused&sort=id&order=desc", "--dump-dom");
        assertEquals(List.of(), b.console());
        List<Long> shown = new ArrayList<>();
        Matcher m = Pattern.compile("<tr data-verdict=\"([a-z0-9-]+)\" id=\"row(\\d+)\"( hidden"
                + "=\"\")?>").matcher(b.out());
        int hidden = 0;
        while (m.find()) {
            if (m.group(3) == null) {
                assertEquals("refused", m.group(1));
                shown.add(Long.parseLong(m.group(2)));
            } else {
                hidden++;
            }
        }
        assertEquals(refused, shown, "the refused connections, highest id first");
        assertEquals(failures.size() - refused.size(), hidden);
    }

    @Test
    void aHostileFileNameIsOnlyText() throws Exception {
        Path hostile = dir.resolve("\"><img src=x onerror=alert(1)><script>alert(2)<.pcap");
        Files.copy(Path.of("sample-pcaps/overflow-reset.pcap"), hostile);
        Path page = page("hostile.html", hostile.toString());
        Browser b = browse(page.toUri().toString(), "--dump-dom");
        assertEquals(List.of(), b.console(), "a script from the name would log or be blocked");
        assertFalse(b.out().contains("<img"), "no element made from the name");
        assertEquals(2, b.out().split("<script", -1).length, "the page's one script");
        assertTrue(b.out().contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;"));
    }

    /** Chromium with {@code args} on demo.pcap's page: it ends well and nothing is logged. */
    private static void demoQuietly(String... args) throws Exception {
        Path page = page("demo-" + args[args.length - 1].hashCode() + ".html",
                "sample-pcaps/demo.pcap");
        Browser b = browse(page.toUri().toString(), args);
        assertEquals(0, b.code());
        assertEquals(List.of(), b.console());
    }

    /** The first screen, as someone opening the file sees it: not blank. */
    @Test
    void theFirstScreenShowsTheReport() throws Exception {
        Path png = dir.resolve("screen.png");
        demoQuietly("--window-size=1280,900", "--screenshot=" + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1280, image.getWidth());
        assertEquals(900, image.getHeight());
        Map<Integer, Integer> colours = new HashMap<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.merge(image.getRGB(x, y), 1, Integer::sum);
            }
        }
        int pixels = (image.getWidth() / 2) * (image.getHeight() / 2);
        int commonest = colours.values().stream().max(Integer::compare).orElse(0);
        assertTrue(colours.size() > 50, "text, chart and colours: " + colours.size()
                + " colours");
        assertTrue(commonest < pixels * 0.95, "mostly one colour: " + commonest + " of "
                + pixels);
        // The chart's bars: each verdict's colour is on the first screen.
        for (int rgb : new int[] {0xd62728, 0xff7f0e, 0x8c564b}) {
            assertTrue(colours.containsKey(0xff000000 | rgb), String.format("colour %06x"
                    + " (a verdict's bars) on the first screen", rgb));
        }
    }

    /** Printed (to PDF, as a browser's Print does): several pages, nothing logged. */
    @Test
    void itPrints() throws Exception {
        Path pdf = dir.resolve("report.pdf");
        demoQuietly("--no-pdf-header-footer", "--print-to-pdf=" + pdf);
        String text = new String(Files.readAllBytes(pdf), StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("%PDF-"), "a PDF");
        int pages = text.split("/Type\\s*/Page[^s]", -1).length - 1;
        assertTrue(pages >= 3, "the summary, the ladders and the table take pages: " + pages);
    }
}
