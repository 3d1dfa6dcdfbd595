package io.synscope.flow;

import io.synscope.decode.TcpSegment;
import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
     * Open connections are scanned for silence every {@link AnalysisConfig#expiryScanNanos}
     * (2 s for files, a quarter second live): an idle one is decided between its timeout and
     * one scan after it, in the order they started.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void idleConnectionsAreDecidedWithinAScanOfTheirTimeout(boolean live) {
        AnalysisConfig files = AnalysisConfig.defaults().withIdleTimeoutNanos(8 * SECOND);
        AnalysisConfig config = live ? files.forLiveCapture() : files;
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> seen.add(new Seen(c.id(),
                c.client().port(), c.history(), reason, now, 0, 0)));
        // Established connections whose last packet (the handshake's ACK) came at 0.0, 0.3,
        // ..., 2.7 s, then other traffic every 0.1 s until 15 s: each falls idle 8 s later.
        int port = 40000;
        long frame = 0;
        List<Conversation> traffic = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            traffic.add(new Conversation("10.0.0.1", port++, "10.0.0.2", 80).at(0.3 * i)
                    .client("S").server("SA").client("A"));
        }
        for (int i = 30; i <= 150; i++) {
            traffic.add(new Conversation("10.0.0.3", port++, "10.0.0.2", 80).at(0.1 * i)
                    .client("S").server("R"));
        }
        List<Long> lastNanos = new ArrayList<>();
        for (Conversation c : traffic) {
            List<TcpSegment> segments = c.segments();
            for (TcpSegment s : segments) {
                s.frameNumber = ++frame; // each scenario numbers its frames from 1
                t.accept(s);
            }
            if (lastNanos.size() < 10) {
                lastNanos.add(segments.get(segments.size() - 1).tsNanos);
            }
        }
        List<Seen> idle = seen.stream().filter(x -> x.reason() == Decision.IDLE).toList();
        assertEquals(10, idle.size());
        for (int i = 0; i < idle.size(); i++) {
            Seen x = idle.get(i);
            assertEquals(40000 + i, x.clientPort(), "decided in start order");
            long late = x.nowNanos() - lastNanos.get(i) - 8 * SECOND;
            assertTrue(late > 0 && late <= config.expiryScanNanos() + SECOND / 10, "port "
                    + x.clientPort()
                    + " decided " + late / 1e9 + " s after its timeout");
        }
    }

    /**
     * A handshake that stops retrying is decided once its window is over: 3 s after a lone
     * SYN; after SYNs at 0, 1 and 3 s (Linux's doubling timer), not before the retry due at
     * 7 s could have come, and within a scan of the window's end.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aHandshakeThatStopsRetryingIsDecidedAfterItsWindow(boolean live) {
        AnalysisConfig config = live ? AnalysisConfig.defaults().forLiveCapture()
                : AnalysisConfig.defaults();
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> seen.add(new Seen(c.id(),
                c.client().port(), c.history(), reason, now, 0, 0)));
        Conversation lone = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80).client("S");
        Conversation retried = new Conversation("10.0.0.1", 40001, "10.0.0.2", 80).client("S")
                .at(1).clientSynAgain().at(3).clientSynAgain();
        // The SYN-ACK retried by a server whose client never answers, likewise.
        Conversation synAcks = new Conversation("10.0.0.1", 40002, "10.0.0.2", 80).client("S")
                .server("SA").at(1).serverSynAckAgain();
        long frame = 0;
        for (Conversation c : List.of(lone, retried, synAcks)) {
            for (TcpSegment s : c.segments()) {
                s.frameNumber = ++frame;
                t.accept(s);
            }
        }
        // Time passes on a quiet link, as a live capture says it does.
        for (double at = 0; at <= 20; at += 0.1) {
            t.advanceTo(Conversation.EPOCH_NANOS + (long) (at * SECOND));
        }
        assertEquals(3, seen.size(), "each decided once: " + seen);
        for (Seen x : seen) {
            assertEquals(Decision.HANDSHAKE_TIMEOUT, x.reason());
            long lastNanos = Conversation.EPOCH_NANOS + switch (x.clientPort()) {
                case 40000 -> 0;
                case 40001 -> 3 * SECOND;
                default -> SECOND;
            };
            long spanNanos = lastNanos - Conversation.EPOCH_NANOS;
            long windowEnd = lastNanos + config.handshakeWindowNanos(spanNanos);
            assertTrue(x.nowNanos() > windowEnd
                            && x.nowNanos() <= windowEnd + config.expiryScanNanos() + SECOND / 10,
                    "port " + x.clientPort() + " decided at +"
                            + (x.nowNanos() - Conversation.EPOCH_NANOS) / 1e9 + " s, its window"
                            + " ends at +" + (windowEnd - Conversation.EPOCH_NANOS) / 1e9 + " s");
        }
        assertTrue(config.handshakeWindowNanos(3 * SECOND) > 4 * SECOND,
                "the retry due 4 s after SYNs at 0, 1, 3 s falls inside the window");
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

    /** Each side's state after each packet of a scripted connection, and at its decision. */
    private static List<String> statesAlong(Conversation c) {
        List<String> states = new ArrayList<>();
        FlowTracker t = new FlowTracker(AnalysisConfig.defaults(), (conn, reason, now) ->
                states.add("decided " + conn.client().state() + "/" + conn.server().state()));
        for (TcpSegment s : c.segments()) {
            t.accept(s);
        }
        t.finish();
        return states;
    }

    @Test
    void endpointStatesFollowTheHandshakeAndTheClose() {
        // Ground truth: what each side sent in the script (Zeek's endpoint states).
        Conversation base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided SYN_SENT/INACTIVE"), statesAlong(base.client("S")));
        base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided SYN_SENT/SYN_ACK_SENT"),
                statesAlong(base.client("S").server("SA")));
        base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided ESTABLISHED/ESTABLISHED"),
                statesAlong(base.client("S").server("SA").client("A").client("PA", 10)));
        assertEquals(List.of("decided CLOSED/CLOSED"),
                statesAlong(closedConnection(40000, 0)));
        base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided ESTABLISHED/RESET"), statesAlong(base.client("S")
                .server("SA").client("A").client("PA", 10).server("RA")));
        base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided SYN_SENT/RESET"),
                statesAlong(base.client("S").server("RA")));
        base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided ESTABLISHED/ESTABLISHED"),
                statesAlong(base.client("S").server("SA").client("A").at(1).server("SA")),
                "a SYN-ACK resent after the handshake's ACK (a full accept queue) moves nothing back");
        base = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
        assertEquals(List.of("decided PARTIAL/PARTIAL"),
                statesAlong(base.client("PA", 10).server("A")), "caught mid-stream");
    }

    @Test
    void factGroupsOfAPooledPredecessorDoNotLeak() {
        List<String> facts = new ArrayList<>();
        FlowTracker t = new FlowTracker(AnalysisConfig.defaults(), (c, reason, now) ->
                facts.add(c.client().port() + " rst " + c.server().rstSeen() + " " + c.server().rstFrame()
                        + " fin " + c.client().finFrame() + " retrans " + c.client().retransmissions()
                        + " " + c.client().firstRetransFrame() + " syn " + c.client().synCount()
                        + " " + c.server().synCount()));
        // Retransmitted data, a FIN, then the server resets: every group is allocated.
        new Conversation("10.0.0.1", 40000, "10.0.0.2", 80).client("S").server("SA")
                .client("A").client("PA", 10).at(0.3).clientRetransmits(10, 10).client("FA")
                .server("RA")
                .segments().forEach(t::accept);
        // The next connection reuses the pooled object: one SYN, nothing else.
        new Conversation("10.0.0.1", 40001, "10.0.0.2", 80).at(0.1).client("S").segments()
                .forEach(t::accept);
        t.finish();
        assertEquals(List.of("40000 rst true 7 fin 6 retrans 1 5 syn 1 1",
                "40001 rst false 0 fin 0 retrans 0 0 syn 1 0"), facts);
    }

    @Test
    void theEventLogGivesBackEveryFieldOfThePacketsKept() {
        List<long[]> events = new ArrayList<>();
        FlowTracker t = new FlowTracker(AnalysisConfig.defaults(), (c, reason, now) -> {
            for (int i = 0; i < c.eventCount(); i++) {
                events.add(new long[] {c.eventTsNanos(i), c.eventFrame(i), c.eventRelSeq(i),
                        c.eventRelAck(i), c.eventPayloadLength(i), c.eventWindow(i),
                        c.eventFlags(i), c.eventMarks(i)});
            }
        });
        // Sequence numbers that wrap, a big window and payload, frame numbers past 2^32.
        Conversation c = new Conversation("10.0.0.1", 40000, 0xFFFF_FFF0, "10.0.0.2", 80,
                0x7FFF_FFFF).client("S").server("SA").client("A").client("PA", 65_000)
                .server("A").at(200).server("PA", 1).clientRetransmits(65_000, 65_000);
        List<TcpSegment> segs = c.segments();
        long frameBase = 5_000_000_000L;
        for (TcpSegment s : segs) {
            s.frameNumber += frameBase;
            s.window = 0xFFFF;
            t.accept(s);
        }
        t.finish();
        assertEquals(segs.size(), events.size());
        for (int i = 0; i < segs.size(); i++) {
            TcpSegment s = segs.get(i);
            long[] e = events.get(i);
            assertEquals(s.tsNanos, e[0], "time of event " + i);
            assertEquals(s.frameNumber, e[1], "frame of event " + i);
            assertEquals(s.payloadLength, e[4], "length of event " + i);
            assertEquals(0xFFFF, e[5], "window of event " + i);
            assertEquals(s.flags, e[6], "flags of event " + i);
        }
        // The client's data starts right after its SYN, relative 1, though the raw number wrapped.
        assertEquals(1, events.get(3)[2]);
        assertEquals(1, events.get(6)[2], "the retransmission re-sends from 1: "
                + java.util.Arrays.toString(events.get(6)) + " seq " + segs.get(6).seq);
        assertEquals(65_001, events.get(4)[3], "the server acknowledged the data");
        assertEquals(Connection.MARK_FROM_CLIENT | Connection.MARK_RETRANSMISSION
                | Connection.MARK_ACK_VALID, events.get(6)[7]);
    }

    @Test
    void beyondTheCapTheOldestHalfOpenConnectionsAreDecidedEarly() {
        AnalysisConfig config = AnalysisConfig.defaults().withMaxOpenConnections(100);
        List<Seen> decided = new ArrayList<>();
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> decided.add(new Seen(c.id(),
                c.client().port(), c.history(), reason, now, 0, 0)));
        // One established connection, then 1,000 lone SYNs from distinct ports, 1 ms apart.
        new Conversation("10.0.0.9", 50000, "10.0.0.2", 80).client("S").server("SA").client("A")
                .segments().forEach(t::accept);
        for (int i = 0; i < 1000; i++) {
            for (TcpSegment s : new Conversation("10.0.0.1", 1024 + i, "10.0.0.2", 80)
                    .at(0.001 * (i + 1)).client("S").segments()) {
                s.frameNumber = 4 + i; // in capture order, after the first connection's three
                t.accept(s);
            }
            assertTrue(t.openConnections() <= 100, "open " + t.openConnections());
        }
        long early = decided.stream().filter(x -> x.reason() == Decision.MEMORY_CAP).count();
        assertEquals(early, t.decidedEarly());
        assertTrue(early >= 900, "at least the SYNs beyond the cap: " + early);
        assertTrue(decided.stream().noneMatch(x -> x.clientPort() == 50000),
                "the established connection outlived the half-open ones");
        // Oldest first: the SYNs were decided in the order they came.
        List<Integer> ports = decided.stream().map(Seen::clientPort).toList();
        assertEquals(ports.stream().sorted().toList(), ports);
        t.finish();
        assertEquals(1001, decided.size(), "every connection decided exactly once");
    }

    /**
     * The memory cap chooses among all open connections, frozen ones too (docs/performance.md#m2-a-cap-instead-of-running-out-of-heap):
     * 300 established connections, 10 ms apart, under a cap of 100, decide the same connections
     * at the same times, for the same reasons, whether idle ones are frozen (here all of them,
     * after a nanosecond) or never.
     */
    @Test
    void theCapDecidesTheSameConnectionsWhetherOrNotTheyAreFrozen() {
        AnalysisConfig capped = AnalysisConfig.defaults().withMaxOpenConnections(100);
        List<Seen> plain = establishedUnderCap(capped.withFreezing(Long.MAX_VALUE, 1, 0));
        List<Seen> frozen = establishedUnderCap(capped.withFreezing(0, 1, 0));
        assertEquals(plain, frozen);
        assertEquals(300, plain.size());
        long early = plain.stream().filter(x -> x.reason() == Decision.MEMORY_CAP).count();
        assertTrue(early >= 200, "the oldest beyond the cap decided early: " + early);
    }

    /**
     * A connection is frozen once silent for {@code freezeAfterNanos} (the default's 100 ms), or
     * four round trips of its handshake when that is longer: one on a LAN (a 100 µs handshake)
     * after 100 ms, one across the world (a 200 ms handshake) only after 800 ms, so that the round
     * trips of its exchanges do not freeze and thaw it.
     */
    @Test
    void aConnectionIsFrozenAfterItsSilenceOrFourRoundTripsOfItsHandshake() {
        AnalysisConfig defaults = AnalysisConfig.defaults();
        AnalysisConfig config = defaults.withFreezing(0, defaults.freezeAfterNanos(),
                defaults.freezeAfterRoundTrips());
        assertEquals(100_000_000, config.freezeAfterNanos());
        assertEquals(4, config.freezeAfterRoundTrips());
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> { });
        List<TcpSegment> segments = new ArrayList<>(new Conversation("10.0.0.1", 40001,
                "10.0.0.2", 80).at(0).client("S").at(0.00005).server("SA").at(0.0001).client("A")
                .client("PA", 10).at(0.0002).server("A").segments());
        segments.addAll(new Conversation("10.0.0.3", 40002, "10.0.0.2", 80).at(0).client("S")
                .at(0.1).server("SA").at(0.2).client("A").client("PA", 10).at(0.3).server("A")
                .segments());
        segments.sort(java.util.Comparator.comparingLong(x -> x.tsNanos));
        long frame = 1;
        for (TcpSegment s : segments) {
            s.frameNumber = frame++;
            t.accept(s);
        }
        // At 300 ms: the LAN one has been silent since 0.2 ms, the far one talks.
        assertEquals(1, t.frozenConnections(), "the LAN one");
        t.advanceTo(Conversation.EPOCH_NANOS + 500_000_000L);
        assertEquals(1, t.frozenConnections(), "the far one silent 200 ms of its 800");
        t.advanceTo(Conversation.EPOCH_NANOS + 1_000_000_000L);
        assertEquals(1, t.frozenConnections(), "the far one silent 700 ms of its 800");
        t.advanceTo(Conversation.EPOCH_NANOS + 1_200_000_000L);
        assertEquals(2, t.frozenConnections(), "both");
        assertEquals(2, t.openConnections());
    }

    private static List<Seen> establishedUnderCap(AnalysisConfig config) {
        List<Seen> decided = new ArrayList<>();
        FlowTracker t = new FlowTracker(config, (c, reason, now) -> decided.add(new Seen(c.id(),
                c.client().port(), c.history(), reason, now, c.client().packets(),
                c.server().packets())));
        List<TcpSegment> segments = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            segments.addAll(new Conversation("10.0.0.1", 1024 + i, "10.0.0.2", 80)
                    .at(0.01 * i).client("S").server("SA").client("A").client("PA", 10)
                    .server("A").segments());
        }
        segments.sort(java.util.Comparator.comparingLong(x -> x.tsNanos));
        long frame = 1;
        for (TcpSegment s : segments) {
            s.frameNumber = frame++;
            t.accept(s);
        }
        t.finish();
        return decided;
    }
}
