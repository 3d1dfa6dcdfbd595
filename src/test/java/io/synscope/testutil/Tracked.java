package io.synscope.testutil;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.RawPacket;
import io.synscope.decode.PacketDecoder;
import io.synscope.decode.TcpSegment;
import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.ConnectionListener;
import io.synscope.flow.FlowTracker;

import java.nio.file.Path;

/** Feeds a capture file through one {@link FlowTracker}, straight to a test's listener. */
public final class Tracked {
    private Tracked() {
    }

    /**
     * Tracks {@code capture} to its end; a capture that cannot be read, or is damaged part-way,
     * is tracked as far as it reads (other tests are about damage).
     */
    public static void capture(Path capture, AnalysisConfig config, ConnectionListener listener) {
        FlowTracker tracker = new FlowTracker(config, listener);
        PacketDecoder decoder = new PacketDecoder();
        TcpSegment segment = new TcpSegment();
        try (PacketSource source = Captures.open(capture.toString())) {
            RawPacket raw = new RawPacket();
            while (source.next(raw)) {
                if (decoder.decode(raw, segment) == null) {
                    tracker.accept(segment);
                }
            }
        } catch (CaptureException | java.io.IOException e) {
            // Judge what was read.
        }
        tracker.finish();
    }
}
