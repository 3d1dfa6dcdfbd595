package io.synscope.pipeline;

import io.synscope.capture.CaptureException;
import io.synscope.capture.Captures;
import io.synscope.capture.PacketSource;
import io.synscope.capture.Poll;
import io.synscope.capture.RawPacket;
import io.synscope.decode.TcpSegment;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.Verdict;
import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.CollectingSink;
import io.synscope.testutil.FrameBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyser's live loop, with a source that behaves as a live capture does: it hands out a
 * capture's frames, then has nothing for a while (a quiet link), its clock running on in real
 * time. Verdicts must reach the sink while the link is quiet, not only when the capture ends,
 * on one tracking thread and on several (partly filled batches handed over by time).
 */
class LiveAnalyzerTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    /** Connections decided by a packet arrive within a second of the frames running out. */
    @Test
    void verdictsDecidedByAPacketArriveWhileTheLinkIsQuiet() throws Exception {
        for (int shards : new int[] {1, 2, 3}) {
            QuietAfterFrames source = new QuietAfterFrames(Path.of("sample-pcaps", "demo.pcap"),
                    2 * SECOND);
            TimingSink sink = new TimingSink(source);
            new Analyzer(AnalysisConfig.defaults().forLiveCapture(), shards).run(source, sink);
            List<ConnectionResult> closed = new ArrayList<>();
            for (int i = 0; i < sink.connections.size(); i++) {
                ConnectionResult r = sink.connections.get(i);
                if (r.decidedBy() == io.synscope.flow.Decision.CLOSED) {
                    closed.add(r);
                    long after = sink.arrivedMonotonic.get(i) - source.quietSinceMonotonic;
                    assertTrue(!sink.arrivedAfterEnd.get(i) && after < SECOND, shards
                            + " shards: " + r.client() + " arrived " + after / 1e6
                            + " ms into the quiet, after the end: " + sink.arrivedAfterEnd.get(i));
                }
            }
            assertTrue(closed.size() >= 10, "demo.pcap has reset and closed connections: "
                    + closed.size());
        }
    }

    /**
     * A lone SYN as the last packet is decided 3 s (its handshake window) after it, while the
     * link stays quiet, by the clock alone.
     */
    @Test
    void aLoneSynIsDecidedByTheClockAfterItsWindow() throws Exception {
        Path file = CaptureFiles.write(dir.resolve("syn.pcap"), CaptureFiles.pcap().nanos()
                .frame(FrameBuilder.tcp().flags(TcpSegment.SYN).build(), 1_000 * SECOND).toBytes());
        for (int shards : new int[] {1, 2}) {
            QuietAfterFrames source = new QuietAfterFrames(file, 5 * SECOND);
            TimingSink sink = new TimingSink(source);
            new Analyzer(AnalysisConfig.defaults().forLiveCapture(), shards).run(source, sink);
            assertEquals(1, sink.connections.size());
            ConnectionResult r = sink.connections.get(0);
            assertEquals(io.synscope.flow.Decision.HANDSHAKE_TIMEOUT, r.decidedBy());
            assertEquals(Verdict.SYN_DROPPED, r.verdict());
            long after = sink.arrivedMonotonic.get(0) - source.quietSinceMonotonic;
            assertTrue(after > 3 * SECOND && after < 4 * SECOND, shards + " shards: decided "
                    + after / 1e6 + " ms into the quiet");
        }
    }

    /**
     * Hands out a capture's frames, then nothing ({@link Poll#NONE}, after waiting as a quiet
     * link makes one wait) for {@code quietNanos}, then ends. Its clock is the last frame's
     * time plus the real time since the frames ran out.
     */
    static final class QuietAfterFrames implements PacketSource {
        private final List<byte[]> frames = new ArrayList<>();
        private final List<long[]> meta = new ArrayList<>();
        private final long quietNanos;
        private final String name;
        private int next;
        private long lastTsNanos;
        volatile long quietSinceMonotonic = Long.MAX_VALUE;
        volatile boolean ended;

        QuietAfterFrames(Path file, long quietNanos) throws CaptureException, IOException {
            this.quietNanos = quietNanos;
            this.name = file.toString();
            try (PacketSource s = Captures.open(file.toString())) {
                RawPacket p = new RawPacket();
                while (s.next(p)) {
                    frames.add(Arrays.copyOfRange(p.data, p.offset, p.offset + p.capturedLength));
                    meta.add(new long[] {p.tsNanos, p.linkType, p.originalLength});
                }
            }
        }

        @Override
        public boolean next(RawPacket into) {
            throw new UnsupportedOperationException("a live source is polled");
        }

        @Override
        public Poll poll(RawPacket into, long timeoutNanos) {
            if (next < frames.size()) {
                byte[] f = frames.get(next);
                long[] m = meta.get(next);
                next++;
                lastTsNanos = m[0];
                into.set(f, 0, f.length, (int) m[2], m[0], (int) m[1], next, -1);
                if (next == frames.size()) {
                    quietSinceMonotonic = System.nanoTime();
                }
                return Poll.FRAME;
            }
            if (System.nanoTime() - quietSinceMonotonic >= quietNanos) {
                ended = true;
                return Poll.END;
            }
            try {
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(timeoutNanos), 10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Poll.NONE;
        }

        @Override
        public boolean live() {
            return true;
        }

        @Override
        public long nowNanos() {
            long quiet = quietSinceMonotonic == Long.MAX_VALUE ? 0
                    : System.nanoTime() - quietSinceMonotonic;
            return lastTsNanos + quiet;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String format() {
            return "test";
        }

        @Override
        public List<String> warnings() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    /** Keeps every result with when it arrived and whether the source had ended by then. */
    static final class TimingSink extends CollectingSink {
        final QuietAfterFrames source;
        final List<Long> arrivedMonotonic = new ArrayList<>();
        final List<Boolean> arrivedAfterEnd = new ArrayList<>();

        TimingSink(QuietAfterFrames source) {
            this.source = source;
        }

        @Override
        public void onConnection(ConnectionResult r) {
            super.onConnection(r);
            arrivedMonotonic.add(System.nanoTime());
            arrivedAfterEnd.add(source.ended);
        }
    }
}
