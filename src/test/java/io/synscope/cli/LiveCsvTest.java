package io.synscope.cli;

import io.synscope.report.CsvReport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code live --format csv -o FILE} on loopback: a row per refused connection, in the file while
 * the capture runs (tail -f). The truth is what each connect() got. Needs root and libpcap.
 */
class LiveCsvTest {
    private static final int REFUSED_CONNECTIONS = 3;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsRootAndLibpcap() throws Exception {
        LiveBadInputTest.assumeLiveCaptureWorks();
    }

    @Test
    void aRowPerConnectionAsItIsDecided() throws Exception {
        int closed = MetricsPrometheusTest.freePort();
        Path csv = dir.resolve("live.csv");
        LiveBadInputTest.Child synscope = LiveBadInputTest.Child.start(LiveBadInputTest.java(
                "live", "-i", "lo", "-f", "tcp port " + closed, "--format", "csv",
                "-o", csv.toString()));
        try {
            synscope.awaitListening();
            int refused = 0;
            for (int i = 0; i < REFUSED_CONNECTIONS; i++) {
                refused += MetricsPrometheusTest.refused(closed) ? 1 : 0;
            }
            assertEquals(REFUSED_CONNECTIONS, refused, "connections refused");
            long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (rows(csv).size() < refused && System.nanoTime() < limit) {
                Thread.sleep(50);
            }
            assertEquals(refused, rows(csv).size(), "rows before the capture ends: "
                    + synscope.err());
        } finally {
            synscope.interrupt();
        }
        assertEquals(ExitCode.INTERRUPTED, synscope.code, synscope.err());
        List<CSVRecord> rows = rows(csv);
        assertEquals(REFUSED_CONNECTIONS, rows.size(), Files.readString(csv));
        for (CSVRecord row : rows) {
            assertEquals("refused", row.get("verdict"), row.toString());
            assertEquals(Integer.toString(closed), row.get("id.resp_p"));
            assertTrue(row.get("wireshark_filter").contains("tcp.dstport==" + closed), row.get(
                    "wireshark_filter"));
        }
    }

    private static List<CSVRecord> rows(Path csv) throws Exception {
        String out = Files.exists(csv) ? Files.readString(csv) : "";
        if (out.isEmpty()) {
            return List.of();
        }
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(out))) {
            assertEquals(List.of(CsvReport.COLUMNS), p.getHeaderNames());
            return p.getRecords();
        }
    }
}
