package io.synscope.lab;

import io.synscope.diagnose.HostPort;
import io.synscope.lab.LabMode.Drop;
import io.synscope.lab.Truth.Direction;
import io.synscope.lab.Truth.DropReason;
import io.synscope.lab.Truth.FrameKind;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay's decisions on crafted frames: what it drops, when frames leave, its log. */
class LossyPathTest {
    private static final Direction UP = Direction.CLIENT_TO_SERVER;
    private static final Direction DOWN = Direction.SERVER_TO_CLIENT;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PSH_ACK = 0x18;
    private static final int FIN_ACK = 0x11;

    /** An Ethernet IPv4 TCP frame of client port {@code port} (10.77.0.1 ↔ 10.77.0.2:8080). */
    private static byte[] frame(Direction d, int port, int flags, long seq, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payloadBytes);
        b.putShort(12, (short) 0x0800);
        b.put(14, (byte) 0x45).putShort(16, (short) (40 + payloadBytes)).put(23, (byte) 6);
        int client = 10 << 24 | 77 << 16 | 1;
        int server = 10 << 24 | 77 << 16 | 2;
        boolean up = d == UP;
        b.putInt(26, up ? client : server).putInt(30, up ? server : client);
        b.putShort(34, (short) (up ? port : 8080)).putShort(36, (short) (up ? 8080 : port));
        b.putInt(38, (int) seq).put(46, (byte) 0x50).put(47, (byte) flags);
        return b.array();
    }

    private static boolean drop(LossyPath p, Direction d, int port, int flags, int payload) {
        byte[] f = frame(d, port, flags, 1000, payload);
        return p.drop(f, f.length, d, 1_000_000);
    }

    /** A handshake and a request/reply exchange of one connection; which frames were dropped. */
    private static String exchange(LossyPath p, int port) {
        StringBuilder s = new StringBuilder();
        s.append(drop(p, UP, port, SYN, 0) ? 'x' : '-');
        s.append(drop(p, DOWN, port, SYN | ACK, 0) ? 'x' : '-');
        s.append(drop(p, UP, port, ACK, 0) ? 'x' : '-');
        s.append(drop(p, DOWN, port, SYN | ACK, 0) ? 'x' : '-'); // resent
        s.append(drop(p, UP, port, ACK, 0) ? 'x' : '-'); // its answer
        s.append(drop(p, UP, port, PSH_ACK, 10) ? 'x' : '-');
        s.append(drop(p, DOWN, port, ACK, 0) ? 'x' : '-');
        s.append(drop(p, UP, port, FIN_ACK, 0) ? 'x' : '-');
        return s.toString();
    }

    @Test
    void handshakeAckDropIsEachConnectionsFirstPureAckFromTheClientOnly() {
        LossyPath p = new LossyPath(LabMode.Relay.dropping(Drop.HANDSHAKE_ACK), 1);
        assertEquals("--x-----", exchange(p, 40001));
        assertEquals("--x-----", exchange(p, 40002));
        List<Truth.Relayed> log = p.log();
        assertEquals(2, log.size());
        Truth.Relayed first = log.get(0);
        assertEquals(new HostPort("10.77.0.1", 40001), first.client());
        assertEquals(new HostPort("10.77.0.2", 8080), first.server());
        assertEquals(1, first.syns());
        assertEquals(2, first.synAcks());
        assertEquals(List.of(new Truth.Dropped(1_000_000, UP, FrameKind.HANDSHAKE_ACK, ".", 1000,
                0, DropReason.TARGETED)), first.dropped());
        assertTrue(first.dropped(FrameKind.HANDSHAKE_ACK));
        assertFalse(first.dropped(FrameKind.SYN_ACK));
    }

    @Test
    void aClientWhoseFirstAckCarriesDataHasNoHandshakeAckToLose() {
        LossyPath p = new LossyPath(LabMode.Relay.dropping(Drop.HANDSHAKE_ACK), 1);
        assertFalse(drop(p, UP, 40001, SYN, 0));
        assertFalse(drop(p, UP, 40001, PSH_ACK, 10));
        assertFalse(drop(p, UP, 40001, ACK, 0), "a later pure ACK is not the handshake's");
    }

    @Test
    void firstSynAckDropIsEachConnectionsFirstOnly() {
        LossyPath p = new LossyPath(LabMode.Relay.dropping(Drop.FIRST_SYNACK), 1);
        assertEquals("-x------", exchange(p, 40001));
        assertEquals("-x------", exchange(p, 40002));
        assertEquals(FrameKind.SYN_ACK, p.log().get(1).dropped().get(0).kind());
        assertEquals("S.", p.log().get(1).dropped().get(0).flags());
        assertEquals(2, p.stats().droppedToClient());
    }

    @Test
    void randomLossHitsTcpAtTheConfiguredRateAndNeverAnythingElse() {
        LossyPath p = new LossyPath(LabMode.Relay.MEASURED, 42);
        byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        int dropped = 0;
        int frames = 200_000;
        for (int i = 0; i < frames; i++) {
            assertFalse(p.drop(arp, arp.length, UP, 0), "ARP is never dropped");
            if (drop(p, i % 2 == 0 ? UP : DOWN, 40001 + i % 1000, PSH_ACK, 100)) {
                dropped++;
            }
        }
        // 1.5 % of 200,000 is 3,000; the binomial's standard deviation is about 54.
        assertTrue(Math.abs(dropped - 3000) < 300, "dropped " + dropped);
        Truth.RelayStats stats = p.stats();
        assertEquals(frames, stats.notTcp());
        assertEquals(dropped, stats.droppedToServer() + stats.droppedToClient());
        assertEquals(dropped, (long) stats.droppedKinds().get("data"));
        assertTrue(p.log().stream().flatMap(r -> r.dropped().stream())
                .allMatch(d -> d.reason() == DropReason.RANDOM));
    }

    @Test
    void framesLeaveAfterDelayWithinJitterAndInOrderPerDirection() {
        LossyPath p = new LossyPath(LabMode.Relay.MEASURED, 7);
        long ms = 1_000_000;
        long[] last = new long[2];
        long arrival = 0;
        for (int i = 0; i < 10_000; i++) {
            Direction d = i % 3 == 0 ? DOWN : UP;
            // Sparse frames leave within 10–20 ms; back-to-back ones in order all the same.
            arrival += i % 100 < 50 ? 50 * ms : 10_000;
            long at = p.departureNanos(d, arrival);
            assertTrue(at > last[d.ordinal()], "in order");
            assertTrue(at - arrival <= 20 * ms + 100 * 10_000, "at most the delay + jitter late");
            if (i % 100 < 50 && i % 100 > 0) {
                assertTrue(at - arrival >= 10 * ms && at - arrival <= 20 * ms, "15 ± 5 ms");
            }
            last[d.ordinal()] = at;
        }
    }

    @Test
    void aFrameThatCouldNotBeSentIsLoggedAsDropped() {
        LossyPath p = new LossyPath(LabMode.Relay.dropping(Drop.NONE), 1);
        byte[] f = frame(DOWN, 40001, PSH_ACK, 5000, 3000);
        assertFalse(p.drop(f, f.length, DOWN, 7));
        p.sendFailed(f, f.length, DOWN, 7);
        assertEquals(List.of(new Truth.Dropped(7, DOWN, FrameKind.DATA, "P.", 5000, 3000,
                DropReason.SEND_FAILED)), p.log().get(0).dropped());
    }

    @Test
    void flagsReadAsTcpdumpPrintsThem() {
        assertEquals("S", LossyPath.flags(SYN));
        assertEquals("S.", LossyPath.flags(SYN | ACK));
        assertEquals("P.", LossyPath.flags(PSH_ACK));
        assertEquals("F.", LossyPath.flags(FIN_ACK));
        assertEquals("R", LossyPath.flags(0x04));
    }
}
