package io.synscope.cli;

import io.synscope.testutil.Host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code synscope live} when it cannot capture, or stops capturing: each case ends with one
 * clear line and its own exit code, never a stack trace; and it stops by itself as asked
 * ({@code --count}, {@code --duration}). Real libpcap and real interfaces: loopback, and a veth
 * pair in a network namespace of the test's own, deleted at the end. Capturing needs root, so
 * without it every test here is skipped, saying so.
 */
class LiveBadInputTest {
    private static final String NS = "sslt-" + ProcessHandle.current().pid();
    private static boolean namespace;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsRootAndLibpcap() throws Exception {
        Host.assumeLinuxRoot("live capture");
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8"))
                        || Files.exists(Path.of("/usr/lib/libpcap.so.1"))
                        || Files.exists(Path.of("/usr/lib64/libpcap.so.1")),
                "libpcap is not installed (.ci/run installs libpcap0.8)");
        namespace = run(List.of("ip", "netns", "add", NS)) == 0
                && run(List.of("ip", "-n", NS, "link", "add", "vlt0", "type", "veth", "peer",
                "name", "vlt1")) == 0
                && run(List.of("ip", "-n", NS, "link", "set", "vlt0", "up")) == 0
                && run(List.of("ip", "-n", NS, "link", "set", "vlt1", "up")) == 0;
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (namespace) {
            run(List.of("ip", "netns", "del", NS));
        }
    }

    @Test
    void noSuchInterfaceListsTheOnesThatExist() {
        BadInputTest.Run r = BadInputTest.run("live", "-i", "nosuch0", "--duration", "1");
        assertEquals(ExitCode.NO_SUCH_INTERFACE, r.code(), r.err());
        assertTrue(r.err().contains("nosuch0") && r.err().contains("interfaces here:")
                && r.err().contains("lo"), r.err());
        assertOneLine(r);
    }

    @Test
    void aFilterLibpcapRejectsIsReportedInItsWords() {
        BadInputTest.Run r = BadInputTest.run("live", "-i", "lo", "-f", "tcp port", "--duration",
                "1");
        assertEquals(ExitCode.BAD_FILTER, r.code(), r.err());
        assertTrue(r.err().contains("'tcp port'") && r.err().contains("syntax error"), r.err());
        assertOneLine(r);
    }

    @Test
    void noSuchNamespaceListsTheNamedOnes() {
        BadInputTest.Run r = BadInputTest.run("live", "--netns", "nosuch-ns", "-i", "lo");
        assertEquals(ExitCode.NO_SUCH_NAMESPACE, r.code(), r.err());
        assertTrue(r.err().contains("nosuch-ns") && r.err().contains("/proc/PID/ns/net"),
                r.err());
        assertOneLine(r);
    }

    @Test
    void anUnwritableCaptureFileIsNamed() {
        String file = dir.resolve("no/such/dir/x.pcap").toString();
        BadInputTest.Run r = BadInputTest.run("live", "-i", "lo", "-w", file, "--duration", "1");
        assertEquals(ExitCode.IO_ERROR, r.code(), r.err());
        assertTrue(r.err().contains(file), r.err());
        assertOneLine(r);
    }

    @Test
    void outOfRangeOptionsAreUsageErrors() {
        BadInputTest.Run r = BadInputTest.run("live", "-i", "lo", "--snaplen", "10");
        assertEquals(ExitCode.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--snaplen"), r.err());
    }

    /** Root without CAP_NET_RAW and CAP_NET_ADMIN, as an unprivileged user is. */
    @Test
    void withoutCaptureCapabilitiesItSaysWhatToRun() throws Exception {
        Assumptions.assumeTrue(run(List.of("setpriv", "--version")) == 0, "no setpriv here");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--inh-caps=-all",
                "--bounding-set=-net_raw,-net_admin"));
        cmd.addAll(java("live", "-i", "lo", "--duration", "1"));
        Child c = Child.start(cmd);
        c.waitFor();
        assertEquals(ExitCode.PERMISSION, c.code, c.err());
        assertTrue(c.err().contains("sudo") && c.err().contains("setcap cap_net_raw,cap_net_admin"),
                c.err());
        assertFalse(c.err().contains("\tat "), c.err());
    }

    @Test
    void withoutLibpcapItSaysWhatToInstall() throws Exception {
        // pcap4j loads the library named by this property: a missing one is a missing libpcap.
        List<String> cmd = java("live", "-i", "lo", "--duration", "1");
        cmd.add(1, "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8");
        Child c = Child.start(cmd);
        c.waitFor();
        assertEquals(ExitCode.NO_LIBPCAP, c.code, c.err());
        assertTrue(c.err().contains("apt-get install libpcap0.8"), c.err());
        assertFalse(c.err().contains("\tat "), c.err());
    }

    @Test
    void countAndDurationEndTheCaptureWithTheReport() throws Exception {
        Child c = Child.start(java("live", "-i", "lo", "-f", "tcp port 9", "-c", "2",
                "--duration", "20", "--format", "json"));
        c.awaitListening();
        refusedConnection();
        c.waitFor();
        assertEquals(ExitCode.OK, c.code, c.err());
        JsonNode doc = new ObjectMapper().readTree(c.out());
        assertEquals(2, doc.path("capture").path("packets").asInt(), c.out());
        assertEquals("refused", doc.path("connections").path(0).path("verdict").asText(),
                c.out());

        long start = System.nanoTime();
        Child quiet = Child.start(java("live", "-i", "lo", "-f", "tcp port 9", "--duration", "2"));
        quiet.waitFor();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(ExitCode.OK, quiet.code, quiet.err());
        assertTrue(quiet.out().contains("no TCP connections"), quiet.out());
        assertTrue(seconds >= 2 && seconds < 15, seconds + " s");
    }

    @Test
    void aNamespacesInterfacesAreListedFromInsideIt() throws Exception {
        Assumptions.assumeTrue(namespace, "could not make a network namespace");
        Child c = Child.start(java("live", "--netns", NS, "--list-interfaces"));
        c.waitFor();
        assertEquals(ExitCode.OK, c.code, c.err());
        assertTrue(c.out().contains("vlt0") && c.out().contains("vlt1"), c.out());
    }

    /** The interface is deleted mid-capture: the report of what came before, then exit 25. */
    @Test
    void anInterfaceThatGoesAwayEndsWithTheReportAndItsOwnCode() throws Exception {
        Assumptions.assumeTrue(namespace, "could not make a network namespace");
        Child c = Child.start(java("live", "--netns", NS, "-i", "vlt0", "--format", "ndjson"));
        c.awaitListening();
        assertEquals(0, run(List.of("ip", "-n", NS, "link", "del", "vlt0")));
        c.waitFor();
        assertEquals(ExitCode.INTERFACE_GONE, c.code, c.err());
        String[] lines = c.out().strip().split("\n");
        JsonNode end = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("end", end.path("type").asText(), c.out());
        assertTrue(c.err().contains("vlt0"), c.err());
        assertFalse(c.err().contains("\tat "), c.err());
        // Put it back for the other tests.
        run(List.of("ip", "-n", NS, "link", "add", "vlt0", "type", "veth", "peer", "name",
                "vlt1"));
    }

    private static void assertOneLine(BadInputTest.Run r) {
        assertEquals(1, r.err().strip().lines().count(), "one line:\n" + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    /** A connection to port 9 on loopback, which nothing listens on: SYN, RST. */
    private static void refusedConnection() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 9), 1000);
        } catch (ConnectException expected) {
            // Refused, as meant.
        }
    }

    static List<String> java(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** A child synscope whose stdout and stderr are collected as they come. */
    static final class Child {
        final Process process;
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        int code = -1;
        private final Thread outReader;
        private final Thread errReader;

        private Child(Process process) {
            this.process = process;
            outReader = drain(process.getInputStream(), out);
            errReader = drain(process.getErrorStream(), err);
        }

        static Child start(List<String> cmd) throws IOException {
            return new Child(new ProcessBuilder(cmd).start());
        }

        private static Thread drain(java.io.InputStream in, StringWriter to) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in,
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (to) {
                            to.write(line + "\n");
                        }
                    }
                } catch (IOException e) {
                    // Ended.
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        void awaitListening() throws InterruptedException {
            long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!err().contains("listening on")) {
                if (System.nanoTime() > limit || !process.isAlive()) {
                    throw new AssertionError("synscope live did not start: " + err());
                }
                Thread.sleep(20);
            }
        }

        void waitFor() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("synscope live did not end: " + err());
            }
            outReader.join(5000);
            errReader.join(5000);
            code = process.exitValue();
        }

        String out() {
            synchronized (out) {
                return out.toString();
            }
        }

        String err() {
            synchronized (err) {
                return err.toString();
            }
        }
    }
}
