package io.synscope.flow;

import io.synscope.decode.TcpSegment;

/**
 * A TCP connection being tracked: two {@link Endpoint}s (client and server), the handshake facts
 * the classifier needs, a Zeek-style history string and a bounded log of packets for ladders.
 *
 * <p>Mutable and pooled by {@link FlowTracker}: read it only inside
 * {@link ConnectionListener#onDecided}; after that call returns the object is reused for another
 * connection.
 */
public final class Connection extends TupleTable.Entry {
    /** Event marks, packed into the low byte of each event's last word. */
    public static final int MARK_FROM_CLIENT = 1;
    public static final int MARK_RETRANSMISSION = 2;
    public static final int MARK_ACK_VALID = 4;

    private static final int WORDS_PER_EVENT = 4;
    private static final int INITIAL_EVENTS = 12;

    final Endpoint client = new Endpoint();
    final Endpoint server = new Endpoint();
    int ipVersion;
    RoleBasis roleBasis;

    long firstTsNanos;
    long lastTsNanos;
    long firstFrame;
    long lastFrame;

    // Handshake.
    int synAckCount;
    long synAckTsNanos;
    long synAckFrame;
    long lastSynAckTsNanos;
    /** Raw acknowledgement number of the first SYN-ACK (client ISN + 1). */
    int synAckAckRaw;
    /** Client SYNs sent before the first SYN-ACK. */
    int synsBeforeSynAck;
    long handshakeAckTsNanos;
    long handshakeAckFrame;
    /** Client's relative sequence number at its handshake ACK: server acks beyond it are progress. */
    long handshakeAckClientRel;
    /** First SYN-ACK minus the client's last SYN before it; -1 when no client SYN was seen. */
    long synToSynAckNanos;
    /** The handshake's round trip as seen from the capture point (see {@link #handshakeRttNanos()}). */
    long handshakeRttNanos;
    /**
     * Server SYN-ACKs after the client's handshake ACK that the server sent before that ACK
     * reached it: they crossed in flight (see {@link FlowTracker}), so they are no sign of an
     * ignored ACK.
     */
    int synAcksCrossingAck;
    /** Server SYN-ACKs sent after the client's handshake ACK had reached it: it ignored that ACK. */
    int synAcksAfterHandshakeAck;
    long firstSynAckAfterAckFrame;
    long firstSynAckAfterAckTsNanos;
    long lastSynAckFrame;
    /** First server segment, after the handshake, that carried data or acknowledged client data. */
    long serverProgressTsNanos;
    long serverProgressFrame;
    /** Client retransmissions before any server progress. */
    int clientRetransBeforeProgress;
    /** Server RST sent before any SYN-ACK (an answer to the SYN). */
    boolean rstAnsweredSyn;

    // Zeek-style history: each letter once per direction, in order of first occurrence.
    private final char[] history = new char[32];
    private int historyLength;
    private int historyClientBits;
    private int historyServerBits;

    // Packed events: [tsNanos, frame, relSeq<<32 | relAck, len<<32 | window<<16 | flags<<8 | marks].
    private long[] events = new long[INITIAL_EVENTS * WORDS_PER_EVENT];
    private int eventCount;
    private long eventsOmitted;

    // Why and when the tracker decided it, until the listener is called.
    Decision decision;
    long decidedAtNanos;

    void reset(long firstFrame, long firstTsNanos, int ipVersion, long clientHi, long clientLo, int clientPort,
               long serverHi, long serverLo, int serverPort, RoleBasis roleBasis) {
        this.ipVersion = ipVersion;
        this.roleBasis = roleBasis;
        setKey(clientHi, clientLo, clientPort, serverHi, serverLo, serverPort);
        client.reset(clientHi, clientLo, clientPort);
        server.reset(serverHi, serverLo, serverPort);
        this.firstTsNanos = firstTsNanos;
        this.firstFrame = firstFrame;
        lastTsNanos = 0;
        lastFrame = 0;
        synAckCount = 0;
        synAckTsNanos = 0;
        synAckFrame = 0;
        lastSynAckTsNanos = 0;
        synAckAckRaw = 0;
        synsBeforeSynAck = 0;
        handshakeAckTsNanos = 0;
        handshakeAckFrame = 0;
        handshakeAckClientRel = 0;
        synToSynAckNanos = -1;
        handshakeRttNanos = -1;
        synAcksCrossingAck = 0;
        synAcksAfterHandshakeAck = 0;
        firstSynAckAfterAckFrame = 0;
        firstSynAckAfterAckTsNanos = 0;
        lastSynAckFrame = 0;
        serverProgressTsNanos = 0;
        serverProgressFrame = 0;
        clientRetransBeforeProgress = 0;
        rstAnsweredSyn = false;
        historyLength = 0;
        historyClientBits = 0;
        historyServerBits = 0;
        eventCount = 0;
        eventsOmitted = 0;
    }

    boolean isClient(long hi, long lo, int port) {
        return isA(hi, lo, port);
    }

    /**
     * True while every packet so far was a SYN or a SYN-ACK (retransmissions of the same ones
     * included): the handshake is all there is, and the side that retries does so on a
     * doubling timer (see {@link FlowTracker}'s handshake window).
     */
    boolean handshakeOnly() {
        return client.packets == client.synCount && server.packets == server.synCount;
    }

    /**
     * True once nothing more can change the verdict: either side reset, or both sides sent a
     * FIN and each FIN was acknowledged.
     */
    boolean finished() {
        return client.rstSeen || server.rstSeen
                || (client.finSeen && server.finSeen && server.ackSeen && client.ackSeen
                && server.maxAckRel >= client.finEndRel && client.maxAckRel >= server.finEndRel);
    }

    /** Appends history letter {@code upper} (client) or its lower case (server) the first time. */
    void history(char upper, boolean fromClient) {
        int bit = 1 << (upper - 'A');
        if (fromClient) {
            if ((historyClientBits & bit) != 0) {
                return;
            }
            historyClientBits |= bit;
        } else {
            if ((historyServerBits & bit) != 0) {
                return;
            }
            historyServerBits |= bit;
        }
        if (historyLength < history.length) {
            history[historyLength++] = fromClient ? upper : Character.toLowerCase(upper);
        }
    }

    /**
     * Logs a packet for the ladder. The first {@code max - 8} packets are all kept; after that
     * only SYN/FIN/RST and retransmissions, up to {@code max}, because those are what a ladder of
     * a failure needs.
     */
    void logEvent(TcpSegment s, long relSeq, long relAck, int marks, int maxEvents) {
        boolean interesting = (s.flags & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST)) != 0
                | (marks & MARK_RETRANSMISSION) != 0;
        // One branch, not three: the log fills up late in a capture, if ever, and a branch
        // first taken then makes the JIT recompile the packet path.
        if (eventCount >= maxEvents | (eventCount >= maxEvents - 8 & !interesting)) {
            eventsOmitted++;
            return;
        }
        int base = eventCount * WORDS_PER_EVENT;
        if (base + WORDS_PER_EVENT > events.length) {
            long[] grown = new long[Math.min(events.length * 2, maxEvents * WORDS_PER_EVENT)];
            System.arraycopy(events, 0, grown, 0, events.length);
            events = grown;
        }
        events[base] = s.tsNanos;
        events[base + 1] = s.frameNumber;
        events[base + 2] = (relSeq << 32) | (relAck & 0xFFFF_FFFFL);
        events[base + 3] = ((long) s.payloadLength << 32) | ((long) (s.window & 0xFFFF) << 16)
                | ((s.flags & 0xFF) << 8) | (marks & 0xFF);
        eventCount++;
    }

    /** The connection's first frame number: unique, and in the order connections started. */
    public long id() {
        return firstFrame;
    }

    public Endpoint client() {
        return client;
    }

    public Endpoint server() {
        return server;
    }

    public int ipVersion() {
        return ipVersion;
    }

    public RoleBasis roleBasis() {
        return roleBasis;
    }

    public long firstTsNanos() {
        return firstTsNanos;
    }

    public long lastTsNanos() {
        return lastTsNanos;
    }

    public long firstFrame() {
        return firstFrame;
    }

    public long lastFrame() {
        return lastFrame;
    }

    public int synAckCount() {
        return synAckCount;
    }

    public long synAckTsNanos() {
        return synAckTsNanos;
    }

    public long synAckFrame() {
        return synAckFrame;
    }

    public long lastSynAckTsNanos() {
        return lastSynAckTsNanos;
    }

    public int synsBeforeSynAck() {
        return synsBeforeSynAck;
    }

    public long handshakeAckTsNanos() {
        return handshakeAckTsNanos;
    }

    /** Frame of the client's ACK of the SYN-ACK, or 0 when none was seen. */
    public long handshakeAckFrame() {
        return handshakeAckFrame;
    }

    public int synAcksAfterHandshakeAck() {
        return synAcksAfterHandshakeAck;
    }

    /** SYN-ACKs after the handshake ACK that crossed it in flight (not evidence of anything). */
    public int synAcksCrossingAck() {
        return synAcksCrossingAck;
    }

    /** The first SYN-ACK's delay after the client's last SYN before it; -1 with no client SYN. */
    public long synToSynAckNanos() {
        return synToSynAckNanos;
    }

    /**
     * The handshake's round trip, -1 when unknown: the first SYN-ACK's delay after the last SYN
     * before it plus the handshake ACK's delay after the last SYN-ACK before it. Whatever the
     * capture point, the two halves add up to one round trip: next to the client the first is
     * the path and the second the client's reaction; next to the server the other way round.
     */
    public long handshakeRttNanos() {
        return handshakeRttNanos;
    }

    public long firstSynAckAfterAckFrame() {
        return firstSynAckAfterAckFrame;
    }

    public long firstSynAckAfterAckTsNanos() {
        return firstSynAckAfterAckTsNanos;
    }

    public long lastSynAckFrame() {
        return lastSynAckFrame;
    }

    public long serverProgressTsNanos() {
        return serverProgressTsNanos;
    }

    public long serverProgressFrame() {
        return serverProgressFrame;
    }

    public int clientRetransBeforeProgress() {
        return clientRetransBeforeProgress;
    }

    public boolean rstAnsweredSyn() {
        return rstAnsweredSyn;
    }

    /** Zeek-style history: S SYN, H SYN-ACK, A ACK, D data, F FIN, R RST, T retransmission; upper case for the client, lower for the server. */
    public String history() {
        return new String(history, 0, historyLength);
    }

    public int eventCount() {
        return eventCount;
    }

    /** Packets seen but not kept in the event log. */
    public long eventsOmitted() {
        return eventsOmitted;
    }

    public long eventTsNanos(int i) {
        return events[i * WORDS_PER_EVENT];
    }

    public long eventFrame(int i) {
        return events[i * WORDS_PER_EVENT + 1];
    }

    /** Sequence number relative to the sender's base, modulo 2^32 as Wireshark shows it. */
    public long eventRelSeq(int i) {
        return events[i * WORDS_PER_EVENT + 2] >>> 32;
    }

    public long eventRelAck(int i) {
        return events[i * WORDS_PER_EVENT + 2] & 0xFFFF_FFFFL;
    }

    public int eventPayloadLength(int i) {
        return (int) (events[i * WORDS_PER_EVENT + 3] >>> 32);
    }

    public int eventWindow(int i) {
        return (int) ((events[i * WORDS_PER_EVENT + 3] >>> 16) & 0xFFFF);
    }

    public int eventFlags(int i) {
        return (int) ((events[i * WORDS_PER_EVENT + 3] >>> 8) & 0xFF);
    }

    public int eventMarks(int i) {
        return (int) (events[i * WORDS_PER_EVENT + 3] & 0xFF);
    }
}
