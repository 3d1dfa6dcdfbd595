package io.synscope.cli;

import io.synscope.report.CsvReport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code live --verdict refused --export FILE} on loopback, without {@code -w}: the listed
 * connections are the refused ones only, though healthy ones ran alongside, and the export,
 * made at the end from live's temporary copy of the capture (removed then), holds their
 * packets and nothing else. The truth is what each connect() got; the packets in the export
 * are counted by tshark. Needs root and libpcap.
 */
class LiveExportTest {
    private static final int REFUSED = 3;
    private static final int HEALTHY = 2;
    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsRootAndLibpcap() throws Exception {
        LiveBadInputTest.assumeLiveCaptureWorks();
    }

    @Test
    void exportsTheSelectedConnectionsFromItsTemporaryCopy() throws Exception {
        int closed = MetricsPrometheusTest.freePort();
        Path csv = dir.resolve("live.csv");
        Path export = dir.resolve("refused.pcap");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> serve(server), "live-export-test-server");
            acceptor.setDaemon(true);
            acceptor.start();
            List<String> cmd = LiveBadInputTest.java("live", "-i", "lo", "-f", "tcp port "
                            + closed + " or tcp port " + server.getLocalPort(), "--format", "csv",
                    "--all", "--verdict", "refused", "--since", "+0s", "--export",
                    export.toString(), "-o", csv.toString());
            cmd.add(1, "-Djava.io.tmpdir=" + tmp);
            LiveBadInputTest.Child synscope = LiveBadInputTest.Child.start(cmd);
            int refused = 0;
            int healthy = 0;
            try {
                synscope.awaitListening();
                for (int i = 0; i < REFUSED; i++) {
                    refused += MetricsPrometheusTest.refused(closed) ? 1 : 0;
                }
                for (int i = 0; i < HEALTHY; i++) {
                    healthy += exchange(server.getLocalPort()) ? 1 : 0;
                }
                long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (rows(csv).size() < refused && System.nanoTime() < limit) {
                    Thread.sleep(50);
                }
                // The healthy ones' closing handshakes, decided too before the end.
                Thread.sleep(500);
            } finally {
                synscope.interrupt();
            }
            assertEquals(REFUSED, refused, "connections refused");
            assertEquals(HEALTHY, healthy, "healthy exchanges");
            assertEquals(ExitCode.INTERRUPTED, synscope.code, synscope.err());
            assertTrue(synscope.err().contains("exported " + 2 * REFUSED + " packets of "
                    + REFUSED + " connections"), synscope.err());
            List<CSVRecord> rows = rows(csv);
            assertEquals(REFUSED, rows.size(), Files.readString(csv));
            for (CSVRecord r : rows) {
                assertEquals("refused", r.get("verdict"));
                assertEquals(String.valueOf(closed), r.get("id.resp_p"));
            }
        }
        // Each refused connect() is a SYN and its RST on loopback.
        if (Files.isExecutable(TSHARK)) {
            assertEquals(2 * REFUSED, tshark(export, null));
            assertEquals(2 * REFUSED, tshark(export, "tcp.port == " + closed));
        }
        BadInputTest.Run again = BadInputTest.run("analyze", export.toString(), "--all",
                "--format", "csv");
        assertEquals(0, again.code(), again.err());
        List<CSVRecord> fromExport = parse(again.out());
        assertEquals(REFUSED, fromExport.size(), again.out());
        fromExport.forEach(r -> assertEquals("refused", r.get("verdict")));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the temporary copy is removed");
        }
    }

    /** Accepts and reads each connection to its end, then closes it: a healthy exchange. */
    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                in.readAllBytes();
            } catch (java.io.IOException e) {
                return;
            }
        }
    }

    private static boolean exchange(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            OutputStream out = s.getOutputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return s.getInputStream().read() == -1;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<CSVRecord> rows(Path csv) throws Exception {
        return Files.exists(csv) ? parse(Files.readString(csv)) : List.of();
    }

    private static List<CSVRecord> parse(String text) throws Exception {
        if (text.isEmpty()) {
            return List.of();
        }
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(text))) {
            assertEquals(List.of(CsvReport.COLUMNS), p.getHeaderNames());
            return p.getRecords();
        }
    }

    private static int tshark(Path file, String filter) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(TSHARK), "tshark is not installed");
        List<String> cmd = new java.util.ArrayList<>(List.of(TSHARK.toString(), "-n", "-r",
                file.toString()));
        if (filter != null) {
            cmd.addAll(List.of("-Y", filter));
        }
        cmd.addAll(List.of("-T", "fields", "-e", "frame.number"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return text.isBlank() ? 0 : text.strip().split("\n").length;
    }
}
