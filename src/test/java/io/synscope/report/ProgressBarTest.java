package io.synscope.report;

import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The progress bar's rules, on a clock and a source the test moves by hand: a large file at
 * once, a small one only once reading has taken two seconds, a redraw at most every 200 ms, and
 * nothing left on the line at the end.
 */
class ProgressBarTest {
    private static final String ERASE = "\r\u001b[K";

    /** A source that says how far it is, as the test sets it. */
    private static final class Sized implements PacketSource {
        final long total;
        long read;

        Sized(long total) {
            this.total = total;
        }

        @Override
        public boolean next(RawPacket into) {
            return false;
        }

        @Override
        public long bytesRead() {
            return read;
        }

        @Override
        public long totalBytes() {
            return total;
        }

        @Override
        public String name() {
            return "test";
        }

        @Override
        public String format() {
            return "pcap";
        }

        @Override
        public List<String> warnings() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    /** What the bar writes, and the clock it reads, which the test moves. */
    private final StringWriter err = new StringWriter();
    private final long[] now = {1_000};
    private final ProgressBar bar = new ProgressBar(new PrintWriter(err), () -> now[0]);

    @Test
    void aLargeFileShowsAtOnceAtMostFiveTimesASecondAndIsErasedAtTheEnd() {
        Sized source = new Sized(400_000_000L);
        int draws = 0;
        for (int step = 1; step <= 100; step++) {
            now[0] += 20_000_000; // 20 ms of reading between the analyser's calls
            source.read = step * 4_000_000L;
            bar.read(source, step * 40_960L);
            draws = count(err.toString(), ERASE);
        }
        // Two seconds of reading: ten draws, one per 200 ms.
        assertEquals(10, draws, err.toString());
        String lastLine = err.toString().substring(err.toString().lastIndexOf(ERASE));
        assertTrue(lastLine.contains("400.0 MB of 400.0 MB") || lastLine.contains("MB of 400.0 MB"),
                lastLine);
        bar.done();
        assertTrue(err.toString().endsWith(ERASE), "the line is left empty for the report");
    }

    @Test
    void aSmallFileShowsOnlyOnceReadingTakesTwoSeconds() {
        Sized source = new Sized(50_000_000L);
        for (int step = 1; step <= 19; step++) {
            now[0] += 100_000_000;
            source.read = step * 2_000_000L;
            bar.read(source, step * 1000L);
        }
        assertEquals("", err.toString(), "1.9 s: nothing yet");
        bar.done();
        assertEquals("", err.toString(), "nothing shown, nothing to erase");
        now[0] += 200_000_000;
        bar.read(source, 20_000);
        assertTrue(err.toString().startsWith(ERASE + "reading ["), err.toString());
    }

    @Test
    void aSourceWithoutASizeShowsNothing() {
        Sized pipe = new Sized(-1);
        for (int step = 1; step <= 50; step++) {
            now[0] += 1_000_000_000L;
            bar.read(pipe, step * 4096L);
        }
        assertEquals("", err.toString());
    }

    @Test
    void theLineSaysBytesRateAndTimeLeft() {
        // A quarter of 4 GB in 10 s at 1,000,000 packets: 30 s left at the same pace.
        String line = ProgressBar.line(1_000_000_000L, 4_000_000_000L, 10_000_000L,
                10_000_000_000L);
        assertEquals("reading [█████░░░░░░░░░░░░░░░] 25%  1.0 GB of 4.0 GB · 1,000,000 packets/s"
                + " · 30 s left", line);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
