package io.synscope.flow;

import io.synscope.decode.TcpSegment;
import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Time is the capture's, not a shard's: a shard whose own packets are sparse, or older than the
 * capture's latest, must decide its connections when and as one tracker would.
 */
class ShardedTrackerClockTest {
    private static final long DAY_NANOS = 86_400_000_000_000L;

    /** Every decided connection: first frame, why and when, its packets; then the counters. */
    private static List<String> run(List<TcpSegment> segments, int shards) {
        List<String> decided = Collections.synchronizedList(new ArrayList<>());
        ShardedTracker tracker = new ShardedTracker(AnalysisConfig.defaults(), shards,
                i -> (c, reason, nowNanos) -> decided.add("connection " + c.firstFrame() + " "
                        + reason + " at " + nowNanos + " packets " + c.client().packets() + "+"
                        + c.server().packets()));
        for (TcpSegment s : segments) {
            tracker.accept(s);
        }
        tracker.finish(Long.MIN_VALUE);
        List<String> lines = new ArrayList<>(decided);
        lines.sort(null);
        lines.add("seen " + tracker.connectionsSeen() + " late " + tracker.latePackets());
        return lines;
    }

    /** Client ports from 40000 on whose connections to 10.0.0.2:80 two shards put in {@code shard}. */
    private static List<Integer> portsOnShard(String clientIp, int shard, int count) {
        List<TcpSegment> syns = new ArrayList<>();
        for (int port = 40_000; port < 40_400; port++) {
            syns.addAll(new Conversation(clientIp, port, "10.0.0.2", 80).client("S").segments());
        }
        List<Integer> ports = Collections.synchronizedList(new ArrayList<>());
        ShardedTracker probe = new ShardedTracker(AnalysisConfig.defaults(), 2,
                i -> (c, reason, now) -> {
                    if (i == shard) {
                        ports.add(c.client().port());
                    }
                });
        syns.forEach(probe::accept);
        probe.finish(Long.MIN_VALUE);
        List<Integer> sorted = new ArrayList<>(ports);
        sorted.sort(null);
        assertTrue(sorted.size() >= count, "ports on shard " + shard + ": " + sorted);
        return sorted.subList(0, count);
    }

    /** The conversations' segments in the order given, numbered as frames of one capture. */
    private static List<TcpSegment> capture(List<TcpSegment> inOrder) {
        List<TcpSegment> frames = new ArrayList<>();
        for (TcpSegment s : inOrder) {
            TcpSegment f = new TcpSegment();
            f.copyFrom(s);
            f.frameNumber = frames.size() + 1;
            frames.add(f);
        }
        return frames;
    }

    private static List<TcpSegment> byTime(List<TcpSegment> segments) {
        List<TcpSegment> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparingLong(s -> s.tsNanos));
        return sorted;
    }

    /**
     * A client retries its SYN after 3.5 s, past the 3 s a lone SYN is given, while the
     * other shard's connection keeps the capture busy. One tracker scans every 2 s of capture
     * time, at 0 and 2.0 s, so the retry still finds the first attempt; a shard that got no
     * other packet scanned at 0.05 s and, on its own schedule, again at the retry itself.
     */
    @Test
    void aShardWithSparsePacketsScansWhenOneTrackerWould() {
        int busyPort = portsOnShard("10.0.0.1", 0, 1).get(0);
        int retryPort = portsOnShard("10.0.0.3", 1, 1).get(0);
        Conversation busy = new Conversation("10.0.0.1", busyPort, "10.0.0.2", 80)
                .client("S").at(0.001).server("SA").at(0.002).client("A");
        for (int tenth = 1; tenth <= 50; tenth++) {
            busy.at(tenth / 10.0).client("PA", 10).at(tenth / 10.0 + 0.001).server("A");
        }
        Conversation retry = new Conversation("10.0.0.3", retryPort, "10.0.0.2", 80)
                .at(0.05).client("S").at(3.55).clientSynAgain();
        List<TcpSegment> all = new ArrayList<>(busy.segments());
        all.addAll(retry.segments());
        List<TcpSegment> frames = capture(byTime(all));

        List<String> one = run(frames, 1);
        assertTrue(one.contains("connection " + frameOf(frames, retryPort)
                + " CAPTURE_END at " + (Conversation.EPOCH_NANOS + 5_001_000_000L)
                + " packets 2+0"), "one tracker keeps both SYNs in one attempt: " + one);
        for (int shards = 2; shards <= 3; shards++) {
            assertEquals(one, run(frames, shards), shards + " shards");
        }
    }

    /**
     * A frame stamped a day late in one shard moves the capture's clock on for every shard: the
     * other shard's straggler RST, 0.5 s after its connection closed by its own clock, comes a
     * day after it by the capture's, and one tracker counts it as a new connection, not as late.
     */
    @Test
    void aShardIsToldTheCaptureClockBeforeItsOwnOlderPackets() {
        int bogusPort = portsOnShard("10.0.0.9", 0, 1).get(0);
        List<Integer> closing = portsOnShard("10.0.0.1", 1, 2);
        Conversation first = closed(closing.get(0), 0);
        Conversation second = closed(closing.get(1), 1);
        List<TcpSegment> bogus = new Conversation("10.0.0.9", bogusPort, "10.0.0.2", 80)
                .client("S").segments();
        bogus.get(0).tsNanos += DAY_NANOS;
        List<TcpSegment> inOrder = new ArrayList<>(first.segments());
        List<TcpSegment> secondSegments = second.segments();
        // The second connection's handshake and RST, the late frame, then its straggler.
        inOrder.addAll(secondSegments.subList(0, secondSegments.size() - 1));
        inOrder.addAll(bogus);
        inOrder.add(secondSegments.get(secondSegments.size() - 1));
        List<TcpSegment> frames = capture(inOrder);

        List<String> one = run(frames, 1);
        assertEquals("seen 4 late 1", one.get(one.size() - 1),
                "the first straggler is late, the second (after the clock's jump) a connection");
        for (int shards = 2; shards <= 3; shards++) {
            assertEquals(one, run(frames, shards), shards + " shards");
        }
    }

    /** A handshake at {@code startSeconds}, a client RST, and the RST again 0.5 s later. */
    private static Conversation closed(int port, double startSeconds) {
        return new Conversation("10.0.0.1", port, "10.0.0.2", 80)
                .at(startSeconds).client("S").at(startSeconds + 0.001).server("SA")
                .at(startSeconds + 0.002).client("A").at(startSeconds + 0.010).client("R")
                .at(startSeconds + 0.5).client("R");
    }

    private static long frameOf(List<TcpSegment> frames, int clientPort) {
        return frames.stream().filter(s -> s.srcPort == clientPort).findFirst().orElseThrow()
                .frameNumber;
    }
}
