package io.synscope.flow;

import io.synscope.capture.Addresses;

/**
 * One side of a connection as seen on the wire: its {@link TcpState}, its sequence space and what
 * it sent. Mutable, owned by its {@link Connection}; read it only inside
 * {@link ConnectionListener#onDecided} (see the reuse contract there).
 *
 * <p>Sequence numbers are tracked relative to this side's ISN (or, when its SYN was not captured,
 * to the first sequence number seen) and unwrapped into a {@code long}, so a connection that sends
 * more than 4 GiB keeps counting correctly.
 *
 * <p>What every packet reads or writes is a field here; the facts of a SYN, a FIN, a RST and of
 * retransmissions are in groups ({@link Facts}) allocated when the first of them happens. An
 * accessor of a group that never happened answers 0 or false. Memory per connection and why it
 * matters: docs/performance.md#m1-connection-state.
 */
public final class Endpoint {
    private final Connection owner;
    private final boolean client;

    TcpState state = TcpState.INACTIVE;
    long packets;
    long lastFrame;
    long lastTsNanos;
    // Sequence space: maxEndRel is the highest relative sequence end sent so far and maxEndRaw
    // the raw (32-bit) sequence number at that point; unwrapping measures from there.
    long maxEndRel;
    /** Highest acknowledgement sent, relative to the peer's sequence base. */
    long maxAckRel;
    long payloadBytes;
    long lastPayloadFrame;
    long lastPayloadTsNanos;
    /**
     * A 64-bit digest of the last segment's fields (sequence and acknowledgement numbers, payload
     * length, flags, window, IP ID, TSval), to recognise the same packet captured twice.
     */
    long lastSegmentDigest;
    int maxEndRaw;
    int isn;
    /** Data retransmissions since the peer last acknowledged more of this side's data. */
    int retransRun;
    boolean seqKnown;
    boolean synSeen;
    boolean finSeen;
    boolean rstSeen;
    /** Sent a segment with the ACK flag, whether or not the peer's sequence space is known. */
    boolean ackFlagSeen;
    boolean ackSeen;

    /**
     * Allocated with the endpoint, unlike the other groups: nearly every endpoint sends a SYN or
     * a SYN-ACK, and "the group is not there yet" was a branch of the packet path first taken
     * when the pool first ran dry, a fraction of a second into a capture, which threw the
     * compiled path away (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    final Facts.Syn syn = new Facts.Syn();
    Facts.Fin fin;
    Facts.Rst rst;
    Facts.Retrans retrans;

    Endpoint(Connection owner, boolean client) {
        this.owner = owner;
        this.client = client;
    }

    void reset() {
        state = TcpState.INACTIVE;
        packets = 0;
        lastFrame = 0;
        lastTsNanos = 0;
        maxEndRel = 0;
        maxAckRel = 0;
        payloadBytes = 0;
        lastPayloadFrame = 0;
        lastPayloadTsNanos = 0;
        lastSegmentDigest = 0;
        maxEndRaw = 0;
        isn = 0;
        retransRun = 0;
        seqKnown = false;
        synSeen = false;
        finSeen = false;
        rstSeen = false;
        ackFlagSeen = false;
        ackSeen = false;
        syn.reset();
        if (fin != null) {
            fin.reset();
        }
        if (rst != null) {
            rst.reset();
        }
        if (retrans != null) {
            retrans.reset();
        }
    }

    private static final TcpState[] STATES = TcpState.values();

    /** Writes or reads every field of this side (see {@link Connection#transfer}). */
    void transfer(StateTransfer t) {
        state = t.choice(state, STATES);
        packets = t.num(packets);
        lastFrame = t.frame(lastFrame);
        lastTsNanos = t.time(lastTsNanos);
        maxEndRel = t.num(maxEndRel);
        maxAckRel = t.num(maxAckRel);
        payloadBytes = t.num(payloadBytes);
        lastPayloadFrame = t.frame(lastPayloadFrame);
        lastPayloadTsNanos = t.time(lastPayloadTsNanos);
        lastSegmentDigest = t.digest(lastSegmentDigest, lastTsNanos);
        isn = t.wrapped(isn, 0);
        // The sequence number at maxEndRel, counted from the ISN: usually what the ISN says.
        maxEndRaw = t.wrapped(maxEndRaw, isn + (int) maxEndRel);
        retransRun = t.num(retransRun);
        seqKnown = t.flag(seqKnown);
        synSeen = t.flag(synSeen);
        finSeen = t.flag(finSeen);
        rstSeen = t.flag(rstSeen);
        ackFlagSeen = t.flag(ackFlagSeen);
        ackSeen = t.flag(ackSeen);
        if (Facts.present(t, syn)) {
            syn.transfer(t);
            t.endGroup();
        }
        if (Facts.present(t, fin)) {
            fin().transfer(t);
            t.endGroup();
        }
        if (Facts.present(t, rst)) {
            rst().transfer(t);
            t.endGroup();
        }
        if (Facts.present(t, retrans)) {
            retrans().transfer(t);
            t.endGroup();
        }
    }

    Facts.Fin fin() {
        if (fin == null) {
            fin = new Facts.Fin();
        }
        return fin;
    }

    Facts.Rst rst() {
        if (rst == null) {
            rst = new Facts.Rst();
        }
        return rst;
    }

    Facts.Retrans retrans() {
        if (retrans == null) {
            retrans = new Facts.Retrans();
        }
        return retrans;
    }

    /** Starts the sequence space at {@code seq} (the ISN, or the first number seen mid-stream). */
    void startSequence(int seq) {
        seqKnown = true;
        maxEndRel = 0;
        maxEndRaw = seq;
    }

    /** Relative, unwrapped position of raw sequence number {@code seq} in this side's space. */
    long rel(int seq) {
        return maxEndRel + Seq.diff(seq, maxEndRaw);
    }

    /** Records that this side has sent up to relative {@code endRel} (raw {@code endRaw}). */
    void advanceEnd(long endRel, int endRaw) {
        if (endRel > maxEndRel) {
            maxEndRel = endRel;
            maxEndRaw = endRaw;
        }
    }

    /** Where this side stands (Zeek's endpoint states). */
    public TcpState state() {
        return state;
    }

    /** Upper half of the address (see {@link io.synscope.decode.TcpSegment} for the layout). */
    public long addrHi() {
        return client ? owner.aHi : owner.bHi;
    }

    public long addrLo() {
        return client ? owner.aLo : owner.bLo;
    }

    public String ip() {
        return Addresses.format(addrHi(), addrLo());
    }

    public int port() {
        return client ? owner.aPort : owner.bPort;
    }

    public boolean synSeen() {
        return synSeen;
    }

    public long isn() {
        return Seq.unsigned(isn);
    }

    public long synTsNanos() {
        return syn.tsNanos;
    }

    public long synFrame() {
        return syn.frame;
    }

    public long lastSynTsNanos() {
        return syn.lastTsNanos;
    }

    /** SYNs (or SYN-ACKs) sent with the first ISN, retransmissions included. */
    public int synCount() {
        return syn.count;
    }

    public long secondSynFrame() {
        return syn.secondFrame;
    }

    public long secondSynTsNanos() {
        return syn.secondTsNanos;
    }

    public long lastSynFrame() {
        return syn.lastFrame;
    }

    /** Frame of the last packet this side sent. */
    public long lastFrame() {
        return lastFrame;
    }

    public long lastTsNanos() {
        return lastTsNanos;
    }

    public long packets() {
        return packets;
    }

    /** Distinct payload bytes sent (retransmitted bytes counted once). */
    public long payloadBytes() {
        return payloadBytes;
    }

    public long lastPayloadTsNanos() {
        return lastPayloadTsNanos;
    }

    public long lastPayloadFrame() {
        return lastPayloadFrame;
    }

    /** Segments that re-sent sequence space already sent (data, SYN or FIN). */
    public long retransmissions() {
        return retrans == null ? 0 : retrans.count;
    }

    public long firstRetransFrame() {
        return retrans == null ? 0 : retrans.firstFrame;
    }

    public long firstRetransTsNanos() {
        return retrans == null ? 0 : retrans.firstTsNanos;
    }

    /** Data retransmissions since the peer last acknowledged more of this side's data. */
    public int retransRun() {
        return retransRun;
    }

    public long retransRunFrame() {
        return retrans == null ? 0 : retrans.runFrame;
    }

    public long retransRunTsNanos() {
        return retrans == null ? 0 : retrans.runTsNanos;
    }

    public long lastRetransFrame() {
        return retrans == null ? 0 : retrans.lastFrame;
    }

    public long lastRetransTsNanos() {
        return retrans == null ? 0 : retrans.lastTsNanos;
    }

    /** The retransmission before the last, 0 when there was one at most. */
    public long previousRetransTsNanos() {
        return retrans == null ? 0 : retrans.previousTsNanos;
    }

    /** Highest relative sequence end sent (SYN and FIN count one each). */
    public long maxEndRel() {
        return maxEndRel;
    }

    /** Sent any segment with the ACK flag (even one acknowledging data not captured). */
    public boolean ackFlagSeen() {
        return ackFlagSeen;
    }

    public boolean finSeen() {
        return finSeen;
    }

    public long finTsNanos() {
        return fin == null ? 0 : fin.tsNanos;
    }

    public long finFrame() {
        return fin == null ? 0 : fin.frame;
    }

    public boolean rstSeen() {
        return rstSeen;
    }

    public long rstTsNanos() {
        return rst == null ? 0 : rst.tsNanos;
    }

    public long rstFrame() {
        return rst == null ? 0 : rst.frame;
    }

    /** TCP flags of this side's first RST. */
    public int rstFlags() {
        return rst == null ? 0 : rst.flags;
    }

    public long rstSeqRel() {
        return rst == null ? 0 : rst.seqRel;
    }

    public int rstWindow() {
        return rst == null ? 0 : rst.window;
    }

    public int rstIpId() {
        return rst == null ? 0 : rst.ipId;
    }

    /** This side had sent its FIN before its first RST. */
    public boolean rstAfterOwnFin() {
        return rst != null && rst.afterOwnFin;
    }

    /** Payload bytes the peer had sent when this side first reset. */
    public long peerBytesAtRst() {
        return rst == null ? 0 : rst.peerBytes;
    }

    /** When this side first reset, its last payload came after the peer's last payload. */
    public boolean answeredPeerAtRst() {
        return rst != null && rst.answeredPeer;
    }

    /** Frame of the first payload the peer sent after this side's FIN, or 0. */
    public long peerDataAfterFinFrame() {
        return fin == null ? 0 : fin.peerDataAfterFrame;
    }

    public long peerDataAfterFinTsNanos() {
        return fin == null ? 0 : fin.peerDataAfterTsNanos;
    }

    /** When this side first reset, the peer had acknowledged everything this side had sent. */
    public boolean peerAckedAllAtRst() {
        return rst != null && rst.peerAckedAll;
    }

    /** The peer's last packet before this side's first RST, or 0. */
    public long rstAnswersFrame() {
        return rst == null ? 0 : rst.answersFrame;
    }

    public long rstAnswersTsNanos() {
        return rst == null ? 0 : rst.answersTsNanos;
    }
}
