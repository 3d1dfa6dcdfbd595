package io.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code synscope live --metrics} scraped by a real Prometheus server (the Debian package
 * {@code prometheus}, which .ci/run installs): the test makes connections on loopback, some to a
 * listener of its own (each accepted, then closed both ways: ok) and some to a port nothing
 * listens on (each refused, as {@code connect} said), while synscope captures them; Prometheus,
 * started by the test with a 1 s scrape interval, then answers queries through its HTTP API with
 * those counts under each port's series. {@code promtool check metrics} accepts the page.
 * Capturing needs root; skipped, saying why, without it or without the package.
 */
class MetricsPrometheusTest {
    private static final int OK_CONNECTIONS = 5;
    private static final int REFUSED_CONNECTIONS = 3;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void needsRootLibpcapAndPrometheus() throws Exception {
        LiveBadInputTest.assumeLiveCaptureWorks();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prometheus"))
                        && Files.isExecutable(Path.of("/usr/bin/promtool")),
                "the Debian package prometheus is not installed (.ci/run installs it:"
                        + " apt-get install prometheus)");
    }

    /** Below net.core.somaxconn (4096 by default), so the listener's own. */
    private static final int BACKLOG = 50;

    @Test
    void prometheusScrapesEachListenersConnectionsAsTheyHappened() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, BACKLOG,
                InetAddress.getLoopbackAddress())) {
            int open = listener.getLocalPort();
            int closed = freePort();
            Thread server = serve(listener, OK_CONNECTIONS);
            LiveBadInputTest.Child synscope = LiveBadInputTest.Child.start(
                    // The selection narrows what is printed, never what is counted.
                    LiveBadInputTest.java("live", "-i", "lo", "-f", "tcp port " + open
                            + " or tcp port " + closed, "--verdict", "refused", "--metrics",
                            "127.0.0.1:0"));
            Process prometheus = null;
            try {
                synscope.awaitListening();
                Matcher m = Pattern.compile("serving metrics on http://(127\\.0\\.0\\.1:\\d+)/metrics")
                        .matcher(synscope.err());
                assertTrue(m.find(), synscope.err());
                String target = m.group(1);

                // The ground truth: what each connect() returned.
                int ok = 0;
                int refused = 0;
                for (int i = 0; i < OK_CONNECTIONS; i++) {
                    ok += exchange(open) ? 1 : 0;
                }
                for (int i = 0; i < REFUSED_CONNECTIONS; i++) {
                    refused += refused(closed) ? 1 : 0;
                }
                server.join(10_000);
                assertEquals(OK_CONNECTIONS, ok, "connections to the listener that worked");
                assertEquals(REFUSED_CONNECTIONS, refused, "connections refused");

                String page = get("http://" + target + "/metrics");
                promtool(page);

                int webPort = freePort();
                prometheus = startPrometheus(target, webPort);
                String api = "http://127.0.0.1:" + webPort;
                awaitReady(api, prometheus);
                awaitValue(api, "synscope_connections_total{job=\"synscope\",port=\"" + open
                        + "\",verdict=\"ok\",outcome=\"ok\",ip=\"127.0.0.1\"}", ok);
                awaitValue(api, "synscope_connections_total{job=\"synscope\",port=\"" + closed
                        + "\",verdict=\"refused\",outcome=\"failed\",ip=\"127.0.0.1\"}", refused);
                awaitValue(api, "count(synscope_connections_total{job=\"synscope\"})", 2);
                awaitValue(api, "synscope_build_info{job=\"synscope\",version=\""
                        + Main.version() + "\"}", 1);
                // Every packet of those connections was read: at least SYN and RST of each
                // refused one, and SYN, SYN-ACK, ACK and a FIN each way of each ok one.
                double packets = awaitPresent(api,
                        "synscope_capture_tcp_segments_total{job=\"synscope\"}");
                assertTrue(packets >= 2 * refused + 5 * ok, packets + " TCP segments");
                awaitValue(api, "synscope_capture_dropped_packets_total{job=\"synscope\","
                        + "by=\"kernel\"}", 0);
                // The kernel's own figures: the backlog this test's listener asked for.
                awaitValue(api, "synscope_listen_queue_backlog{job=\"synscope\","
                        + "ip=\"127.0.0.1\",port=\"" + open + "\"}", BACKLOG);
                awaitPresent(api, "synscope_kernel_tcp_stat_total{job=\"synscope\","
                        + "name=\"ListenOverflows\"}");
            } finally {
                if (prometheus != null) {
                    prometheus.destroy();
                    if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                        prometheus.destroyForcibly();
                    }
                }
                synscope.interrupt();
            }
            assertEquals(ExitCode.INTERRUPTED, synscope.code, synscope.err() + synscope.out());
        }
    }

    /**
     * With {@code --netns}, the capture is in that namespace and the endpoint in synscope's own:
     * connections refused inside a namespace of the test's (bash's {@code /dev/tcp} says so) are
     * counted on a page this namespace reaches.
     */
    @Test
    void withNetnsTheEndpointIsInSynscopesOwnNamespace() throws Exception {
        String ns = "ssmt-" + ProcessHandle.current().pid();
        Assumptions.assumeTrue(LiveBadInputTest.run(List.of("ip", "netns", "add", ns)) == 0, "could not make a namespace");
        try {
            assertEquals(0, LiveBadInputTest.run(List.of("ip", "-n", ns, "link", "set", "lo", "up")));
            LiveBadInputTest.Child synscope = LiveBadInputTest.Child.start(
                    LiveBadInputTest.java("live", "--netns", ns, "-i", "lo", "-f", "tcp port 9",
                            "--metrics", "127.0.0.1:0"));
            try {
                synscope.awaitListening();
                Matcher m = Pattern.compile("serving metrics on http://(127\\.0\\.0\\.1:\\d+)/")
                        .matcher(synscope.err());
                assertTrue(m.find(), synscope.err());
                int refused = 0;
                for (int i = 0; i < REFUSED_CONNECTIONS; i++) {
                    // bash prints "Connection refused" and fails the redirection when it is.
                    Process p = new ProcessBuilder("ip", "netns", "exec", ns, "bash", "-c",
                            "exec 3<>/dev/tcp/127.0.0.1/9").redirectErrorStream(true).start();
                    String said = new String(p.getInputStream().readAllBytes(),
                            StandardCharsets.UTF_8);
                    p.waitFor(10, TimeUnit.SECONDS);
                    refused += said.contains("Connection refused") ? 1 : 0;
                }
                assertEquals(REFUSED_CONNECTIONS, refused);
                String series = "synscope_connections_total{ip=\"127.0.0.1\",outcome=\"failed\","
                        + "port=\"9\",verdict=\"refused\"} " + (double) refused;
                long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String page = get("http://" + m.group(1) + "/metrics");
                while (!page.contains(series) && System.nanoTime() < limit) {
                    Thread.sleep(100);
                    page = get("http://" + m.group(1) + "/metrics");
                }
                assertTrue(page.contains(series), page);
            } finally {
                synscope.interrupt();
            }
            assertEquals(ExitCode.INTERRUPTED, synscope.code, synscope.err());
        } finally {
            LiveBadInputTest.run(List.of("ip", "netns", "del", ns));
        }
    }

    /** Accepts {@code n} connections on its own thread; reads each to its end, then closes. */
    static Thread serve(ServerSocket listener, int n) {
        Thread t = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                    in.readAllBytes();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Connects, sends a line, closes: true if it connected and wrote. */
    static boolean exchange(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            OutputStream out = s.getOutputStream();
            out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput();
            // Wait for the server's close, so that both sides close cleanly (no RST).
            s.getInputStream().readAllBytes();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port nothing listens on now (the kernel's pick, released). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void promtool(String page) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(page.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not end");
        assertEquals(0, p.exitValue(), "promtool check metrics: " + said + "\n" + page);
    }

    private Process startPrometheus(String target, int webPort) throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: synscope",
                "    static_configs:",
                "      - targets: ['" + target + "']",
                ""));
        return new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + webPort)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
    }

    private void awaitReady(String api, Process prometheus) throws Exception {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < limit) {
            if (!prometheus.isAlive()) {
                throw new AssertionError("prometheus exited: " + log());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(api + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("prometheus not ready after 30 s: " + log());
    }

    /** Waits until {@code query} gives one series with value {@code expected}. */
    private void awaitValue(String api, String query, double expected) throws Exception {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode last = null;
        while (System.nanoTime() < limit) {
            last = query(api, query);
            if (last.size() == 1 && last.get(0).path("value").get(1).asDouble() == expected) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(query + ": expected one series of value " + expected
                + ", Prometheus says " + last + "\n" + log());
    }

    /** Waits until {@code query} gives one series; returns its value. */
    private double awaitPresent(String api, String query) throws Exception {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < limit) {
            JsonNode result = query(api, query);
            if (result.size() == 1) {
                return result.get(0).path("value").get(1).asDouble();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(query + ": no series\n" + log());
    }

    /** An instant query through Prometheus's HTTP API; its {@code data.result}. */
    private static JsonNode query(String api, String query) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api
                        + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("success", body.path("status").asText(), query + ": " + r.body());
        return body.path("data").path("result");
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    private String log() throws IOException {
        Path log = dir.resolve("prometheus.log");
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
