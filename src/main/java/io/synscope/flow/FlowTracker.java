package io.synscope.flow;

import io.synscope.decode.TcpSegment;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Rebuilds TCP connections from segments given one at a time, in capture order, and hands each
 * connection to a {@link ConnectionListener} as soon as it is decided: reset, or closed by FINs
 * both ways that were both acknowledged (at that packet), idle for
 * {@link AnalysisConfig#idleTimeoutNanos()}, a handshake whose retries stopped
 * ({@link AnalysisConfig#handshakeWindowNanos}), superseded by a new SYN on the same 4-tuple,
 * or still open at {@link #finish()}. Packets that trail a closed connection are counted as
 * {@link #latePackets()}.
 *
 * <p>Memory is bounded by the connections open at once: decided connections go back to a pool.
 * Nothing here knows where segments come from, so a file and a live capture are the same to it.
 * Time is capture time: the latest packet timestamp seen, or a later time a live capture
 * reports with {@link #advanceTo} while no packet comes.
 *
 * <p>Not thread-safe; one tracker per packet stream.
 */
public final class FlowTracker {
    /**
     * Capture time between sweeps for idle connections and expired tombstones, not every packet
     * (docs/performance.md#j2-rare-work-is-called-rarely-from-outside-the-per-packet-method). Idle connections are decided at most
     * this late (against a timeout of minutes); tombstones check their own expiry, so their
     * answers do not depend on it.
     */
    static final long SWEEP_INTERVAL_NANOS = 1_000_000;
    private static final Comparator<Connection> BY_FIRST_FRAME =
            Comparator.comparingLong(Connection::firstFrame);
    private static final Comparator<Connection> BY_LAST_PACKET =
            Comparator.comparingLong(Connection::lastFrame);
    /** Connections decided at the capture's end per call of the listener (see {@link #finish}). */
    private static final int CAPTURE_END_BATCH = 4096;

    private final AnalysisConfig config;
    private final ConnectionListener listener;
    private final TupleTable<Connection> table = new TupleTable<>();
    private final ArrayDeque<Connection> pool = new ArrayDeque<>();
    /**
     * Open connections silent for a while ({@link #silentForFreezing}), held compactly
     * ({@link FrozenTable}); a connection is in {@link #table} or here, never both.
     */
    private final FrozenTable frozen = new FrozenTable();
    /** Freezes and thaws, one connection at a time. */
    private final StateTransfer transfer = new StateTransfer();
    /**
     * No frozen connection's last packet is older than this: until the idle timeout has passed
     * since it, a scan for silent connections need not look at the frozen ones.
     */
    private long oldestFrozenTsNanos = Long.MAX_VALUE;
    private long nextFreezeNanos = Long.MIN_VALUE;
    /** This tracker's share of {@link AnalysisConfig#freezeAboveOpen()}. */
    private final long freezeAbove;
    /** Learnt by whoever feeds this tracker, before it does. */
    private final ListenerBook listeners;
    /**
     * Whether this tracker schedules its scans for silent connections itself; a shard's are
     * ordered by {@link ShardedTracker} ({@link #moveClockTo}), so that every shard scans at the
     * same capture times whatever packets it gets.
     */
    private final boolean schedulesOwnScans;

    /**
     * 4-tuples of connections decided less than {@link AnalysisConfig#closeLingerNanos()} ago.
     * A straggler (the second RST of an overflow, a retransmitted ACK) that finds one is counted
     * and dropped instead of starting a bogus mid-stream connection.
     */
    private final TombstoneSet tombstones = new TombstoneSet();

    private long nowNanos = Long.MIN_VALUE;
    private long nextSweepNanos = Long.MIN_VALUE;
    private long nextExpiryScanNanos = Long.MIN_VALUE;
    private long connectionsSeen;
    private long peakOpen;
    /** This tracker's share of {@link AnalysisConfig#maxOpenConnections()}. */
    private final long maxOpen;
    private long decidedEarly;
    private long latePackets;
    private long duplicatePackets;
    /** Decided connections waiting for {@link #drainDecided()}. */
    private Connection[] decided = new Connection[16];
    private int decidedCount;

    public FlowTracker(AnalysisConfig config, ConnectionListener listener) {
        this(config, listener, new ListenerBook(), 1.0, true);
    }

    /**
     * A tracker for one shard: {@code listeners} is learnt, and its time and scans are ordered
     * ({@link #moveClockTo}), by whoever dispatches the packets, and the tracker holds
     * {@code share} of {@link AnalysisConfig#maxOpenConnections()} open.
     */
    FlowTracker(AnalysisConfig config, ConnectionListener listener, ListenerBook listeners,
                double share) {
        this(config, listener, listeners, share, false);
    }

    private FlowTracker(AnalysisConfig config, ConnectionListener listener,
                        ListenerBook listeners, double share, boolean schedulesOwnScans) {
        this.config = config;
        this.listener = listener;
        this.listeners = listeners;
        this.maxOpen = Math.max(1, (long) Math.ceil(config.maxOpenConnections() * share));
        this.freezeAbove = (long) Math.ceil(config.freezeAboveOpen() * share);
        this.schedulesOwnScans = schedulesOwnScans;
    }

    /**
     * Feeds one segment. The tracker reads {@code s} during the call only (it is the caller's
     * reused scratch object) and may call the listener for this or other connections.
     */
    public void accept(TcpSegment s) {
        listeners.learnFrom(s);
        accept(s, EndpointPairs.hash64(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort));
        drainDecided();
    }

    /**
     * As {@link #accept(TcpSegment)}, with {@link EndpointPairs#hash64} of its tuple known and the
     * listeners already learnt from it, except that decided connections wait for
     * {@link #drainDecided()}.
     */
    void accept(TcpSegment s, long tupleHash) {
        if (s.tsNanos > nowNanos) {
            nowNanos = s.tsNanos;
            if (nowNanos >= nextSweepNanos) {
                sweep();
            }
        }
        // 1 for a pure SYN, else 0, as a number (see below).
        int pureSynBit = (((s.flags & (TcpSegment.SYN | TcpSegment.ACK)) ^ TcpSegment.SYN) - 1) >>> 31;
        boolean pureSyn = pureSynBit != 0;
        Connection c = table.find(tupleHash, s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo,
                s.dstPort);
        if (c == null) {
            c = thawFrozen(s, tupleHash);
        }
        // Numbers, not "pureSyn && !sameAttempt(c, s)": a SYN retry first comes a second or more
        // into a capture (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late). Asked of
        // every packet, this costs a few loads of fields its update reads anyway.
        if (c != null && (pureSynBit & otherAttempt(c, s)) != 0) {
            decide(c, Decision.SUPERSEDED);
            c = null;
        }
        if (c == null) {
            // A pure SYN opens a connection whether or not the tuple has a tombstone, and does
            // not look: that is one probe of a big set per new connection saved. The tombstone
            // cannot swallow the new connection's packets (they find it in the table first) and
            // is renewed when it closes. Only if it ends otherwise (an idle timeout shorter than
            // the linger) while the old tombstone lives are its stragglers counted as late,
            // which they are.
            if (!pureSyn && tombstones.size() > 0 && tombstones.contains(tupleHash, nowNanos)) {
                latePackets++;
                return;
            }
            c = open(s, tupleHash);
        }
        boolean fromClient = c.isClient(s.srcHi, s.srcLo, s.srcPort);
        if (isDuplicate(fromClient ? c.client : c.server, s)) {
            duplicatePackets++;
            return;
        }
        update(c, s, fromClient);
        if (c.finished()) {
            decide(c, Decision.CLOSED);
        }
    }

    /**
     * Moves capture time on to {@code nowNanos} without a packet, and hands the listener what
     * that decided: what a live capture calls while its link is quiet, so that a connection
     * silent past its window is decided then, not when the next packet happens to come. Time
     * never goes back: an earlier {@code nowNanos} changes nothing.
     */
    public void advanceTo(long nowNanos) {
        if (nowNanos > this.nowNanos) {
            this.nowNanos = nowNanos;
            if (nowNanos >= nextSweepNanos) {
                sweep();
            }
        }
        drainDecided();
    }

    /**
     * For a shard: moves capture time on to the capture's clock, which this shard's own packets
     * may lag (they may even go back in time), and with {@code scan} decides the connections
     * silent past their window. Decided connections wait for {@link #drainDecided()}.
     */
    void moveClockTo(long clockNanos, boolean scan) {
        if (clockNanos > nowNanos) {
            nowNanos = clockNanos;
        }
        if (scan) {
            decideSilent();
        }
    }

    /** Decides every connection still open; call once at the end of the capture. */
    public void finish() {
        finish(nowNanos);
    }

    /**
     * As {@link #finish()}, with the time the capture ended when that is later than its last
     * packet here (a shard's last packet may come before the capture's; a capture may run on
     * quietly after its last packet).
     */
    public void finish(long captureEndNanos) {
        if (captureEndNanos > nowNanos) {
            nowNanos = captureEndNanos;
        }
        decideAllInStartOrder();
    }

    /** Connections being followed right now. */
    public int openConnections() {
        return table.size() + frozen.size();
    }

    /** Connections held frozen right now (for tests and measurements). */
    int frozenConnections() {
        return frozen.size();
    }

    /** The most connections followed at once so far. */
    public long peakOpenConnections() {
        return peakOpen;
    }

    /**
     * Packets that arrived for a connection already decided (closed or reset) within the linger
     * time, and were not analysed.
     */
    public long latePackets() {
        return latePackets;
    }

    /**
     * Copies of a segment seen again within {@link AnalysisConfig#duplicateWindowNanos()} with
     * every field equal: the same packet captured twice (e.g. {@code tcpdump -i any} on a host
     * with bridges or veths), not a retransmission. Not analysed.
     */
    public long duplicatePackets() {
        return duplicatePackets;
    }

    /** Connections started so far. */
    public long connectionsSeen() {
        return connectionsSeen;
    }

    /**
     * 1 unless {@code s}, if it is a pure SYN, continues {@code c}: the client's SYN with the
     * same ISN; then 0. Without a comparison (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    private static int otherAttempt(Connection c, TcpSegment s) {
        if (!c.isClient(s.srcHi, s.srcLo, s.srcPort)) {
            return 1;
        }
        // Else a SYN-ACK was captured before its SYN (reordering): it acknowledged this SYN.
        int difference = c.client.synSeen ? c.client.isn ^ s.seq
                : c.synAckCount > 0 ? c.synAckAckRaw ^ (s.seq + 1) : 1;
        return (difference | -difference) >>> 31;
    }

    private Connection open(TcpSegment s, long tupleHash) {
        RoleBasis basis;
        boolean srcIsClient;
        boolean syn = s.has(TcpSegment.SYN);
        boolean ack = s.has(TcpSegment.ACK);
        if (syn && !ack) {
            basis = RoleBasis.SYN;
            srcIsClient = true;
        } else if (syn) {
            basis = RoleBasis.SYN_ACK;
            srcIsClient = false;
        } else if (listeners.listensBefore(s.dstHi, s.dstLo, s.dstPort, s.frameNumber)) {
            basis = RoleBasis.LISTENER;
            srcIsClient = true;
        } else if (listeners.listensBefore(s.srcHi, s.srcLo, s.srcPort, s.frameNumber)) {
            basis = RoleBasis.LISTENER;
            srcIsClient = false;
        } else if ((s.dstPort < 1024) != (s.srcPort < 1024)) {
            basis = RoleBasis.WELL_KNOWN_PORT;
            srcIsClient = s.dstPort < 1024;
        } else if ((s.dstPort < 32768) != (s.srcPort < 32768)) {
            basis = RoleBasis.EPHEMERAL_PORT;
            srcIsClient = s.srcPort >= 32768;
        } else {
            basis = RoleBasis.FIRST_PACKET;
            srcIsClient = true;
        }
        Connection c = take();
        if (srcIsClient) {
            c.reset(s.frameNumber, s.tsNanos, s.ipVersion, s.srcHi, s.srcLo, s.srcPort, s.dstHi,
                    s.dstLo, s.dstPort, basis);
        } else {
            c.reset(s.frameNumber, s.tsNanos, s.ipVersion, s.dstHi, s.dstLo, s.dstPort, s.srcHi,
                    s.srcLo, s.srcPort, basis);
        }
        table.insert(c, tupleHash);
        connectionsSeen++;
        int open = openConnections();
        peakOpen = Math.max(peakOpen, open);
        if (open > maxOpen) {
            decideOldest(c);
        }
        return c;
    }

    /**
     * Connections decided early because more were open than {@link AnalysisConfig#maxOpenConnections()}
     * ({@link Decision#MEMORY_CAP}).
     */
    public long decidedEarly() {
        return decidedEarly;
    }

    /**
     * Decides the oldest open connections (by last packet) until an eighth of the cap is free,
     * handshake-only ones first (a flood's half-open connections, whose verdict a later packet
     * rarely changes), all of them only when those are too few; never {@code keep}, which is
     * being opened. An eighth at a time, so the walk over the table is paid once per thousands
     * of new connections. A straggler of a decided connection meets its tombstone as after a
     * close; a retried SYN starts a connection of its own.
     */
    private void decideOldest(Connection keep) {
        int excess = (int) (openConnections() - maxOpen + Math.max(1, maxOpen / 8));
        Connection[] pick = hot();
        int handshakeOnly = 0;
        for (Connection c : pick) {
            if (c.handshakeOnly()) {
                pick[handshakeOnly++] = c;
            }
        }
        if (handshakeOnly > excess) {
            pick = Arrays.copyOf(pick, handshakeOnly);
        } else {
            // Frozen connections are past their handshake: they count here only.
            thawOldest(excess, keep);
            pick = hot();
        }
        Arrays.sort(pick, BY_LAST_PACKET);
        for (int i = 0, n = 0; i < pick.length && n < excess; i++) {
            if (pick[i] != keep) {
                decide(pick[i], Decision.MEMORY_CAP);
                n++;
                decidedEarly++;
            }
        }
    }

    /**
     * Thaws the frozen connections among the {@code count} open ones but {@code keep} with the
     * oldest last packets, so that the memory cap chooses among all open connections as if none
     * were frozen.
     */
    private void thawOldest(int count, Connection keep) {
        if (frozen.size() == 0) {
            return;
        }
        int[] cold = frozen.addresses();
        Connection[] hot = hot();
        long[] lastFrames = new long[cold.length + hot.length];
        int n = 0;
        for (int address : cold) {
            lastFrames[n++] = frozen.lastFrame(address);
        }
        for (Connection c : hot) {
            if (c != keep) {
                lastFrames[n++] = c.lastFrame;
            }
        }
        lastFrames = Arrays.copyOf(lastFrames, n);
        Arrays.sort(lastFrames);
        long newest = lastFrames[Math.min(count, lastFrames.length) - 1];
        for (int address : cold) {
            if (frozen.lastFrame(address) <= newest) {
                thawAt(address);
            }
        }
    }

    private void update(Connection c, TcpSegment s, boolean fromClient) {
        Endpoint snd = fromClient ? c.client : c.server;
        Endpoint rcv = fromClient ? c.server : c.client;
        int flags = s.flags;
        boolean syn = (flags & TcpSegment.SYN) != 0;
        boolean ack = (flags & TcpSegment.ACK) != 0;
        boolean fin = (flags & TcpSegment.FIN) != 0;
        boolean rst = (flags & TcpSegment.RST) != 0;
        long ts = s.tsNanos;
        long frame = s.frameNumber;
        int marks = fromClient ? Connection.MARK_FROM_CLIENT : 0;

        c.lastTsNanos = ts;
        c.lastFrame = frame;
        snd.packets++;
        snd.lastFrame = frame;
        snd.lastTsNanos = ts;

        if (syn) {
            if (!snd.synSeen && snd.payloadBytes == 0) {
                snd.synSeen = true;
                snd.isn = s.seq;
                Facts.Syn first = snd.syn;
                first.tsNanos = ts;
                first.frame = frame;
                snd.startSequence(s.seq);
            }
            if (snd.synSeen && s.seq == snd.isn) {
                Facts.Syn f = snd.syn;
                f.count++;
                f.lastTsNanos = ts;
                f.lastFrame = frame;
                if (f.count == 2) {
                    f.secondFrame = frame;
                    f.secondTsNanos = ts;
                }
            }
            if (fromClient && c.synAckCount == 0) {
                c.synsBeforeSynAck++;
            }
            if (!fromClient && ack) {
                recordSynAck(c, s);
            }
            c.history(ack ? 'H' : 'S', fromClient);
        }
        if (!snd.seqKnown) {
            snd.startSequence(s.seq);
        }

        long relSeq = snd.rel(s.seq);
        int synLen = syn ? 1 : 0;
        long relEnd = relSeq + synLen + s.payloadLength + (fin ? 1 : 0);
        // 1 for a segment that has a length and ends within what this side sent before, or
        // whose data begins inside it; numbers, not comparisons: the first retransmission comes
        // half a second into a capture (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
        long retransmission = ((relSeq - relEnd) & (relEnd - 1 - snd.maxEndRel)) >>> 63;

        if (s.payloadLength > 0) {
            long dataStart = relSeq + synLen;
            long dataEnd = dataStart + s.payloadLength;
            retransmission |= (dataStart - snd.maxEndRel) >>> 63;
            snd.payloadBytes += Math.max(0, dataEnd - Math.max(dataStart, snd.maxEndRel));
            snd.lastPayloadFrame = frame;
            snd.lastPayloadTsNanos = ts;
            if (rcv.finSeen && rcv.fin.peerDataAfterFrame == 0) {
                rcv.fin.peerDataAfterFrame = frame;
                rcv.fin.peerDataAfterTsNanos = ts;
            }
            c.history('D', fromClient);
        }
        if (retransmission != 0) {
            marks |= Connection.MARK_RETRANSMISSION;
            recordRetransmission(c, snd, s, fromClient);
        } else if (s.payloadLength > 0) {
            // New data from this side shows it is alive: whatever it has not acknowledged is
            // not a dead peer's silence.
            rcv.retransRun = 0;
        }
        snd.advanceEnd(relEnd, s.seq + synLen + s.payloadLength + (fin ? 1 : 0));

        long relAck = 0;
        snd.ackFlagSeen |= ack;
        if (ack && rcv.seqKnown) {
            relAck = rcv.rel(s.ack);
            marks |= Connection.MARK_ACK_VALID;
            if (!snd.ackSeen || relAck > snd.maxAckRel) {
                snd.ackSeen = true;
                snd.maxAckRel = relAck;
                rcv.retransRun = 0;
            }
        }
        if (ack && !syn && !rst) {
            recordHandshakeProgress(c, s, fromClient, relAck);
        }
        if (fin) {
            if (!snd.finSeen) {
                snd.finSeen = true;
                Facts.Fin f = snd.fin();
                f.tsNanos = ts;
                f.frame = frame;
                f.endRel = relEnd;
            }
            c.history('F', fromClient);
        }
        if (rst) {
            recordReset(c, snd, rcv, s, relSeq, fromClient);
        }
        if (ack && !syn && !fin && !rst && s.payloadLength == 0) {
            c.history('A', fromClient);
        }
        snd.state = TcpState.next(snd.state, flags, c.handshakeAckFrame);
        c.logEvent(s, relSeq, relAck, marks, config.maxEventsPerConnection());
    }

    /**
     * True when {@code s} repeats the last segment {@code snd} sent, field for field, within the
     * duplicate window; otherwise remembers {@code s} as the last one. A real retransmission
     * comes an RTO (≥ 200 ms on Linux) or at least a round trip later and, over IPv4, with a new
     * IP ID; with TCP timestamps, a new TSval (IPv6 has no IP ID, so that is what tells there).
     */
    private boolean isDuplicate(Endpoint snd, TcpSegment s) {
        long seqAck = (s.seq & 0xFFFF_FFFFL) | ((long) s.ack << 32);
        long lengthFlagsWindow = (s.payloadLength & 0xFFFF_FFFFL)
                | ((long) (s.flags & 0xFF) << 32) | ((long) (s.window & 0xFFFF) << 40);
        long ipIdTsVal = (s.ipId & 0xFFFF_FFFFL) | ((long) s.tsVal << 32);
        // A digest instead of the three words: 16 bytes less per endpoint. Two different
        // segments share one with odds of 2^-64, and would then also have to come from the same
        // sender, one right after the other, within the duplicate window.
        long digest = EndpointPairs.mix(EndpointPairs.mix(EndpointPairs.mix(seqAck)
                ^ lengthFlagsWindow) ^ ipIdTsVal);
        boolean same = digest == snd.lastSegmentDigest && snd.packets > 0
                && s.tsNanos - snd.lastTsNanos <= config.duplicateWindowNanos();
        snd.lastSegmentDigest = digest;
        return same;
    }

    private void recordSynAck(Connection c, TcpSegment s) {
        long previousTsNanos = c.lastSynAckTsNanos;
        c.synAckCount++;
        c.lastSynAckTsNanos = s.tsNanos;
        c.lastSynAckFrame = s.frameNumber;
        if (c.synAckCount == 1) {
            c.synAckTsNanos = s.tsNanos;
            c.synAckFrame = s.frameNumber;
            c.synAckAckRaw = s.ack;
            c.synToSynAckNanos = c.client.synSeen ? s.tsNanos - c.client.lastSynTsNanos() : -1;
        } else if (c.handshakeAckFrame != 0) {
            if (crossedHandshakeAck(c, s, previousTsNanos)) {
                c.synAcksCrossingAck++;
            } else if (c.synAcksAfterHandshakeAck++ == 0) {
                c.firstSynAckAfterAckFrame = s.frameNumber;
                c.firstSynAckAfterAckTsNanos = s.tsNanos;
            }
        }
    }

    /**
     * True when SYN-ACK {@code s}, seen after the client's handshake ACK, left the server before
     * that ACK reached it: on a lossy path the server's SYN-ACK timer and the client's
     * retransmitted SYN both fire at about 1 s, and the second SYN-ACK meets the client's ACK in
     * flight. Only a SYN-ACK sent <em>after</em> the ACK arrived says the server ignored it.
     * Time tells: a crossing SYN-ACK comes sooner after the previous SYN-ACK than the server's
     * retransmission timer allows (Linux resends an unacknowledged SYN-ACK after 1 s, then 2,
     * 4 …), having answered a retransmitted SYN; and, next to the client, within one handshake
     * round trip of the ACK. Next to the server that second test means nothing: there a SYN-ACK
     * captured after the ACK was sent after it arrived. The capture point shows in the handshake:
     * next to the client the SYN to SYN-ACK half of the round trip is the longer one.
     * Timestamps do not: Linux 6.18 echoes the SYN's TSval in every SYN-ACK it resends, the one
     * after an ACK the full accept queue refused included (seen in sample-pcaps/ack-ignored.pcap).
     */
    private boolean crossedHandshakeAck(Connection c, TcpSegment s, long previousSynAckTsNanos) {
        boolean nearClient = 2 * c.synToSynAckNanos >= c.handshakeRttNanos;
        return s.tsNanos - previousSynAckTsNanos < KernelTimers.SYNACK_RETRY_MIN_NANOS
                || nearClient & s.tsNanos - c.handshakeAckTsNanos < c.handshakeRttNanos;
    }

    private static void recordRetransmission(Connection c, Endpoint snd, TcpSegment s,
                                             boolean fromClient) {
        Facts.Retrans r = snd.retrans();
        r.count++;
        if (r.firstFrame == 0) {
            r.firstFrame = s.frameNumber;
            r.firstTsNanos = s.tsNanos;
        }
        r.previousTsNanos = r.lastTsNanos;
        r.lastTsNanos = s.tsNanos;
        r.lastFrame = s.frameNumber;
        if (s.payloadLength > 0) {
            // A run counts data only: SYNs are judged by the handshake rules, and a FIN resent
            // to a peer that already left says nothing about the data.
            if (snd.retransRun++ == 0) {
                r.runFrame = s.frameNumber;
                r.runTsNanos = s.tsNanos;
            }
        }
        if (fromClient && s.payloadLength > 0 && c.handshakeAckFrame != 0
                && c.serverProgressFrame == 0) {
            if (c.clientRetransBeforeProgress++ == 0) {
                c.firstClientRetransBeforeProgressFrame = s.frameNumber;
                c.firstClientRetransBeforeProgressTsNanos = s.tsNanos;
            }
        }
        c.history('T', fromClient);
    }

    /** The client's ACK of the SYN-ACK, and the server's first sign of a full socket after it. */
    private static void recordHandshakeProgress(Connection c, TcpSegment s, boolean fromClient,
                                                long relAck) {
        if (fromClient) {
            // At or beyond ISN+1: when the bare ACK was not captured, the first later client
            // segment (data, FIN) still proves the handshake completed.
            if (c.handshakeAckFrame == 0 && c.synAckCount > 0
                    && Seq.diff(s.ack, c.server.isn + 1) >= 0) {
                c.handshakeAckFrame = s.frameNumber;
                c.handshakeAckTsNanos = s.tsNanos;
                c.handshakeAckClientRel = c.client.rel(s.seq);
                c.client.state = c.client.state.atHandshakeAck();
                c.server.state = c.server.state.atHandshakeAck();
                if (c.synToSynAckNanos >= 0) {
                    c.handshakeRttNanos = c.synToSynAckNanos + s.tsNanos - c.lastSynAckTsNanos;
                }
            }
        } else if (c.handshakeAckFrame != 0 && c.serverProgressFrame == 0
                && (s.payloadLength > 0 || relAck > c.handshakeAckClientRel)) {
            c.serverProgressFrame = s.frameNumber;
            c.serverProgressTsNanos = s.tsNanos;
        }
    }

    private static void recordReset(Connection c, Endpoint snd, Endpoint rcv, TcpSegment s,
                                    long relSeq, boolean fromClient) {
        if (!snd.rstSeen) {
            snd.rstSeen = true;
            Facts.Rst r = snd.rst();
            r.tsNanos = s.tsNanos;
            r.frame = s.frameNumber;
            r.flags = s.flags;
            r.seqRel = relSeq;
            r.window = s.window;
            r.ipId = s.ipId;
            r.afterOwnFin = snd.finSeen;
            r.peerBytes = rcv.payloadBytes;
            r.answeredPeer = snd.lastPayloadFrame > rcv.lastPayloadFrame;
            r.peerAckedAll = rcv.ackSeen && rcv.maxAckRel >= snd.maxEndRel;
            r.answersFrame = rcv.lastFrame;
            r.answersTsNanos = rcv.lastTsNanos;
            if (!fromClient && c.synAckCount == 0) {
                c.rstAnsweredSyn = true;
            }
        }
        c.history('R', fromClient);
    }

    // ---- expiry ---------------------------------------------------------------------------

    /**
     * Forgets expired tombstones, and (unless a dispatcher orders the scans, see
     * {@link #moveClockTo}) every {@link AnalysisConfig#expiryScanNanos} decides the connections
     * silent past their window; runs every {@link #SWEEP_INTERVAL_NANOS} of capture time. The
     * scan walks the open connections (cheap that rarely) instead of keeping them in a list
     * ordered by activity: a linked list costs every connection a dozen reference writes, each
     * paying the collector's write barrier, and moving a connection on every packet would touch
     * its neighbours too.
     */
    private void sweep() {
        nextSweepNanos = nowNanos + SWEEP_INTERVAL_NANOS;
        if (schedulesOwnScans && nowNanos >= nextExpiryScanNanos) {
            nextExpiryScanNanos = nowNanos + config.expiryScanNanos();
            decideSilent();
        }
        if (nowNanos >= nextFreezeNanos) {
            nextFreezeNanos = nowNanos + config.freezeAfterNanos();
            freezeSilent();
        }
        tombstones.expire(nowNanos);
    }

    /**
     * With more than {@link AnalysisConfig#freezeAboveOpen()} open, freezes the connections
     * {@link #silentForFreezing} that are past their handshake: a
     * handshake-only one is due to be decided by its window or the memory cap (which look at
     * connections as they are), and a SYN flood's are not worth it. Which connections are frozen
     * changes nothing but memory: a thawed connection is the one that was frozen.
     */
    private void freezeSilent() {
        if (openConnections() <= freezeAbove) {
            return;
        }
        // Saturating: a capture's clock may sit anywhere in a long.
        long forgetBefore = nowNanos - config.duplicateWindowNanos();
        transfer.forgetDigestsBefore(forgetBefore > nowNanos ? Long.MIN_VALUE : forgetBefore);
        for (Connection c : hot()) {
            if (!silentForFreezing(c) || c.handshakeOnly()) {
                continue;
            }
            frozen.freeze(c, table.remove(c), transfer);
            oldestFrozenTsNanos = Math.min(oldestFrozenTsNanos, c.lastTsNanos);
            pool.push(c);
        }
        // The first freezing returns tens of thousands of connections at once (all that were
        // open before it began); a pool of as many as are in use covers the next second's new and
        // thawed ones, and the rest die young instead of holding some 900 bytes each
        // (docs/performance.md#m1-connection-state).
        while (pool.size() > table.size()) {
            pool.pop();
        }
    }

    /**
     * Whether {@code c} has been silent long enough to be frozen: for
     * {@link AnalysisConfig#freezeAfterNanos()}, or {@link AnalysisConfig#freezeAfterRoundTrips()}
     * round trips of its handshake when that is longer (a round trip no longer than the idle
     * timeout, past which the connection is decided anyway, so the product fits a long).
     */
    private boolean silentForFreezing(Connection c) {
        long handshakeNanos = c.handshakeAckTsNanos == 0 ? 0
                : Math.min(c.handshakeAckTsNanos - c.firstTsNanos, config.idleTimeoutNanos());
        long silenceNanos = Math.max(config.freezeAfterNanos(),
                config.freezeAfterRoundTrips() * handshakeNanos);
        return nowNanos - c.lastTsNanos >= silenceNanos;
    }

    /** A connection to fill: from the pool, or a new one when the pool is empty. */
    private Connection take() {
        return pool.isEmpty() ? new Connection() : pool.pop();
    }

    /**
     * The frozen connection of {@code s}'s tuple, thawed, or null. A method of its own: in
     * {@link #accept(TcpSegment, long)} these lines took it past what C2 inlines into the
     * tracking loop (docs/performance.md#j5-no-loop-per-byte-on-the-packet-path). Its tests are
     * first true a second or more in, on a capture with many open connections: one recompilation
     * then (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late), where
     * asking the frozen table from the first packet on would cost every new connection a probe.
     */
    private Connection thawFrozen(TcpSegment s, long tupleHash) {
        if (frozen.size() == 0) {
            return null;
        }
        int slot = frozen.find(tupleHash, s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo,
                s.dstPort);
        if (slot < 0) {
            return null;
        }
        Connection c = take();
        table.insert(c, frozen.thaw(slot, c, transfer));
        return c;
    }

    /** The frozen connection at {@code address}, back in the open table as a {@link Connection}. */
    private Connection thawAt(int address) {
        Connection c = take();
        table.insert(c, frozen.thawAt(address, c, transfer));
        return c;
    }

    /**
     * Thaws the frozen connections that are idle past the timeout (no other window applies to
     * them: they are past their handshake), so that the scan decides them.
     */
    private void thawIdle() {
        if (frozen.size() == 0 || nowNanos - oldestFrozenTsNanos <= config.idleTimeoutNanos()) {
            return;
        }
        long oldest = Long.MAX_VALUE;
        for (int address : frozen.addresses()) {
            long lastTsNanos = frozen.lastTsNanos(address);
            if (nowNanos - lastTsNanos > config.idleTimeoutNanos()) {
                thawAt(address);
            } else {
                oldest = Math.min(oldest, lastTsNanos);
            }
        }
        oldestFrozenTsNanos = oldest;
    }

    /** Decides the connections silent past their window, in the order they started. */
    private void decideSilent() {
        thawIdle();
        Connection[] expired = hot();
        int n = 0;
        for (Connection c : expired) {
            if (expiry(c) != null) {
                expired[n++] = c;
            }
        }
        expired = Arrays.copyOf(expired, n);
        Arrays.sort(expired, BY_FIRST_FRAME);
        for (Connection c : expired) {
            // Asked again of the few selected: nothing changed them since the walk.
            decide(c, expiry(c));
        }
    }

    /** Why {@code c} is to be decided now for its silence, or null while it is within its window. */
    private Decision expiry(Connection c) {
        long silentNanos = nowNanos - c.lastTsNanos;
        if (silentNanos > config.idleTimeoutNanos()) {
            return Decision.IDLE;
        }
        // The window first: it reads the connection's own fields, handshakeOnly its two
        // endpoints' (two more objects to fetch from memory for each connection of a scan).
        if (silentNanos > config.handshakeWindowNanos(c.lastTsNanos - c.firstTsNanos)
                && c.handshakeOnly()) {
            return Decision.HANDSHAKE_TIMEOUT;
        }
        return null;
    }

    /** The connections in the open table (not the frozen ones), in a new array: what scans walk. */
    private Connection[] hot() {
        return table.members(Connection[]::new);
    }

    /**
     * Decides every open connection, frozen ones included, in the order they started; a frozen
     * one is thawed only when its turn comes and the listener is called every
     * {@link #CAPTURE_END_BATCH} connections, so that the pool, not the heap, holds them.
     */
    private void decideAllInStartOrder() {
        Connection[] hot = hot();
        Arrays.sort(hot, BY_FIRST_FRAME);
        int[] cold = frozen.addressesInStartOrder();
        int h = 0;
        int k = 0;
        while (h < hot.length || k < cold.length) {
            boolean takeHot = k == cold.length
                    || h < hot.length && hot[h].firstFrame < frozen.firstFrame(cold[k]);
            decide(takeHot ? hot[h++] : thawAt(cold[k++]), Decision.CAPTURE_END);
            if (decidedCount >= CAPTURE_END_BATCH) {
                drainDecided();
            }
        }
        drainDecided();
    }

    /**
     * Takes {@code c} out of the tables at once (its tuple may start a new connection with the
     * very next packet) but hands it to the listener only in {@link #drainDecided()}, out of the
     * per-packet path (docs/performance.md#j2-rare-work-is-called-rarely-from-outside-the-per-packet-method).
     */
    private void decide(Connection c, Decision reason) {
        long tupleHash = table.remove(c);
        if (reason == Decision.CLOSED || reason == Decision.MEMORY_CAP) {
            tombstones.add(tupleHash, nowNanos + config.closeLingerNanos());
        }
        c.decision = reason;
        c.decidedAtNanos = nowNanos;
        if (decidedCount == decided.length) {
            decided = java.util.Arrays.copyOf(decided, decidedCount * 2);
        }
        decided[decidedCount++] = c;
    }

    /** Calls the listener for every connection decided since the last call, in order. */
    void drainDecided() {
        for (int i = 0; i < decidedCount; i++) {
            Connection c = decided[i];
            decided[i] = null;
            listener.onDecided(c, c.decision, c.decidedAtNanos);
            // The pool never holds more than the peak of open connections: memory stays bounded.
            pool.push(c);
        }
        decidedCount = 0;
    }
}
