package io.synscope.report;

import io.synscope.capture.PacketSource;
import io.synscope.diagnose.FixedPoint;
import io.synscope.pipeline.Analyzer;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A progress bar for reading a large capture, drawn in place on a terminal's stderr: bytes read
 * of the total (every file's, for several), packets per second, and the time left. Shown only
 * for a read that is worth watching (a file over {@link #SHOW_AT_ONCE_BYTES}, or one still
 * going after {@link #SHOW_AFTER_NANOS}), redrawn at most every {@link #DRAW_EVERY_NANOS}, and
 * erased when reading ends, before the report. The caller decides it is a terminal.
 *
 * <p>Costs nothing per packet: the analyser calls {@link #read} every few thousand frames, and
 * that looks at the clock only.
 */
public final class ProgressBar implements Analyzer.Progress {
    static final long SHOW_AT_ONCE_BYTES = 100_000_000L;
    static final long SHOW_AFTER_NANOS = 2_000_000_000L;
    static final long DRAW_EVERY_NANOS = 200_000_000L;
    private static final int BAR_CHARS = 20;
    private static final String ERASE_LINE = "\r\u001b[K";

    private final PrintWriter terminal;
    private final LongSupplier clock;
    private final long startNanos;
    private long nextDrawNanos;
    private boolean shown;

    /** @param terminal stderr, known to be a terminal */
    public ProgressBar(PrintWriter terminal) {
        this(terminal, System::nanoTime);
    }

    ProgressBar(PrintWriter terminal, LongSupplier clock) {
        this.terminal = terminal;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.nextDrawNanos = startNanos;
    }

    @Override
    public void read(PacketSource source, long frames) {
        long now = clock.getAsLong();
        if (now - nextDrawNanos < 0) {
            return;
        }
        nextDrawNanos = now + DRAW_EVERY_NANOS;
        long total = source.totalBytes();
        long read = source.bytesRead();
        if (total <= 0 || read < 0
                || !shown && total < SHOW_AT_ONCE_BYTES && now - startNanos < SHOW_AFTER_NANOS) {
            return;
        }
        shown = true;
        terminal.print(ERASE_LINE + line(Math.min(read, total), total, frames, now - startNanos));
        terminal.flush();
    }

    @Override
    public void done() {
        if (shown) {
            terminal.print(ERASE_LINE);
            terminal.flush();
            shown = false;
        }
    }

    /** "[██████░░░░░░░░░░░░░░]  31%  1.2 GB of 3.9 GB · 812,345 packets/s · 1m 02.4s left". */
    static String line(long read, long total, long frames, long elapsedNanos) {
        int filled = (int) (BAR_CHARS * (double) read / total);
        StringBuilder sb = new StringBuilder("reading [").append("█".repeat(filled))
                .append("░".repeat(BAR_CHARS - filled)).append("] ")
                .append(read * 100 / total).append("%  ").append(bytes(read)).append(" of ").append(bytes(total));
        if (elapsedNanos > 0) {
            double seconds = elapsedNanos / 1e9;
            sb.append(" · ").append(Format.count(Math.round(frames / seconds)))
                    .append(" packets/s");
            if (read > 0) {
                long leftNanos = (long) ((double) (total - read) / read * elapsedNanos);
                sb.append(" · ").append(Format.duration(leftNanos)).append(" left");
            }
        }
        return sb.toString();
    }

    /** 12.3 MB, 1.2 GB (powers of ten, as disks and ls -lh --si count). */
    static String bytes(long n) {
        StringBuilder sb = new StringBuilder(10);
        return n < 1_000_000_000L ? FixedPoint.append(sb, n, 6, 1).append(" MB").toString()
                : FixedPoint.append(sb, n, 9, 1).append(" GB").toString();
    }
}
