package io.synscope.capture;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes, opened as a capture (gzip detection, pcap, pcapng): the only failure is a
 * {@link CaptureException}, every frame lies within the reader's buffer with a captured length
 * at most its original length, frames are numbered 1, 2, 3 …, and reading the same bytes as a
 * pipe delivers them (a few bytes per read, into the smallest buffer) gives the same frames,
 * warnings and error. The committed inputs (CaptureReadersFuzzTestInputs) run with every test
 * run; docs/fuzzing.md says how to fuzz.
 */
class CaptureReadersFuzzTest {
    /** Enough to reach every reader's paths; bounds the time one input may take. */
    private static final int MAX_FRAMES = 10_000;

    @FuzzTest
    void readAnyCapture(byte[] capture) throws IOException {
        Outcome whole = read(() -> Captures.open("fuzz", Channels.newChannel(
                new ByteArrayInputStream(capture)), CaptureInput.DEFAULT_BUFFER_BYTES));
        Outcome trickled = read(() -> Captures.open("fuzz", Channels.newChannel(
                new ReadBack.Trickle(capture, 7)), 64));
        assertEquals(whole, trickled, "read as a pipe into a small buffer");
    }

    /** What reading gave: frames described, warnings, and the error that ended it, if any. */
    private record Outcome(List<String> frames, List<String> warnings, String error) {
    }

    private static Outcome read(OpenCall open) throws IOException {
        List<String> frames = new ArrayList<>();
        PacketSource source;
        try {
            source = open.call();
        } catch (CaptureException e) {
            return new Outcome(frames, List.of(), e.kind() + " " + e.describe());
        }
        try (source) {
            RawPacket raw = new RawPacket();
            while (frames.size() < MAX_FRAMES && source.next(raw)) {
                assertEquals(frames.size() + 1, raw.frameNumber, "frame numbers count up");
                assertTrue(raw.capturedLength >= 0 && raw.offset >= 0
                        && raw.offset + raw.capturedLength <= raw.data.length,
                        "frame within the buffer");
                assertTrue(raw.capturedLength <= raw.originalLength, "captured <= original");
                frames.add(raw.tsNanos + " " + raw.linkType + " " + raw.originalLength + " "
                        + Arrays.hashCode(Arrays.copyOfRange(raw.data, raw.offset,
                        raw.offset + raw.capturedLength)));
            }
            assertNotNull(source.warnings());
            return new Outcome(frames, source.warnings(), null);
        } catch (CaptureException e) {
            return new Outcome(frames, source.warnings(), e.kind() + " " + e.describe());
        }
    }

    private interface OpenCall {
        PacketSource call() throws CaptureException;
    }
}
