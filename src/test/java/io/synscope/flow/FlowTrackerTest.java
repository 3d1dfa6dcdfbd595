package io.synscope.flow;

import io.synscope.decode.TcpSegment;
import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowTrackerTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** What the listener saw, copied out during the call (the connection is pooled). */
    private record Seen(long id, int clientPort, String history, Decision reason, long nowNanos,
                        long clientPackets, long serverPackets) {
    }

    private final List<Seen> seen = new ArrayList<>();
    private final FlowTracker tracker = new FlowTracker(AnalysisConfig.defaults(),
            (c, reason, now) -> seen.add(new Seen(c.id(), c.client().port(), c.history(), reason,
                    now, c.client().packets(), c.server().packets())));

    private void feed(Conversation c) {
        for (TcpSegment s : c.segments()) {
            tracker.accept(s);
        }
    }

    private static Conversation closedConnection(int clientPort, double start) {
        return new Conversation("10.0.0.1", clientPort, "10.0.0.2", 80).at(start)
                .client("S").server("SA").client("A").client("PA", 10).server("PA", 10)
                .client("FA").server("FA").client("A");
    }

    @Test
    void closedConnectionsAreDecidedAtTheirLastAck() {
        feed(closedConnection(40000, 0));
        assertEquals(1, seen.size());
        assertEquals(Decision.CLOSED, seen.get(0).reason());
        assertEquals(0, tracker.openConnections());
    }

    @Test
    void stragglersWithinTheLingerTimeAreCountedNotTracked() {
        Conversation c = closedConnection(40000, 0);
        feed(c);
        // A duplicate of the last ACK and a late RST, 0.5 s later: not a new connection.
        List<TcpSegment> segs = c.segments();
        TcpSegment lastAck = segs.get(segs.size() - 1);
        lastAck.tsNanos += TimeUnit.MILLISECONDS.toNanos(500);
        tracker.accept(lastAck);
        assertEquals(1, tracker.latePackets());
        assertEquals(0, tracker.openConnections());
        // After the linger time the same straggler would be a connection of its own.
        lastAck.tsNanos += 3 * SECOND;
        tracker.accept(lastAck);
        assertEquals(1, tracker.openConnections());
        assertEquals(1, tracker.latePackets());
    }

    @Test
    void aNewSynRightAfterACloseStartsANewConnection() {
        feed(closedConnection(40000, 0));
        feed(new Conversation("10.0.0.1", 40000, 0x55555555, "10.0.0.2", 80, 0x66666666)
                .at(0.1).client("S"));
        assertEquals(1, tracker.openConnections());
        assertEquals(0, tracker.latePackets());
    }

    @Test
    void memoryIsBoundedByConnectionsOpenAtOnce() {
        for (int i = 0; i < 20_000; i++) {
            feed(closedConnection(1024 + i % 60_000, i * 0.01));
        }
        // Each connection is decided at its last ACK, before the next one starts.
        assertEquals(1, tracker.peakOpenConnections());
        tracker.finish();
        assertEquals(20_000, seen.size());
        assertEquals(0, tracker.openConnections());
    }

    @Test
    void idleConnectionsAreDecidedAfterTheTimeout() {
        AnalysisConfig config = AnalysisConfig.defaults().withIdleTimeoutNanos(10 * SECOND);
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> seen.add(new Seen(c.id(),
                c.client().port(), c.history(), reason, now, 0, 0)));
        Conversation open = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80)
                .client("S").server("SA").client("A");
        open.segments().forEach(t::accept);
        new Conversation("10.0.0.1", 40001, "10.0.0.2", 80).at(11).client("S").segments()
                .forEach(t::accept);
        assertEquals(1, seen.size());
        assertEquals(Decision.IDLE, seen.get(0).reason());
        assertEquals(40000, seen.get(0).clientPort());
    }

    @Test
    void pooledConnectionsStartClean() {
        feed(closedConnection(40000, 0));
        feed(closedConnection(40001, 0.1));
        feed(new Conversation("10.0.0.1", 40002, "10.0.0.2", 80).at(0.2).client("S"));
        tracker.finish();
        assertEquals(3, seen.size());
        Seen reused = seen.get(2);
        assertEquals("S", reused.history(), "nothing left over from a pooled predecessor");
        assertEquals(1, reused.clientPackets());
        assertEquals(0, reused.serverPackets());
        assertEquals(1, reused.id(), "its first frame (each scenario numbers frames from 1)");
    }

    @Test
    void synAckCapturedBeforeItsSynIsOneConnection() {
        Conversation c = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80)
                .serverSynAckAgain() // a SYN-ACK with explicit numbers, before the SYN it answers
                .client("S").client("A").client("PA", 10).server("A");
        feed(c);
        tracker.finish();
        assertEquals(1, seen.size(), "reordered handshake");
        assertEquals(Decision.CAPTURE_END, seen.get(0).reason());
    }

    /**
     * Idle connections are looked for eight times per timeout: each is decided between one and
     * one and an eighth timeouts after its last packet, in the order they started.
     */
    @Test
    void idleConnectionsAreDecidedWithinAnEighthOfATimeoutLate() {
        AnalysisConfig config = AnalysisConfig.defaults().withIdleTimeoutNanos(8 * SECOND);
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> seen.add(new Seen(c.id(),
                c.client().port(), c.history(), reason, now, 0, 0)));
        // Half-open connections started at 0.0, 0.3, ..., 2.7 s, then other traffic every
        // 0.1 s until 15 s: each falls idle 8 s after its SYN.
        int port = 40000;
        long frame = 0;
        List<Conversation> traffic = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            traffic.add(new Conversation("10.0.0.1", port++, "10.0.0.2", 80).at(0.3 * i)
                    .client("S"));
        }
        for (int i = 30; i <= 150; i++) {
            traffic.add(new Conversation("10.0.0.3", port++, "10.0.0.2", 80).at(0.1 * i)
                    .client("S").server("R"));
        }
        List<Long> synNanos = new ArrayList<>();
        for (Conversation c : traffic) {
            for (TcpSegment s : c.segments()) {
                s.frameNumber = ++frame; // each scenario numbers its frames from 1
                if (synNanos.size() < 10) {
                    synNanos.add(s.tsNanos);
                }
                t.accept(s);
            }
        }
        List<Seen> idle = seen.stream().filter(x -> x.reason() == Decision.IDLE).toList();
        assertEquals(10, idle.size());
        for (int i = 0; i < idle.size(); i++) {
            Seen x = idle.get(i);
            assertEquals(40000 + i, x.clientPort(), "decided in start order");
            long late = x.nowNanos() - synNanos.get(i) - 8 * SECOND;
            assertTrue(late > 0 && late <= SECOND + SECOND / 10, "port " + x.clientPort()
                    + " decided " + late / 1e9 + " s after its timeout");
        }
    }

    @Test
    void portReuseWithANewIsnSupersedesTheOldConnection() {
        Conversation c = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80)
                .client("S").at(1).clientSynAgain().at(3).clientSynAgainWithNewIsn();
        feed(c);
        tracker.finish();
        assertEquals(2, seen.size());
        assertEquals(Decision.SUPERSEDED, seen.get(0).reason());
        assertEquals(2, seen.get(0).clientPackets(), "both SYNs of the first attempt");
    }

    @Test
    void rolesComeFromAListenerSeenEarlier() {
        // Port 9000 answered a SYN before; a later mid-stream connection to it is oriented by that.
        feed(new Conversation("10.0.0.1", 40000, "10.0.0.2", 9000).client("S").server("SA"));
        Conversation mid = new Conversation("10.0.0.2", 9000, "10.0.0.3", 5000).at(1)
                .client("PA", 10);
        for (TcpSegment s : mid.segments()) {
            s.frameNumber += 10; // after the SYN-ACK (each scenario numbers its frames from 1)
            tracker.accept(s);
        }
        tracker.finish();
        Seen midSeen = seen.stream().filter(s -> s.id() == 11).findFirst().orElseThrow();
        assertEquals(5000, midSeen.clientPort(), "the side talking to the known listener");
    }
}
