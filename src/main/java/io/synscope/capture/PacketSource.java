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

    /** Name for messages: the path given by the user, {@code "-"} for stdin, or an interface. */
    String name();

    /** Format that was detected, e.g. {@code "pcap"}, {@code "pcapng"}, {@code "pcap (gzip)"}. */
    String format();

    /** Warnings collected so far (truncation, skipped blocks …), in order; never null. */
    List<String> warnings();

    @Override
    void close() throws IOException;
}
