package io.synscope.diagnose;

import io.synscope.decode.TcpSegment;
import io.synscope.flow.AnalysisConfig;
import io.synscope.testutil.CaptureFiles;
import io.synscope.testutil.FrameBuilder;
import io.synscope.testutil.Tracked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel evidence as one more input to the classifier, on the lab's sample captures: what the
 * kernel says there (docs/kernel.md, measured on Linux 6.18 for the lab mode that made each
 * capture) settles what the packets leave open, and what contradicts the packets lowers their
 * reading. Whether the kernel really says it is the lab tests' business; here the rules.
 */
class KernelEvidenceRulesTest {
    private final Classifier classifier = new Classifier(ClassifierConfig.defaults());

    /** A kernel that answers every question the same way. */
    private record FixedKernel(String resetReason, KernelView.QueueReading queue,
                               long counterRise, boolean listenerClosed) implements KernelView {
        FixedKernel(String resetReason, KernelView.QueueReading queue, long counterRise) {
            this(resetReason, queue, counterRise, false);
        }

        @Override
        public KernelReset resetSent(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo,
                                     int dstPort, long tsNanos) {
            return resetReason == null ? null : new KernelReset(tsNanos, resetReason, "TCP_CLOSE");
        }

        @Override
        public QueueReading acceptQueue(long hi, long lo, int port, long fromNanos, long toNanos) {
            return queue;
        }

        @Override
        public long counterRise(String name, long fromNanos, long toNanos) {
            return counterRise;
        }

        @Override
        public boolean listenerClosed(long hi, long lo, int port, long tsNanos) {
            return listenerClosed;
        }
    }

    /** Every connection's diagnosis, and (checked on the way) that judging agrees with it. */
    private List<Diagnosis> diagnose(String sample, KernelView kernel) {
        return diagnose(Path.of("sample-pcaps", sample), kernel);
    }

    private List<Diagnosis> diagnose(Path sample, KernelView kernel) {
        List<Diagnosis> out = new ArrayList<>();
        Tracked.capture(sample, AnalysisConfig.defaults(),
                (c, reason, now) -> {
                    Diagnosis d = classifier.classify(c, reason, now, kernel);
                    assertEquals(d.judgement(), classifier.judge(c, reason, now, kernel),
                            sample + " " + d);
                    out.add(d);
                });
        return out;
    }

    private static List<Diagnosis> withVerdict(List<Diagnosis> all, Verdict v) {
        return all.stream().filter(d -> d.verdict() == v).toList();
    }

    /**
     * A connection caught mid-stream (no handshake) that the server resets with the client's
     * request unread: the kernel's reason settles it as it would with the handshake, instead of
     * leaving it mid-stream; the packets alone read it less surely.
     */
    @Test
    void theKernelsReasonSettlesAResetWithoutAHandshakeToo(@TempDir Path dir) {
        FrameBuilder c = FrameBuilder.tcp().from("10.0.0.1", 51_000).to("10.0.0.2", 80);
        FrameBuilder s = FrameBuilder.tcp().from("10.0.0.2", 80).to("10.0.0.1", 51_000);
        long t = 1_700_000_000_000_000_000L;
        Path capture = CaptureFiles.pcap()
                .frame(c.copy().seq(1001).ack(5001).flags(TcpSegment.ACK | TcpSegment.PSH)
                        .payloadLength(100).build(), t)
                .frame(s.copy().seq(5001).ack(1101).flags(TcpSegment.ACK).build(), t + 50_000)
                .frame(s.copy().seq(5001).ack(1101).flags(TcpSegment.RST | TcpSegment.ACK)
                        .build(), t + 20_000_000)
                .write(dir.resolve("mid-stream-reset.pcap"));
        List<Diagnosis> settled = diagnose(capture, new FixedKernel("TCP_ABORT_ON_CLOSE", null,
                -1));
        assertEquals(1, settled.size(), settled.toString());
        assertEquals(Rule.KERNEL_ABORT_ON_CLOSE, settled.get(0).rule(), settled.toString());
        assertEquals(Confidence.HIGH, settled.get(0).confidence());
        List<Diagnosis> wire = diagnose(capture, KernelView.NONE);
        assertEquals(1, wire.size(), wire.toString());
        assertTrue(wire.get(0).confidence() != Confidence.HIGH, wire.toString());
    }

    @Test
    void abortOnCloseSettlesUnreadDataWithNoAlternativeLeft() {
        List<Diagnosis> wire = withVerdict(diagnose("rst-unread-data.pcap", KernelView.NONE),
                Verdict.RST_UNREAD_DATA);
        assertFalse(wire.isEmpty());
        assertTrue(wire.stream().anyMatch(d -> !d.alternatives().isEmpty()),
                "the packets alone leave linger 0 open: " + wire);
        List<Diagnosis> settled = withVerdict(diagnose("rst-unread-data.pcap",
                new FixedKernel("TCP_ABORT_ON_CLOSE", null, -1)), Verdict.RST_UNREAD_DATA);
        assertEquals(wire.size(), settled.size());
        for (Diagnosis d : settled) {
            assertEquals(Rule.KERNEL_ABORT_ON_CLOSE, d.rule(), d.toString());
            assertEquals(Confidence.HIGH, d.confidence());
            assertTrue(d.alternatives().isEmpty(), d.toString());
            assertEquals("TCP_ABORT_ON_CLOSE", d.kernel().get(0).reason());
            assertFalse(d.evidence().isEmpty(), "the packets' evidence stays: " + d);
        }
    }

    @Test
    void theKernelsReasonWinsOverThePacketsReading() {
        // rst-linger0.pcap's server closed with SO_LINGER 0: its kernel says TCP_STATE.
        List<Diagnosis> linger = withVerdict(diagnose("rst-linger0.pcap",
                new FixedKernel("TCP_STATE", null, -1)), Verdict.RST_LINGER0);
        assertFalse(linger.isEmpty());
        linger.forEach(d -> assertEquals(Rule.KERNEL_ABORT_BY_DISCONNECT, d.rule()));
        // The same packets with the other reason: the reason decides.
        List<Diagnosis> unread = diagnose("rst-linger0.pcap",
                new FixedKernel("TCP_ABORT_ON_CLOSE", null, -1));
        assertEquals(linger.size(), withVerdict(unread, Verdict.RST_UNREAD_DATA).size());
    }

    @Test
    void aFullAcceptQueueConfirmsAnIgnoredAckAndRoomContradictsIt() {
        List<Diagnosis> wire = withVerdict(diagnose("ack-ignored.pcap", KernelView.NONE),
                Verdict.ACK_IGNORED);
        assertFalse(wire.isEmpty());
        List<Diagnosis> full = withVerdict(diagnose("ack-ignored.pcap",
                new FixedKernel(null, new KernelView.QueueReading(4, 5, true), 12)),
                Verdict.ACK_IGNORED);
        assertEquals(wire.size(), full.size());
        full.forEach(d -> {
            assertEquals(Confidence.HIGH, d.confidence(), d.toString());
            assertTrue(d.kernel().get(0).note().contains("accept queue full"), d.toString());
        });
        List<Diagnosis> room = withVerdict(diagnose("ack-ignored.pcap",
                new FixedKernel(null, new KernelView.QueueReading(128, 1, false), 0)),
                Verdict.ACK_IGNORED);
        room.forEach(d -> assertEquals(Confidence.LOW, d.confidence(), d.toString()));
    }

    @Test
    void synsDroppedWithRoomInTheQueuesAndNoDropCountedWereLostBeforeTheListener() {
        List<Diagnosis> wire = withVerdict(diagnose("syn-dropped-accept-queue.pcap",
                KernelView.NONE), Verdict.SYN_DROPPED);
        assertFalse(wire.isEmpty());
        List<Diagnosis> full = withVerdict(diagnose("syn-dropped-accept-queue.pcap",
                new FixedKernel(null, new KernelView.QueueReading(4, 5, true), 3)),
                Verdict.SYN_DROPPED);
        full.forEach(d -> {
            assertEquals(Confidence.HIGH, d.confidence(), d.toString());
            assertTrue(d.rule() != Rule.SYN_DROPPED_BEFORE_LISTENER, d.toString());
        });
        List<Diagnosis> lost = withVerdict(diagnose("syn-dropped-accept-queue.pcap",
                new FixedKernel(null, new KernelView.QueueReading(128, 0, false), 0)),
                Verdict.SYN_DROPPED);
        assertEquals(wire.size(), lost.size());
        lost.forEach(d -> assertEquals(Rule.SYN_DROPPED_BEFORE_LISTENER, d.rule(), d.toString()));
    }

    @Test
    void noSampleLeavesThePacketsReadingAsItWas() {
        for (String sample : List.of("ack-ignored.pcap", "rst-unread-data.pcap",
                "syn-dropped-accept-queue.pcap", "demo.pcap")) {
            assertEquals(diagnose(sample, KernelView.NONE),
                    diagnose(sample, new FixedKernel(null, null, 7)), sample);
        }
    }
}
