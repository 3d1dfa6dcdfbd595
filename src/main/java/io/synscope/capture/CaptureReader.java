package io.synscope.capture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the pcap and pcapng readers share: the input, the name and format, the frame counter,
 * the warnings and how a capture that ends mid-record is reported.
 */
abstract class CaptureReader implements PacketSource {
    /** A hostile file could raise a warning per record; the report needs only the first ones. */
    static final int MAX_WARNINGS = 100;

    final CaptureInput in;
    private final String format;
    private final List<String> warnings = new ArrayList<>();
    private int suppressedWarnings;
    /** Frames handed out so far; the last one's number. */
    long frames;
    /** Set once the end (or a cut) was reached: later calls return false without new warnings. */
    boolean ended;

    CaptureReader(CaptureInput in, String format) {
        this.in = in;
        this.format = in.gunzipped() ? format + " (gzip)" : format;
    }

    @Override
    public final String name() {
        return in.source();
    }

    @Override
    public final String format() {
        return format;
    }

    @Override
    public long bytesRead() {
        return in.fileBytesRead();
    }

    @Override
    public long totalBytes() {
        return in.fileBytes();
    }

    @Override
    public List<String> warnings() {
        List<String> all = new ArrayList<>(warnings);
        if (suppressedWarnings > 0) {
            all.add(count(suppressedWarnings, "further warning") + " not shown");
        }
        return all;
    }

    final void warn(String warning) {
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(warning);
        } else {
            suppressedWarnings++;
        }
    }

    /**
     * Ends the capture at a record boundary.
     *
     * @return false, for {@code return endOfCapture();} in {@link #next}
     */
    final boolean endOfCapture() {
        ended = true;
        if (in.cutShortNote() != null) {
            warn(in.cutShortNote());
        }
        if (in.trailingNote() != null) {
            warn(in.trailingNote());
        }
        return false;
    }

    /**
     * Ends the capture inside the record at {@link CaptureInput#offset()}: the frames before it
     * stay valid, so this is a warning, not an error.
     *
     * @param detail what was expected and what is present, e.g.
     *               {@code "record 1234 announces 1514 bytes, 600 present"}
     * @return false, for {@code return cutShort(...);} in {@link #next}
     */
    final boolean cutShort(String detail) {
        endOfCapture();
        warn("capture cut short at offset " + in.offset() + ": " + detail
                + "; analysed up to the cut");
        return false;
    }

    /** E.g. {@code "1 block"}, {@code "3 blocks"}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    final CaptureException corrupt(long offset, String message) {
        return new CaptureException(CaptureException.Kind.CORRUPT, in.source(), offset, message);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
