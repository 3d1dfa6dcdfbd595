package io.synscope.kernel;

import io.synscope.testutil.Host;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The instance's life on the real kernel: made at open, gone after close, after Ctrl-C (the
 * shutdown hook), and after a kill -9 (the next open removes what the dead run left); the store
 * capped; and each way tracing cannot work here said in a status, nothing thrown. Needs root
 * and tracefs; skipped elsewhere, saying why.
 */
class TraceLifecycleTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsRootAndTracefs() throws Exception {
        Host.assumeLinuxRoot("a tracefs instance");
        try (TraceEvents t = TraceEvents.open(TraceConfig.defaults(), e -> true)) {
            Assumptions.assumeTrue(t.running(), "tracing cannot run here: " + t.statuses());
        }
    }

    @Test
    void closeRemovesTheInstanceAndStopsTheReader() {
        TraceEvents t = TraceEvents.open(TraceConfig.defaults(), e -> true);
        Path instance = t.instanceDir();
        assertTrue(Files.isDirectory(instance), instance.toString());
        assertTrue(Files.exists(instance.resolve("trace_pipe")));
        assertTrue(t.running());
        long start = System.nanoTime();
        t.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(Files.exists(instance), instance + " removed");
        assertFalse(t.running(), "the reader stopped");
        assertTrue(closeMillis < 2_000, "close took " + closeMillis + " ms");
        t.close();
    }

    @Test
    void ctrlCRemovesTheInstance() throws Exception {
        Process p = probe(List.of());
        Path instance = openedInstance(p);
        assertTrue(Files.isDirectory(instance));
        Host.sh("kill", "-INT", Long.toString(p.pid()));
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the probe exits on SIGINT");
        assertFalse(Files.exists(instance), "the shutdown hook removed " + instance);
    }

    @Test
    void anInstanceLeftByAKilledRunIsRemovedByTheNextOpen() throws Exception {
        Process p = probe(List.of());
        Path instance = openedInstance(p);
        p.destroyForcibly();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertTrue(Files.isDirectory(instance), "kill -9 left " + instance);
        try (TraceEvents t = TraceEvents.open(TraceConfig.defaults(), e -> true)) {
            assertFalse(Files.exists(instance), "the next open removed " + instance);
            assertTrue(t.statuses().get(0).why().contains(instance.getFileName().toString()),
                    "and said so: " + t.statuses());
        }
    }

    @Test
    void withoutPermissionTracingSaysWhyAndNothingThrows() throws Exception {
        Process p = probe(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"));
        List<String> said = lines(p);
        p.getOutputStream().close();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said.toString());
        assertEquals("NONE", said.get(0), said.toString());
        assertTrue(said.get(1).startsWith("tracefs: unavailable: no permission"), said.toString());
    }

    @Test
    void noTracefsWhereItIsLookedForIsOneStatus() throws IOException {
        Files.writeString(dir.resolve("not-tracefs"), "x");
        for (Path where : List.of(dir.resolve("nosuch"), dir)) {
            TraceEvents t = TraceEvents.open(TraceConfig.defaults().withTracefs(where), e -> true);
            assertFalse(t.running());
            assertEquals(1, t.statuses().size(), t.statuses().toString());
            assertFalse(t.statuses().get(0).available());
            assertTrue(t.statuses().get(0).why().contains(where.toString()), t.statuses().toString());
            assertEquals(0, t.drainTo(new ArrayList<>()));
            t.close();
        }
    }

    @Test
    void anEventThisKernelLacksIsOneStatusAndTheOthersWork() throws Exception {
        List<String> events = new ArrayList<>(TraceConfig.EVENTS);
        events.add(0, "tcp/tcp_no_such_event");
        int port = closedLoopbackPort();
        try (TraceEvents t = TraceEvents.open(TraceConfig.defaults().withEvents(events),
                e -> e.srcPort() == port)) {
            List<TraceStatus> missing = t.statuses().stream()
                    .filter(s -> s.source().equals("tcp:tcp_no_such_event")).toList();
            assertEquals(1, missing.size(), t.statuses().toString());
            assertFalse(missing.get(0).available());
            assertTrue(missing.get(0).why().contains("not in this kernel"), missing.toString());
            assertTrue(t.statuses().stream().anyMatch(s -> s.available()
                    && s.source().equals("tcp:tcp_send_reset")), t.statuses().toString());
            refuse(port, 1);
            awaitKept(t, 1);
            List<KernelEvent> kept = new ArrayList<>();
            t.drainTo(kept);
            assertEquals(1, kept.size(), t.describeCounts());
            assertEquals("NO_SOCKET", kept.get(0).reason());
        }
    }

    /**
     * Resets to a closed loopback port (the kernel answers each SYN with a NO_SOCKET reset):
     * the store keeps {@code maxEvents}, counts the rest, and the filter counts what it left.
     */
    @Test
    void theStoreIsCappedAndTheRestCounted() throws Exception {
        int port = closedLoopbackPort();
        int resets = 20;
        int cap = 5;
        TraceEvents t = TraceEvents.open(TraceConfig.defaults().withMaxEvents(cap),
                e -> e.srcPort() == port || e.dstPort() == port);
        refuse(port, resets);
        awaitKept(t, resets);
        t.close();
        TraceCounts c = t.counts();
        assertEquals(cap, c.kept(), t.describeCounts());
        assertEquals(resets - cap, c.overCap(), t.describeCounts());
        List<KernelEvent> kept = new ArrayList<>();
        assertEquals(cap, t.drainTo(kept));
        for (KernelEvent e : kept) {
            assertEquals("NO_SOCKET", e.reason(), e.describe());
            assertEquals(port, e.srcPort());
            assertEquals(InetAddress.getLoopbackAddress(), e.src());
        }
    }

    /** A loopback port nothing listens on (it did a moment ago, which proves it is free). */
    private static int closedLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code n} connects to a closed loopback port: the kernel resets each SYN. */
    private static void refuse(int port, int n) {
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            } catch (IOException refused) {
                // Connection refused: the reset came.
            }
        }
    }

    /** Waits (up to 5 s) until {@code n} events were kept or went over the cap. */
    private static void awaitKept(TraceEvents t, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.counts().kept() + t.counts().overCap() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static Process probe(List<String> prefix) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Only the build's own classes: a user without access to the Maven repository can run it.
        String cp = String.join(File.pathSeparator, Stream.of(
                System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith("classes")).toList());
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "-cp", cp, TraceProbe.class.getName()));
        return new ProcessBuilder(cmd).directory(new File("/"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Path openedInstance(Process p) throws IOException {
        List<String> said = lines(p);
        assertTrue(said.get(0).startsWith("OPEN "), said.toString());
        return Path.of(said.get(0).substring("OPEN ".length()));
    }

    /** The probe's lines up to END. */
    private static List<String> lines(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        String line;
        while ((line = r.readLine()) != null && !line.equals("END")) {
            out.add(line);
        }
        return out;
    }
}
