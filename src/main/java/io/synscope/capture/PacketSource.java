package io.synscope.capture;

import java.io.IOException;
import java.util.List;

/**
 * A stream of captured frames: a file, stdin, a pipe or a live interface. Nothing here assumes a
 * file: sources are read strictly front to back, once.
 *
 * <p>Malformed input that makes the rest of the stream unreadable is a {@link CaptureException}
 * (with the offset and what was expected). A capture that simply ends mid-record is not an error:
 * {@link #next} returns {@code false} and a warning is added to {@link #warnings()}.
 */
public interface PacketSource extends AutoCloseable {

    /**
     * Fills {@code into} with the next frame.
     *
     * @return {@code false} at the end of the capture (or at a truncation, with a warning)
     * @throws CaptureException when the stream cannot be read further as a capture
     */
    boolean next(RawPacket into) throws CaptureException;

    /**
     * As {@link #next}, waiting at most {@code timeoutNanos} for a frame: a live capture's way of
     * giving its reader control back on a quiet link, so that time can decide connections (see
     * {@link #live()}). A file has its frames at hand and never answers {@link Poll#NONE}.
     */
    default Poll poll(RawPacket into, long timeoutNanos) throws CaptureException {
        return next(into) ? Poll.FRAME : Poll.END;
    }

    /**
     * Whether frames arrive as they happen (a live capture): then time moves on between frames
     * and {@link #nowNanos()} tells it; a file's time is only its frames' timestamps.
     */
    default boolean live() {
        return false;
    }

    /**
     * For a {@link #live()} source, the time on the frames' (wall) clock up to which every frame
     * has been handed out once the source reports {@link Poll#NONE}: a frame the kernel still
     * holds must not find its connection already decided for silence. {@link Long#MIN_VALUE}
     * for a file.
     */
    default long nowNanos() {
        return Long.MIN_VALUE;
    }

    /**
     * When the capture ended, if that is known and may be after its last frame: a live capture
     * stopped on a quiet link, or a pcapng file whose statistics block says so;
     * {@link Long#MIN_VALUE} when only the frames tell. Valid once {@link #next} returned false.
     */
    default long endNanos() {
        return Long.MIN_VALUE;
    }

    /**
     * What the capture lost on the way, when the source knows (a live capture, a pcapng file
     * with an interface statistics block); null otherwise. A live source's figures are those
     * of the moment of the call.
     */
    default CaptureStats stats() {
        return null;
    }

    /**
     * The snap length of the frame handed out last (its file's header, its pcapng interface, the
     * live capture's), or 0 when the source does not say: what a copy of the frame into another
     * capture file declares ({@code synscope analyze --export}).
     */
    default int snaplen() {
        return 0;
    }

    /**
     * The files read, in time order, when this source merges several ({@link MergedSource});
     * empty for a single file, stdin or an interface.
     */
    default List<CapturePart> parts() {
        return List.of();
    }

    /**
     * For a source that goes on past a damaged part (several files, {@link MergedSource}): the
     * first damage it went past, so that the run still ends with its exit code; null otherwise
     * (a single source throws its damage from {@link #next}).
     */
    default CaptureException damage() {
        return null;
    }

    /**
     * Bytes of the capture file(s) read so far, compressed ones as stored (for a progress bar,
     * beside {@link #totalBytes()}); -1 when the source is not a file (a pipe, an interface).
     * Asked on the reading thread, between frames.
     */
    default long bytesRead() {
        return -1;
    }

    /** The size of the capture file(s) on disk; -1 when the source is not a file. */
    default long totalBytes() {
        return -1;
    }

    /** Name for messages: the path given by the user, {@code "-"} for stdin, or an interface. */
    String name();

    /** Format that was detected, e.g. {@code "pcap"}, {@code "pcapng"}, {@code "pcap (gzip)"}. */
    String format();

    /** Warnings collected so far (truncation, skipped blocks …), in order; never null. */
    List<String> warnings();

    @Override
    void close() throws IOException;
}
