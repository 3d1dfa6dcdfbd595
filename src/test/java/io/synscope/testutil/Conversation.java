package io.synscope.testutil;

import io.synscope.decode.TcpSegment;
import io.synscope.diagnose.ClassifierConfig;
import io.synscope.diagnose.ConnectionResult;
import io.synscope.flow.AnalysisConfig;
import io.synscope.flow.FlowTracker;
import io.synscope.pipeline.Diagnoser;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a TCP conversation between one client and one server as segments, keeping each side's
 * sequence and acknowledgement numbers the way a TCP stack would, so a test states only what
 * happens ("client sends 100 bytes", "server resets") and the expected verdict follows from the
 * scenario. Sequence numbers can be overridden for stateless RSTs and the like.
 *
 * <pre>{@code
 * Conversation c = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
 * c.client("S").at(1.0).client("S").at(3.0).client("S");
 * assertEquals(Verdict.SYN_DROPPED, c.analyze().get(0).verdict());
 * }</pre>
 */
public final class Conversation {
    /** 2026-01-01T00:00:00Z, an arbitrary epoch for scenario times. */
    public static final long EPOCH_NANOS = 1_767_225_600_000_000_000L;

    private final Side client;
    private final Side server;
    private final List<TcpSegment> segments = new ArrayList<>();
    private long nowNanos = EPOCH_NANOS;
    private long frame;
    private boolean timestamps;
    /** TSecr for the next segment instead of the peer's last TSval; null for the usual echo. */
    private Integer nextTsEcr;

    private static final class Side {
        final long hi;
        final long lo;
        final int port;
        final int ipVersion;
        int isn;
        int sndNxt;
        boolean synSent;
        /** TSval of this side's last segment, and of its last SYN or SYN-ACK. */
        int lastTsVal;
        int lastSynTsVal;

        /** Same host as {@code host}, another port. */
        Side(Side host, int port) {
            this.hi = host.hi;
            this.lo = host.lo;
            this.ipVersion = host.ipVersion;
            this.port = port;
            this.isn = 0x30000000;
            this.sndNxt = isn;
        }

        Side(String ip, int port, int isn) {
            byte[] a;
            try {
                a = InetAddress.getByName(ip).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(ip, e);
            }
            if (a.length == 4) {
                hi = 0;
                lo = 0x0000_FFFF_0000_0000L | ((a[0] & 0xFFL) << 24) | ((a[1] & 0xFFL) << 16)
                        | ((a[2] & 0xFFL) << 8) | (a[3] & 0xFFL);
                ipVersion = 4;
            } else {
                long h = 0;
                long l = 0;
                for (int i = 0; i < 8; i++) {
                    h = (h << 8) | (a[i] & 0xFF);
                    l = (l << 8) | (a[8 + i] & 0xFF);
                }
                hi = h;
                lo = l;
                ipVersion = 6;
            }
            this.port = port;
            this.isn = isn;
            this.sndNxt = isn;
        }
    }

    public Conversation(String clientIp, int clientPort, String serverIp, int serverPort) {
        this(clientIp, clientPort, 0x10000000, serverIp, serverPort, 0x70000000);
    }

    /** With explicit ISNs (e.g. near 2^32 to test wrap-around). */
    public Conversation(String clientIp, int clientPort, int clientIsn, String serverIp,
                        int serverPort, int serverIsn) {
        client = new Side(clientIp, clientPort, clientIsn);
        server = new Side(serverIp, serverPort, serverIsn);
    }

    /**
     * From now on every segment carries TCP timestamps as Linux sends them: TSval a millisecond
     * clock of the sender (the server's offset from the client's), TSecr the peer's last TSval.
     */
    public Conversation timestamps() {
        timestamps = true;
        return this;
    }

    /**
     * The server re-sends its SYN-ACK echoing the client's last SYN, not what came after it, as
     * Linux 6.18 does for every SYN-ACK it resends (see sample-pcaps/ack-ignored.pcap).
     */
    public Conversation serverSynAckAgainEchoingTheSyn() {
        nextTsEcr = client.lastSynTsVal;
        return serverSynAckAgain();
    }

    /** Moves the clock to {@code seconds} after the scenario's start. */
    public Conversation at(double seconds) {
        long t = EPOCH_NANOS + Math.round(seconds * 1e9);
        if (t < nowNanos) {
            throw new IllegalArgumentException("time goes forward in a scenario");
        }
        nowNanos = t;
        return this;
    }

    /** Client sends a segment with {@code flags} (S, A, P, F, R in any order) and no payload. */
    public Conversation client(String flags) {
        return send(client, server, flags, 0, null, null, 64240);
    }

    public Conversation client(String flags, int payload) {
        return send(client, server, flags, payload, null, null, 64240);
    }

    public Conversation server(String flags) {
        return send(server, client, flags, 0, null, null, 65160);
    }

    public Conversation server(String flags, int payload) {
        return send(server, client, flags, payload, null, null, 65160);
    }

    /** The client re-sends {@code payload} bytes starting {@code back} bytes before its next. */
    public Conversation clientRetransmits(int back, int payload) {
        return send(client, server, "PA", payload, client.sndNxt - back, null, 64240);
    }

    public Conversation serverRetransmits(int back, int payload) {
        return send(server, client, "PA", payload, server.sndNxt - back, null, 65160);
    }

    /** The server re-sends its SYN-ACK. */
    public Conversation serverSynAckAgain() {
        return send(server, client, "SA", 0, server.isn, client.isn + 1, 65160);
    }

    /** The client re-sends its SYN. */
    public Conversation clientSynAgain() {
        return send(client, server, "S", 0, client.isn, null, 64240);
    }

    /** The client starts a new connection on the same ports with a new ISN (port reuse). */
    public Conversation clientSynAgainWithNewIsn() {
        client.isn += 1_000_000;
        client.synSent = false;
        server.isn += 1_000_000;
        server.synSent = false;
        return client("S");
    }

    /** A client ACK with an explicit acknowledgement number (of something not in the capture). */
    public Conversation clientAckingUnseen(int ack) {
        return send(client, server, "A", 0, null, ack, 64240);
    }

    /** A SYN from the same client host on another port: a second, unrelated connection. */
    public Conversation otherClientSyn(int port) {
        Side other = new Side(client, port);
        return send(other, server, "S", 0, null, null, 64240);
    }

    /**
     * A Linux stateless RST from the server answering a segment whose ack was {@code seq}:
     * flags R only, window 0, IP ID 0.
     */
    public Conversation serverStatelessRst(int seq) {
        return send(server, client, "R", 0, seq, null, 0);
    }

    public Conversation clientStatelessRst(int seq) {
        return send(client, server, "R", 0, seq, null, 0);
    }

    /** A segment with an explicit sequence number from {@code "client"} or {@code "server"}. */
    public Conversation send(String side, String flags, int payload, int seq) {
        boolean fromClient = side.equals("client");
        return send(fromClient ? client : server, fromClient ? server : client, flags, payload,
                seq, null, fromClient ? 64240 : 65160);
    }

    /** Server's ISN + {@code n}, for stateless RSTs. */
    public int serverSeq(int n) {
        return server.isn + n;
    }

    public int clientSeq(int n) {
        return client.isn + n;
    }

    private Conversation send(Side from, Side to, String flags, int payload, Integer seq,
                              Integer ack, int window) {
        TcpSegment s = new TcpSegment();
        s.ipVersion = from.ipVersion;
        s.srcHi = from.hi;
        s.srcLo = from.lo;
        s.srcPort = from.port;
        s.dstHi = to.hi;
        s.dstLo = to.lo;
        s.dstPort = to.port;
        int f = 0;
        for (char ch : flags.toCharArray()) {
            f |= switch (ch) {
                case 'S' -> TcpSegment.SYN;
                case 'A', '.' -> TcpSegment.ACK;
                case 'P' -> TcpSegment.PSH;
                case 'F' -> TcpSegment.FIN;
                case 'R' -> TcpSegment.RST;
                default -> throw new IllegalArgumentException("flag " + ch);
            };
        }
        boolean syn = (f & TcpSegment.SYN) != 0;
        if (syn && !from.synSent) {
            from.synSent = true;
            from.sndNxt = from.isn;
        }
        s.flags = f;
        s.seq = seq != null ? seq : syn ? from.isn : from.sndNxt;
        s.ack = (f & TcpSegment.ACK) == 0 ? 0 : ack != null ? ack : to.sndNxt;
        s.window = window;
        s.payloadLength = payload;
        s.ipId = (f & TcpSegment.RST) != 0 && window == 0 ? 0 : 1234;
        if (timestamps) {
            s.hasTimestamps = true;
            s.tsVal = (int) ((nowNanos - EPOCH_NANOS) / 1_000_000) + (from == server ? 500_000 : 0);
            s.tsEcr = nextTsEcr != null ? nextTsEcr : to.lastTsVal;
            nextTsEcr = null;
            from.lastTsVal = s.tsVal;
            if (syn) {
                from.lastSynTsVal = s.tsVal;
            }
        }
        s.tsNanos = nowNanos;
        s.frameNumber = ++frame;
        int end = s.seq + (syn ? 1 : 0) + payload + ((f & TcpSegment.FIN) != 0 ? 1 : 0);
        if (end - from.sndNxt > 0) {
            from.sndNxt = end;
        }
        segments.add(s);
        return this;
    }

    /**
     * This conversation made of {@code other}'s segments, each followed by an exact copy 10 µs
     * later: the same packet captured twice.
     */
    public Conversation doubled(Conversation other) {
        for (TcpSegment s : other.segments) {
            segments.add(copy(s, s.tsNanos, ++frame));
            segments.add(copy(s, s.tsNanos + 10_000, ++frame));
        }
        return this;
    }

    private static TcpSegment copy(TcpSegment s, long tsNanos, long frame) {
        TcpSegment c = new TcpSegment();
        c.copyFrom(s);
        c.tsNanos = tsNanos;
        c.frameNumber = frame;
        return c;
    }

    /** Runs the segments through the tracker and classifier; returns every connection. */
    public List<ConnectionResult> analyze() {
        return analyze(AnalysisConfig.defaults());
    }

    public List<ConnectionResult> analyze(AnalysisConfig config) {
        CollectingSink sink = new CollectingSink();
        FlowTracker tracker = new FlowTracker(config, new Diagnoser(ClassifierConfig.defaults(), sink));
        for (TcpSegment s : segments) {
            tracker.accept(s);
        }
        // The capture ends at the scenario's clock: a last at(t) with no packet after it is a
        // capture that ran on quietly until t.
        tracker.finish(nowNanos);
        List<ConnectionResult> results = new ArrayList<>(sink.connections);
        results.sort((a, b) -> Long.compare(a.id(), b.id()));
        return results;
    }

    /** The only connection; fails if there is not exactly one. */
    public ConnectionResult single() {
        List<ConnectionResult> all = analyze();
        if (all.size() != 1) {
            throw new AssertionError("expected one connection, got " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    /** Segments written so far (each a fresh object), e.g. to write them as frames. */
    public List<TcpSegment> segments() {
        return List.copyOf(segments);
    }
}
