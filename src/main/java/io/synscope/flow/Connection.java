package io.synscope.flow;

import io.synscope.decode.TcpSegment;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A TCP connection being tracked: two {@link Endpoint}s (client and server), the handshake facts
 * the classifier needs, a Zeek-style history string and a bounded log of packets for ladders.
 *
 * <p>Mutable and pooled by {@link FlowTracker}: read it only inside
 * {@link ConnectionListener#onDecided}; after that call returns the object is reused for another
 * connection.
 */
public final class Connection extends TupleTable.Entry {
    /** Event marks, packed into each event's lengths (see {@link #logEvent}). */
    public static final int MARK_FROM_CLIENT = 1;
    public static final int MARK_RETRANSMISSION = 2;
    public static final int MARK_ACK_VALID = 4;

    /** Words an event takes in a frozen record ({@link #freezeEvents}). */
    static final int FROZEN_EVENT_WORDS = 7;
    /** Event log bytes a thawed connection has room for past its log: some five more events. */
    private static final int THAWED_EVENT_ROOM = 64 + Long.BYTES;
    /** Event log bytes a new connection starts with: a SYN and its answer fit. */
    private static final int INITIAL_EVENT_BYTES = 32;
    /**
     * Each field of an event is stored as a whole little-endian word and the write position moves
     * on by the field's own length only, so the log keeps this much room past an event's end.
     */
    private static final int WORD_OVERHANG = Long.BYTES;
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    // An event's header: TCP flags, marks, then the byte length of each field that follows.
    private static final int LENGTH_SHIFT = 11;
    private static final int TS_SHIFT = 14;
    private static final int FRAME_SHIFT = 18;
    private static final int SEQ_SHIFT = 22;
    private static final int ACK_SHIFT = 25;
    private static final int WINDOW_SHIFT = 28;
    /** History letters, in code order: a letter's code is its index + 1 (0 ends the history). */
    private static final String HISTORY_LETTERS = "SHADFRT";
    private static final byte[] HISTORY_CODE = new byte[26];

    static {
        for (int i = 0; i < HISTORY_LETTERS.length(); i++) {
            HISTORY_CODE[HISTORY_LETTERS.charAt(i) - 'A'] = (byte) (i + 1);
        }
    }

    final Endpoint client = new Endpoint(this, true);
    final Endpoint server = new Endpoint(this, false);
    int ipVersion;
    /** Set by {@link #reset}; not null before either, so that {@link #transfer} need not ask. */
    RoleBasis roleBasis = RoleBasis.FIRST_PACKET;

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
    /** Client data retransmissions before any server progress, and the first of them. */
    int clientRetransBeforeProgress;
    long firstClientRetransBeforeProgressFrame;
    long firstClientRetransBeforeProgressTsNanos;
    /** Server RST sent before any SYN-ACK (an answer to the SYN). */
    boolean rstAnsweredSyn;

    /**
     * Zeek-style history: each letter once per direction, in order of first occurrence, as 4-bit
     * codes from the low end: letter code (1-7) for the client, code + 7 for the server. 14 codes
     * at most, so 56 bits always hold it.
     */
    private long history;
    /** Bit {@code code} set once that code is in {@link #history}. */
    private int historySeen;
    private int historyLength;

    /**
     * The packets kept for the ladder, each as a header and the bytes its fields need (see
     * {@link #logEvent}): 10-16 bytes an event where fixed words took 32, and a connection open
     * for minutes mostly keeps events (docs/performance.md#m1-connection-state).
     */
    private byte[] events = new byte[INITIAL_EVENT_BYTES];
    private int eventBytes;
    private int eventCount;
    private long eventsOmitted;
    /** The log decoded for the accessors, 4 words an event; built on first read, null until then. */
    private long[] decoded;

    // Why and when the tracker decided it, until the listener is called.
    Decision decision;
    long decidedAtNanos;

    void reset(long firstFrame, long firstTsNanos, int ipVersion, long clientHi, long clientLo, int clientPort,
               long serverHi, long serverLo, int serverPort, RoleBasis roleBasis) {
        this.ipVersion = ipVersion;
        this.roleBasis = roleBasis;
        setKey(clientHi, clientLo, clientPort, serverHi, serverLo, serverPort);
        client.reset();
        server.reset();
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
        firstClientRetransBeforeProgressFrame = 0;
        firstClientRetransBeforeProgressTsNanos = 0;
        rstAnsweredSyn = false;
        history = 0;
        historySeen = 0;
        historyLength = 0;
        eventBytes = 0;
        eventCount = 0;
        eventsOmitted = 0;
        decoded = null;
    }

    private static final RoleBasis[] ROLE_BASES = RoleBasis.values();

    /**
     * Writes or reads every field of this open connection but its key (see
     * {@link StateTransfer}): what freezing an idle connection keeps. A field added here must be
     * added to this list; FrozenTableTest fails for one that is not.
     */
    void transfer(StateTransfer t) {
        // These four first, in this order: FrozenTable reads them without thawing.
        firstFrame = t.num(firstFrame);
        firstTsNanos = t.num(firstTsNanos);
        t.setBases(firstTsNanos, firstFrame);
        lastTsNanos = t.time(lastTsNanos);
        lastFrame = t.frame(lastFrame);
        t.setLatest(lastTsNanos, lastFrame);
        ipVersion = t.num(ipVersion);
        roleBasis = t.choice(roleBasis, ROLE_BASES);
        synAckCount = t.num(synAckCount);
        synAckTsNanos = t.time(synAckTsNanos);
        synAckFrame = t.frame(synAckFrame);
        lastSynAckTsNanos = t.time(lastSynAckTsNanos);
        synsBeforeSynAck = t.num(synsBeforeSynAck);
        handshakeAckTsNanos = t.time(handshakeAckTsNanos);
        handshakeAckFrame = t.frame(handshakeAckFrame);
        handshakeAckClientRel = t.num(handshakeAckClientRel);
        synToSynAckNanos = t.num(synToSynAckNanos);
        handshakeRttNanos = t.num(handshakeRttNanos);
        synAcksCrossingAck = t.num(synAcksCrossingAck);
        synAcksAfterHandshakeAck = t.num(synAcksAfterHandshakeAck);
        firstSynAckAfterAckFrame = t.frame(firstSynAckAfterAckFrame);
        firstSynAckAfterAckTsNanos = t.time(firstSynAckAfterAckTsNanos);
        lastSynAckFrame = t.frame(lastSynAckFrame);
        serverProgressTsNanos = t.time(serverProgressTsNanos);
        serverProgressFrame = t.frame(serverProgressFrame);
        clientRetransBeforeProgress = t.num(clientRetransBeforeProgress);
        firstClientRetransBeforeProgressFrame = t.frame(firstClientRetransBeforeProgressFrame);
        firstClientRetransBeforeProgressTsNanos = t.time(firstClientRetransBeforeProgressTsNanos);
        rstAnsweredSyn = t.flag(rstAnsweredSyn);
        history = t.num(history);
        // Both follow from the history's codes.
        historySeen = 0;
        historyLength = 0;
        for (long codes = history; codes != 0; codes >>>= 4) {
            historySeen |= 1 << (codes & 0xF);
            historyLength++;
        }
        eventCount = t.num(eventCount);
        eventsOmitted = t.num(eventsOmitted);
        // The log itself is recoded after this list (freezeEvents, thawEvents); its length in
        // bytes lets a thaw make room for it at once.
        eventBytes = t.num(eventBytes);
        client.transfer(t);
        server.transfer(t);
        // After the client's ISN, which it should be one more than.
        synAckAckRaw = t.wrapped(synAckAckRaw, client.isn + 1);
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
        return client.state.handshaking() && server.state.handshaking();
    }

    /**
     * True once nothing more can change the verdict: either side reset, or both sides sent a
     * FIN and each FIN was acknowledged.
     */
    boolean finished() {
        return client.rstSeen || server.rstSeen
                || (client.finSeen && server.finSeen && server.ackSeen && client.ackSeen
                && server.maxAckRel >= client.fin.endRel && client.maxAckRel >= server.fin.endRel);
    }

    /** Appends history letter {@code upper} (client) or its lower case (server) the first time. */
    void history(char upper, boolean fromClient) {
        int code = HISTORY_CODE[upper - 'A'] + (fromClient ? 0 : HISTORY_LETTERS.length());
        int bit = 1 << code;
        if ((historySeen & bit) != 0) {
            return;
        }
        historySeen |= bit;
        history |= (long) code << (4 * historyLength++);
    }

    /**
     * Logs a packet for the ladder. The first {@code max - 8} packets are all kept; after that
     * only SYN/FIN/RST and retransmissions, up to {@code max}, because those are what a ladder of
     * a failure needs.
     *
     * <p>An event is a 4-byte header (TCP flags, marks and the byte length of each field), then
     * its fields, each in as few little-endian bytes as hold it (0 for 0): time and frame number
     * after the connection's first (zigzag, so a capture whose time goes backwards still
     * round-trips); relative sequence and acknowledgement numbers as Wireshark shows them (32
     * bits); payload length; window. Lengths come from the leading zeros and fields are
     * whole-word stores: no varint loop per field
     * (docs/performance.md#j5-no-loop-per-byte-on-the-packet-path).
     */
    void logEvent(TcpSegment s, long relSeq, long relAck, int marks, int maxEvents) {
        // Numbers and one branch, not four: the first retransmission comes half a second into a
        // capture and the log fills up late, if ever (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
        int interesting = (s.flags & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST))
                | (marks & MARK_RETRANSMISSION);
        int boring = ((interesting | -interesting) >>> 31) ^ 1;
        int full = (maxEvents - 1 - eventCount) >>> 31;
        int nearlyFull = (maxEvents - 9 - eventCount) >>> 31;
        if ((full | nearlyFull & boring) != 0) {
            eventsOmitted++;
            return;
        }
        appendEvent(s.flags & 0xFF | (marks & 7) << 8, zigzag(s.tsNanos - firstTsNanos),
                zigzag(s.frameNumber - firstFrame), relSeq & 0xFFFF_FFFFL, relAck & 0xFFFF_FFFFL,
                s.payloadLength & 0xFFFF_FFFFL, s.window & 0xFFFF);
    }

    /**
     * Writes one event (see {@link #logEvent}): the header, time, frame, then sequence and
     * acknowledgement numbers in one word, payload length and window in one word. Five stores,
     * in a method of its own under C2's 325 bytecodes for a hot call
     * (docs/performance.md#j5-no-loop-per-byte-on-the-packet-path).
     */
    private void appendEvent(int flagsMarks, long ts, long frame, long seq, long ack, long length,
                             long window) {
        int tsBytes = bytesOf(ts);
        int frameBytes = bytesOf(frame);
        int seqBytes = bytesOf(seq);
        int ackBytes = bytesOf(ack);
        int lengthBytes = bytesOf(length);
        int windowBytes = bytesOf(window);
        int end = eventBytes + Integer.BYTES + tsBytes + frameBytes + seqBytes + ackBytes
                + lengthBytes + windowBytes;
        if (end + WORD_OVERHANG > events.length) {
            growEvents(end + WORD_OVERHANG);
        }
        byte[] e = events;
        int p = eventBytes;
        INT_LE.set(e, p, flagsMarks | tsBytes << TS_SHIFT | frameBytes << FRAME_SHIFT
                | seqBytes << SEQ_SHIFT | ackBytes << ACK_SHIFT | lengthBytes << LENGTH_SHIFT
                | windowBytes << WINDOW_SHIFT);
        p += Integer.BYTES;
        LONG_LE.set(e, p, ts);
        p += tsBytes;
        LONG_LE.set(e, p, frame);
        p += frameBytes;
        // At most 4 + 4 and 4 + 2 bytes: each pair fits one word.
        LONG_LE.set(e, p, seq | ack << (8 * seqBytes));
        p += seqBytes + ackBytes;
        LONG_LE.set(e, p, length | window << (8 * lengthBytes));
        eventBytes = end;
        eventCount++;
        decoded = null;
    }

    /** By half, or to {@code bytes}; a few times in a pooled connection's life at most. */
    private void growEvents(int bytes) {
        events = java.util.Arrays.copyOf(events,
                Math.max(events.length + (events.length >> 1), bytes));
    }

    /** Bytes that hold {@code v}: 0 for 0, up to 8. */
    private static int bytesOf(long v) {
        return (71 - Long.numberOfLeadingZeros(v)) >>> 3;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** The event log as 4 words an event: tsNanos, frame, relSeq << 32 | relAck, the rest. */
    private long[] decoded() {
        if (decoded == null) {
            long[] d = new long[eventCount * 4];
            decodeInto(d);
            decoded = d;
        }
        return decoded;
    }

    /**
     * Decodes the event log into the first {@code 4 * eventCount} words of {@code d}, as
     * {@link #decoded()} lays them out.
     */
    private void decodeInto(long[] d) {
        byte[] e = events;
        int p = 0;
        for (int i = 0; i < eventCount; i++) {
            int header = (int) INT_LE.get(e, p);
            p += Integer.BYTES;
            int n = (header >>> TS_SHIFT) & 0xF;
            d[4 * i] = firstTsNanos + unzigzag(field(e, p, n));
            p += n;
            n = (header >>> FRAME_SHIFT) & 0xF;
            d[4 * i + 1] = firstFrame + unzigzag(field(e, p, n));
            p += n;
            int seqBytes = (header >>> SEQ_SHIFT) & 7;
            int ackBytes = (header >>> ACK_SHIFT) & 7;
            long seqAck = field(e, p, seqBytes + ackBytes);
            p += seqBytes + ackBytes;
            d[4 * i + 2] = (seqAck & mask(seqBytes)) << 32 | (seqAck >>> (8 * seqBytes));
            int lengthBytes = (header >>> LENGTH_SHIFT) & 7;
            int windowBytes = (header >>> WINDOW_SHIFT) & 3;
            long lengthWindow = field(e, p, lengthBytes + windowBytes);
            p += lengthBytes + windowBytes;
            d[4 * i + 3] = (lengthWindow & mask(lengthBytes)) << 32
                    | (lengthWindow >>> (8 * lengthBytes)) << 16 | (header & 0xFF) << 8
                    | ((header >>> 8) & 7);
        }
    }

    /**
     * Writes the event log into a frozen record, after {@link #transfer}'s fields, as
     * {@link #FROZEN_EVENT_WORDS} words an event with a length code each
     * ({@link StateTransfer#writeBlock}): the marks and TCP flags, with the nanoseconds left over a
     * whole microsecond above them (none on a microsecond clock); the time in whole microseconds
     * after the previous event's; the frame after the previous event's; the relative sequence and
     * acknowledgement numbers and the window after the previous event's in the same direction;
     * the payload length. A handshake's events are microseconds and a few frames apart, and a
     * direction's numbers grow by a segment at a time, so most words take a byte or none, where
     * the log counts times in nanoseconds and frames from the connection's first, with a 4-byte
     * header an event (bench/README.md, "Frozen records, smaller again"). The log a thaw rebuilds
     * ({@link #thawEvents}) is the one frozen, byte for byte.
     */
    void freezeEvents(StateTransfer t) {
        int n = eventCount;
        long[] s = t.scratch((4 + FROZEN_EVENT_WORDS) * n);
        decodeInto(s);
        int w = 4 * n;
        long micros = 0;
        long frame = 0;
        DirectionBases bases = new DirectionBases();
        for (int i = 0; i < n; i++) {
            long tsRel = s[4 * i] - firstTsNanos;
            long frameRel = s[4 * i + 1] - firstFrame;
            long seq = s[4 * i + 2] >>> 32;
            long ack = s[4 * i + 2] & 0xFFFF_FFFFL;
            long rest = s[4 * i + 3];
            long window = (rest >>> 16) & 0xFFFF;
            long fromClient = -(rest & MARK_FROM_CLIENT);
            long us = Math.floorDiv(tsRel, StateTransfer.NANOS_PER_MICRO);
            s[w++] = (rest & 7) | ((rest >>> 8) & 0xFF) << 3
                    | (tsRel - us * StateTransfer.NANOS_PER_MICRO) << 11;
            s[w++] = zigzag(us - micros);
            s[w++] = zigzag(frameRel - frame);
            s[w++] = zigzag32(seq - bases.seq(fromClient));
            s[w++] = zigzag32(ack - bases.ack(fromClient));
            s[w++] = zigzag16(window - bases.window(fromClient));
            s[w++] = rest >>> 32;
            micros = us;
            frame = frameRel;
            bases.step(fromClient, seq, ack, window);
        }
        t.writeBlock(s, 4 * n, FROZEN_EVENT_WORDS * n);
    }

    /**
     * Rebuilds the event log from a frozen record, after {@link #transfer} has read the event
     * count and the first packet's time and frame: {@link #freezeEvents} backwards.
     */
    void thawEvents(StateTransfer t) {
        int n = eventCount;
        long[] w = t.readBlock(FROZEN_EVENT_WORDS * n);
        // Room for the log and the next exchange's events at once, and a power of two, so the
        // pool's logs settle on a few sizes: grown by half from a pooled connection's size
        // event by event, the log's copies were a fifth of what a state-heavy capture
        // allocated (bench/README.md, "Frozen records, smaller again").
        int need = eventBytes + THAWED_EVENT_ROOM;
        if (events.length < need) {
            events = new byte[Integer.highestOneBit(need - 1) << 1];
        }
        eventCount = 0;
        eventBytes = 0;
        decoded = null;
        long micros = 0;
        long frame = 0;
        DirectionBases bases = new DirectionBases();
        for (int i = 0; i < n; i++) {
            int k = FROZEN_EVENT_WORDS * i;
            long head = w[k];
            long fromClient = -(head & MARK_FROM_CLIENT);
            micros += unzigzag(w[k + 1]);
            frame += unzigzag(w[k + 2]);
            long seq = bases.seq(fromClient) + unzigzag(w[k + 3]) & 0xFFFF_FFFFL;
            long ack = bases.ack(fromClient) + unzigzag(w[k + 4]) & 0xFFFF_FFFFL;
            long window = bases.window(fromClient) + unzigzag(w[k + 5]) & 0xFFFF;
            long tsRel = micros * StateTransfer.NANOS_PER_MICRO + (head >>> 11);
            appendEvent((int) ((head >>> 3) & 0xFF | (head & 7) << 8), zigzag(tsRel),
                    zigzag(frame), seq, ack, w[k + 6], window);
            bases.step(fromClient, seq, ack, window);
        }
    }

    /**
     * The previous event's sequence and acknowledgement numbers and window in each direction,
     * which a frozen event's are counted from ({@link #freezeEvents}, {@link #thawEvents}).
     * Directions are masks, all ones for the client and 0 for the server: both come from a
     * connection's first events, so a branch on them would gain nothing. A local object each
     * time, which escape analysis keeps in registers.
     */
    private static final class DirectionBases {
        private long clientSeq;
        private long serverSeq;
        private long clientAck;
        private long serverAck;
        private long clientWindow;
        private long serverWindow;

        long seq(long fromClient) {
            return (clientSeq & fromClient) | (serverSeq & ~fromClient);
        }

        long ack(long fromClient) {
            return (clientAck & fromClient) | (serverAck & ~fromClient);
        }

        long window(long fromClient) {
            return (clientWindow & fromClient) | (serverWindow & ~fromClient);
        }

        /** After an event of the direction {@code fromClient} with these numbers. */
        void step(long fromClient, long seq, long ack, long window) {
            clientSeq = (seq & fromClient) | (clientSeq & ~fromClient);
            serverSeq = (seq & ~fromClient) | (serverSeq & fromClient);
            clientAck = (ack & fromClient) | (clientAck & ~fromClient);
            serverAck = (ack & ~fromClient) | (serverAck & fromClient);
            clientWindow = (window & fromClient) | (clientWindow & ~fromClient);
            serverWindow = (window & ~fromClient) | (serverWindow & fromClient);
        }
    }

    /** {@code d} as a 32-bit difference, zigzagged: a sequence number's step either way. */
    private static long zigzag32(long d) {
        int x = (int) d;
        return ((x << 1) ^ (x >> 31)) & 0xFFFF_FFFFL;
    }

    /** {@code d} as a 16-bit difference, zigzagged: a window's change either way. */
    private static long zigzag16(long d) {
        short x = (short) d;
        return ((x << 1) ^ (x >> 15)) & 0xFFFF;
    }

    /** The {@code n}-byte field at {@code p} (the log has a word's room past every event). */
    private static long field(byte[] e, int p, int n) {
        return (long) LONG_LE.get(e, p) & mask(n);
    }

    /** The low {@code n} bytes of a word. */
    private static long mask(int n) {
        return n == 0 ? 0 : -1L >>> (64 - 8 * n);
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

    public long firstClientRetransBeforeProgressFrame() {
        return firstClientRetransBeforeProgressFrame;
    }

    public long firstClientRetransBeforeProgressTsNanos() {
        return firstClientRetransBeforeProgressTsNanos;
    }

    public boolean rstAnsweredSyn() {
        return rstAnsweredSyn;
    }

    /** Zeek-style history: S SYN, H SYN-ACK, A ACK, D data, F FIN, R RST, T retransmission; upper case for the client, lower for the server. */
    public String history() {
        char[] letters = new char[historyLength];
        int letterCount = HISTORY_LETTERS.length();
        for (int i = 0; i < historyLength; i++) {
            int code = (int) (history >>> (4 * i)) & 0xF;
            char upper = HISTORY_LETTERS.charAt((code - 1) % letterCount);
            letters[i] = code > letterCount ? Character.toLowerCase(upper) : upper;
        }
        return new String(letters);
    }

    public int eventCount() {
        return eventCount;
    }

    /** Packets seen but not kept in the event log. */
    public long eventsOmitted() {
        return eventsOmitted;
    }

    public long eventTsNanos(int i) {
        return decoded()[i * 4];
    }

    public long eventFrame(int i) {
        return decoded()[i * 4 + 1];
    }

    /** Sequence number relative to the sender's base, modulo 2^32 as Wireshark shows it. */
    public long eventRelSeq(int i) {
        return decoded()[i * 4 + 2] >>> 32;
    }

    public long eventRelAck(int i) {
        return decoded()[i * 4 + 2] & 0xFFFF_FFFFL;
    }

    public int eventPayloadLength(int i) {
        return (int) (decoded()[i * 4 + 3] >>> 32);
    }

    public int eventWindow(int i) {
        return (int) ((decoded()[i * 4 + 3] >>> 16) & 0xFFFF);
    }

    public int eventFlags(int i) {
        return (int) ((decoded()[i * 4 + 3] >>> 8) & 0xFF);
    }

    public int eventMarks(int i) {
        return (int) (decoded()[i * 4 + 3] & 0xFF);
    }
}
