package io.synscope.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How far reading has got, for the progress bar: the file's bytes as stored, every file's for
 * several; the sizes are the files' own on disk.
 */
class BytesReadTest {
    private static final Path DEMO = Path.of("sample-pcaps", "demo.pcap");

    @TempDir
    Path dir;

    @Test
    void aFileIsReadToItsSize() throws Exception {
        long size = Files.size(DEMO);
        try (PacketSource s = Captures.open(DEMO.toString())) {
            assertEquals(size, s.totalBytes());
            assertTrue(s.bytesRead() > 0 && s.bytesRead() <= size, "the header is read");
            readAll(s);
            assertEquals(size, s.bytesRead());
        }
    }

    @Test
    void aGzipFileCountsItsCompressedBytes() throws Exception {
        Path gz = gzip(DEMO, dir.resolve("demo.pcap.gz"));
        try (PacketSource s = Captures.open(gz.toString())) {
            assertEquals(Files.size(gz), s.totalBytes());
            readAll(s);
            assertEquals(Files.size(gz), s.bytesRead());
        }
    }

    @Test
    void severalFilesCountTogether() throws Exception {
        Path gz = gzip(DEMO, dir.resolve("demo.pcap.gz"));
        Path ok = Path.of("sample-pcaps", "ok.pcap");
        try (PacketSource s = MergedSource.open(List.of(ok.toString(), gz.toString()))) {
            long total = Files.size(gz) + Files.size(ok);
            assertEquals(total, s.totalBytes());
            assertEquals(0, s.bytesRead(), "nothing read before the first frame");
            RawPacket raw = new RawPacket();
            assertTrue(s.next(raw));
            assertTrue(s.bytesRead() > 0 && s.bytesRead() < total, s.bytesRead() + " of " + total);
            readAll(s);
            assertEquals(total, s.bytesRead());
        }
    }

    @Test
    void aStreamHasNoSize() throws Exception {
        try (PacketSource s = Captures.open("stream", Files.newInputStream(DEMO))) {
            readAll(s);
            assertEquals(-1, s.totalBytes());
            assertEquals(-1, s.bytesRead());
        }
    }

    private static void readAll(PacketSource s) throws CaptureException {
        RawPacket raw = new RawPacket();
        while (s.next(raw)) {
            // read on
        }
    }

    private static Path gzip(Path from, Path to) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(Files.readAllBytes(from));
        }
        return Files.write(to, bytes.toByteArray());
    }
}
