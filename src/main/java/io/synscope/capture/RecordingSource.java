package io.synscope.capture;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A source that also writes every frame it hands out to a {@link CaptureWriter}:
 * {@code synscope live -w FILE}. The file is flushed whenever the link is quiet, so it is
 * readable while the capture runs, and finished (pcapng: statistics block) when the source
 * closes.
 */
public final class RecordingSource implements PacketSource {
    private final PacketSource source;
    private final CaptureWriter writer;
    /** Text to attach to the file when it is finished, by kind; asked for at {@link #close}. */
    private final Map<String, Supplier<String>> attachAtEnd = new LinkedHashMap<>();

    public RecordingSource(PacketSource source, CaptureWriter writer) {
        this.source = source;
        this.writer = writer;
    }

    @Override
    public boolean next(RawPacket into) throws CaptureException {
        return record(source.next(into) ? Poll.FRAME : Poll.END, into) == Poll.FRAME;
    }

    @Override
    public Poll poll(RawPacket into, long timeoutNanos) throws CaptureException {
        return record(source.poll(into, timeoutNanos), into);
    }

    private Poll record(Poll p, RawPacket frame) throws CaptureException {
        try {
            if (p == Poll.FRAME) {
                writer.write(frame);
            } else {
                writer.flush();
            }
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.IO, writer.path(), -1,
                    "cannot write the capture file: " + e.getMessage(), e);
        }
        return p;
    }

    @Override
    public boolean live() {
        return source.live();
    }

    @Override
    public long nowNanos() {
        return source.nowNanos();
    }

    @Override
    public long endNanos() {
        return source.endNanos();
    }

    @Override
    public CaptureStats stats() {
        return source.stats();
    }

    @Override
    public int snaplen() {
        return source.snaplen();
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public String format() {
        return source.format();
    }

    @Override
    public List<String> warnings() {
        return source.warnings();
    }

    /**
     * Attaches what {@code text} gives, when the capture ends, to the file (see
     * {@link CaptureWriter#attach}).
     *
     * @return false when the file has no room for it (pcap): the caller says so
     */
    public boolean attachAtEnd(String kind, Supplier<String> text) {
        attachAtEnd.put(kind, text);
        return writer.keepsAttachments();
    }

    /** Finishes the file with the attachments, the source's end time and counts; closes both. */
    @Override
    public void close() throws IOException {
        try (PacketSource s = source; CaptureWriter w = writer) {
            attachAtEnd.forEach((kind, text) -> w.attach(kind, text.get()));
            w.finish(s.endNanos(), s.stats());
        }
    }
}
