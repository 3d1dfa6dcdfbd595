package io.synscope.cli;

import io.synscope.testutil.CaptureFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input ends with one clear line naming the file (and the offset where there is
 * one), a distinct exit code, and never a stack trace.
 */
class BadInputTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat ") || r.out().contains("\tat "),
                "stack trace printed:\n" + r.err());
    }

    @Test
    void missingFile() {
        Run r = run("analyze", dir.resolve("nope.pcap").toString());
        assertEquals(ExitCode.NOT_FOUND, r.code());
        assertTrue(r.err().contains("nope.pcap"), r.err());
        assertNoStackTrace(r);
    }

    /** A name with terminal escape sequences is printed with them made visible, never raw. */
    @Test
    void hostileFileNamesArePrintedEscaped() throws Exception {
        String hostile = "x\u001b[2J\u001b]0;owned\u0007\u202e.pcap";
        Run missing = run("analyze", dir.resolve(hostile).toString());
        assertEquals(ExitCode.NOT_FOUND, missing.code());
        assertTrue(missing.err().contains("x\\x1b[2J\\x1b]0;owned\\x07\\u202e.pcap"),
                missing.err());
        Path copy = Files.copy(Path.of("sample-pcaps", "demo.pcap"), dir.resolve(hostile));
        Run report = run("analyze", copy.toString(), "--color", "never");
        assertEquals(ExitCode.OK, report.code(), report.err());
        for (String text : new String[] {missing.err(), report.out()}) {
            assertFalse(text.contains("\u001b") || text.contains("\u0007")
                    || text.contains("\u202e"), "raw control characters printed");
        }
        assertTrue(report.out().contains("x\\x1b[2J"), report.out());
    }

    @Test
    void emptyFile() throws Exception {
        Path f = Files.createFile(dir.resolve("empty.pcap"));
        Run r = run("analyze", f.toString());
        assertEquals(ExitCode.EMPTY, r.code());
        assertTrue(r.err().contains("empty.pcap"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void notACapture() throws Exception {
        Path f = Files.writeString(dir.resolve("notes.txt"), "hello, this is text\n");
        Run r = run("analyze", f.toString());
        assertEquals(ExitCode.NOT_A_CAPTURE, r.code());
        assertTrue(r.err().contains("notes.txt") && r.err().contains("offset 0"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void corruptPcapngBlockLength() throws Exception {
        byte[] good = CaptureFiles.pcapng().section(java.nio.ByteOrder.LITTLE_ENDIAN)
                .iface(CaptureFiles.LINKTYPE_ETHERNET)
                .epb(new CaptureFiles.Frame(new byte[60], 1_000_000_000L)).toBytes();
        // The last block's leading length (right after the 28-byte SHB and 20-byte IDB) is made odd.
        byte[] bad = Arrays.copyOf(good, good.length);
        int epb = indexOfBlock(bad, 6);
        bad[epb + 4] = (byte) 0x0D;
        Path f = CaptureFiles.write(dir.resolve("corrupt.pcapng"), bad);
        Run r = run("analyze", f.toString());
        assertEquals(ExitCode.CORRUPT, r.code(), r.err());
        assertTrue(r.err().contains("corrupt.pcapng") && r.err().contains("offset " + epb),
                r.err());
        assertNoStackTrace(r);
    }

    /** Offset of the first little-endian pcapng block of {@code type}. */
    private static int indexOfBlock(byte[] bytes, int type) {
        int off = 0;
        while (off + 8 <= bytes.length) {
            int t = (bytes[off] & 0xFF) | (bytes[off + 1] & 0xFF) << 8;
            int len = (bytes[off + 4] & 0xFF) | (bytes[off + 5] & 0xFF) << 8
                    | (bytes[off + 6] & 0xFF) << 16;
            if (t == type) {
                return off;
            }
            off += len;
        }
        throw new AssertionError("no block of type " + type);
    }

    @Test
    void unsupportedLinkType() throws Exception {
        Path f = CaptureFiles.pcap().linkType(147)
                .frame(new byte[40], 1_000_000_000L).frame(new byte[40], 2_000_000_000L)
                .write(dir.resolve("user0.pcap"));
        Run r = run("analyze", f.toString());
        assertEquals(ExitCode.UNSUPPORTED_LINK_TYPE, r.code());
        assertTrue(r.err().contains("user0.pcap") && r.err().contains("147"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void truncatedLastRecordIsAnalysedUpToTheCutWithAWarning() throws Exception {
        byte[] whole = CaptureFiles.pcap().frame(new byte[60], 1_000_000_000L)
                .frame(new byte[60], 2_000_000_000L).toBytes();
        Path f = CaptureFiles.write(dir.resolve("cut.pcap"),
                Arrays.copyOf(whole, whole.length - 20));
        Run r = run("analyze", "--format", "json", f.toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("cut short"), r.err());
        assertTrue(r.out().contains("\"packets\":1"), r.out());
        assertNoStackTrace(r);
    }

    @Test
    void unwritableOutput() throws Exception {
        Path f = CaptureFiles.pcap().frame(new byte[60], 1_000_000_000L)
                .write(dir.resolve("one.pcap"));
        Run r = run("analyze", f.toString(), "-o", dir.resolve("no/such/dir/out.txt").toString());
        assertEquals(ExitCode.IO_ERROR, r.code());
        assertTrue(r.err().contains("out.txt"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void badOptionIsAUsageError() {
        Run r = run("analyze", "--format", "xml", "x.pcap");
        assertEquals(ExitCode.USAGE, r.code());
        assertNoStackTrace(r);
    }

    @Test
    void versionAndHelp() {
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("synscope "), v.out());
        Run h = run("analyze", "--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("--format"), h.out());
    }

    @Test
    void corruptionPartWayIsReportedUpToTheDamageThenExitsCorrupt() throws Exception {
        byte[] good = CaptureFiles.pcap().frame(new byte[60], 1_000_000_000L)
                .frame(new byte[60], 2_000_000_000L).toBytes();
        // A third record header whose captured length is absurd (0x7fffffff).
        byte[] bad = Arrays.copyOf(good, good.length + 16);
        int at = good.length;
        bad[at + 8] = (byte) 0xff;
        bad[at + 9] = (byte) 0xff;
        bad[at + 10] = (byte) 0xff;
        bad[at + 11] = (byte) 0x7f;
        Path f = CaptureFiles.write(dir.resolve("damaged.pcap"), bad);
        Run r = run("analyze", "--format", "json", f.toString());
        assertEquals(ExitCode.CORRUPT, r.code(), r.err());
        assertTrue(r.err().contains("damaged.pcap") && r.err().contains("offset " + at), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(2, doc.get("capture").get("packets").asLong(), "the report covers the 2 frames");
        assertTrue(doc.get("capture").get("warnings").toString().contains("analysed the 2 frames"));
        assertNoStackTrace(r);
    }
}
