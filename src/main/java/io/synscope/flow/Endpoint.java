package io.synscope.flow;

/**
 * One side of a connection as seen on the wire: its address, its sequence space and what it sent.
 * Mutable, owned by its {@link Connection}; read it only inside
 * {@link ConnectionListener#onDecided} (see the reuse contract there).
 *
 * <p>Sequence numbers are tracked relative to this side's ISN (or, when its SYN was not captured,
 * to the first sequence number seen) and unwrapped into a {@code long}, so a connection that sends
 * more than 4 GiB keeps counting correctly.
 */
public final class Endpoint {
    // Declaration order is layout order within a field size (HotSpot puts longs first, then
    // ints, then booleans): what nearly every packet reads or writes comes first, as longs, so
    // it shares the object's first cache lines instead of being spread over all six.
    long packets;
    long lastFrame;
    long lastTsNanos;
    // Sequence space: maxEndRel is the highest relative sequence end sent so far and maxEndRaw
    // the raw (32-bit) sequence number at that point; unwrapping measures from there.
    long maxEndRel;
    long maxEndRaw;
    /** Highest acknowledgement sent, relative to the peer's sequence base. */
    long maxAckRel;
    long payloadBytes;
    long lastPayloadFrame;
    long lastPayloadTsNanos;
    /** Data retransmissions since the peer last acknowledged more of this side's data. */
    long retransRun;
    // The last segment's fields, packed, to recognise the same packet captured twice:
    // seq | ack << 32; payload length | flags << 32 | window << 40; IP ID | TSval << 32.
    long lastSeqAck;
    long lastLengthFlagsWindow;
    long lastIpIdTsVal;
    /** Relative sequence number just past the FIN: the peer's ACK of it reaches this. */
    long finEndRel;

    long addrHi;
    long addrLo;
    int port;

    boolean seqKnown;
    boolean synSeen;
    int isn;
    long synTsNanos;
    long synFrame;
    long lastSynTsNanos;
    int synCount;
    long secondSynFrame;
    long secondSynTsNanos;
    long lastSynFrame;

    long retransmissions;
    long firstRetransFrame;
    long firstRetransTsNanos;
    long retransRunFrame;
    long retransRunTsNanos;
    long lastRetransFrame;
    long lastRetransTsNanos;
    /** The retransmission before the last one (0 when there was none): the sender's RTO backoff. */
    long previousRetransTsNanos;

    /** Sent a segment with the ACK flag, whether or not the peer's sequence space is known. */
    boolean ackFlagSeen;
    boolean ackSeen;

    boolean finSeen;
    long finTsNanos;
    long finFrame;

    boolean rstSeen;
    long rstTsNanos;
    long rstFrame;
    int rstFlags;
    long rstSeqRel;
    int rstWindow;
    int rstIpId;
    // Facts frozen at this side's first RST: they decide which kind of reset it was.
    boolean rstAfterOwnFin;
    long peerBytesAtRst;
    boolean answeredPeerAtRst;
    boolean peerAckedAllAtRst;
    /** The peer's last packet before this side's first RST: the segment a stateless RST answers. */
    long rstAnswersFrame;
    long rstAnswersTsNanos;

    /** Payload the peer sent after this side's FIN (the peer wrote to a closed socket). */
    long peerDataAfterFinFrame;
    long peerDataAfterFinTsNanos;

    void reset(long addrHi, long addrLo, int port) {
        this.addrHi = addrHi;
        this.addrLo = addrLo;
        this.port = port;
        seqKnown = false;
        maxEndRel = 0;
        maxEndRaw = 0;
        synSeen = false;
        isn = 0;
        synTsNanos = 0;
        synFrame = 0;
        lastSynTsNanos = 0;
        synCount = 0;
        secondSynFrame = 0;
        secondSynTsNanos = 0;
        lastSynFrame = 0;
        lastFrame = 0;
        lastTsNanos = 0;
        lastSeqAck = 0;
        lastLengthFlagsWindow = 0;
        lastIpIdTsVal = 0;
        packets = 0;
        payloadBytes = 0;
        lastPayloadTsNanos = 0;
        lastPayloadFrame = 0;
        retransmissions = 0;
        firstRetransFrame = 0;
        firstRetransTsNanos = 0;
        retransRun = 0;
        retransRunFrame = 0;
        retransRunTsNanos = 0;
        lastRetransFrame = 0;
        lastRetransTsNanos = 0;
        previousRetransTsNanos = 0;
        ackFlagSeen = false;
        ackSeen = false;
        maxAckRel = 0;
        finSeen = false;
        finTsNanos = 0;
        finFrame = 0;
        finEndRel = 0;
        rstSeen = false;
        rstTsNanos = 0;
        rstFrame = 0;
        rstFlags = 0;
        rstSeqRel = 0;
        rstWindow = 0;
        rstIpId = 0;
        rstAfterOwnFin = false;
        peerBytesAtRst = 0;
        answeredPeerAtRst = false;
        peerAckedAllAtRst = false;
        rstAnswersFrame = 0;
        rstAnswersTsNanos = 0;
        peerDataAfterFinFrame = 0;
        peerDataAfterFinTsNanos = 0;
    }

    /** Starts the sequence space at {@code seq} (the ISN, or the first number seen mid-stream). */
    void startSequence(int seq) {
        seqKnown = true;
        maxEndRel = 0;
        maxEndRaw = seq;
    }

    /** Relative, unwrapped position of raw sequence number {@code seq} in this side's space. */
    long rel(int seq) {
        return maxEndRel + Seq.diff(seq, (int) maxEndRaw);
    }

    /** Records that this side has sent up to relative {@code endRel} (raw {@code endRaw}). */
    void advanceEnd(long endRel, int endRaw) {
        if (endRel > maxEndRel) {
            maxEndRel = endRel;
            maxEndRaw = endRaw;
        }
    }

    /** Upper half of the address (see {@link io.synscope.decode.TcpSegment} for the layout). */
    public long addrHi() {
        return addrHi;
    }

    public long addrLo() {
        return addrLo;
    }

    public String ip() {
        return Addresses.format(addrHi, addrLo);
    }

    public int port() {
        return port;
    }

    public boolean synSeen() {
        return synSeen;
    }

    public long isn() {
        return Seq.unsigned(isn);
    }

    public long synTsNanos() {
        return synTsNanos;
    }

    public long synFrame() {
        return synFrame;
    }

    public long lastSynTsNanos() {
        return lastSynTsNanos;
    }

    /** SYNs (or SYN-ACKs) sent with the first ISN, retransmissions included. */
    public int synCount() {
        return synCount;
    }

    public long secondSynFrame() {
        return secondSynFrame;
    }

    public long secondSynTsNanos() {
        return secondSynTsNanos;
    }

    public long lastSynFrame() {
        return lastSynFrame;
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
        return retransmissions;
    }

    public long firstRetransFrame() {
        return firstRetransFrame;
    }

    public long firstRetransTsNanos() {
        return firstRetransTsNanos;
    }

    /** Data retransmissions since the peer last acknowledged more of this side's data. */
    public int retransRun() {
        return (int) retransRun;
    }

    public long retransRunFrame() {
        return retransRunFrame;
    }

    public long retransRunTsNanos() {
        return retransRunTsNanos;
    }

    public long lastRetransFrame() {
        return lastRetransFrame;
    }

    public long lastRetransTsNanos() {
        return lastRetransTsNanos;
    }

    /** The retransmission before the last, 0 when there was one at most. */
    public long previousRetransTsNanos() {
        return previousRetransTsNanos;
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
        return finTsNanos;
    }

    public long finFrame() {
        return finFrame;
    }

    public boolean rstSeen() {
        return rstSeen;
    }

    public long rstTsNanos() {
        return rstTsNanos;
    }

    public long rstFrame() {
        return rstFrame;
    }

    /** TCP flags of this side's first RST. */
    public int rstFlags() {
        return rstFlags;
    }

    public long rstSeqRel() {
        return rstSeqRel;
    }


    public int rstWindow() {
        return rstWindow;
    }

    public int rstIpId() {
        return rstIpId;
    }


    /** This side had sent its FIN before its first RST. */
    public boolean rstAfterOwnFin() {
        return rstAfterOwnFin;
    }

    /** Payload bytes the peer had sent when this side first reset. */
    public long peerBytesAtRst() {
        return peerBytesAtRst;
    }

    /** When this side first reset, its last payload came after the peer's last payload. */
    public boolean answeredPeerAtRst() {
        return answeredPeerAtRst;
    }

    /** Frame of the first payload the peer sent after this side's FIN, or 0. */
    public long peerDataAfterFinFrame() {
        return peerDataAfterFinFrame;
    }

    public long peerDataAfterFinTsNanos() {
        return peerDataAfterFinTsNanos;
    }

    /** When this side first reset, the peer had acknowledged everything this side had sent. */
    public boolean peerAckedAllAtRst() {
        return peerAckedAllAtRst;
    }

    /** The peer's last packet before this side's first RST, or 0. */
    public long rstAnswersFrame() {
        return rstAnswersFrame;
    }

    public long rstAnswersTsNanos() {
        return rstAnswersTsNanos;
    }
}
