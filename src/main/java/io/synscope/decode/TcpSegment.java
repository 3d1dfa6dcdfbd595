package io.synscope.decode;

/**
 * The TCP/IP fields of one frame that the flow stage needs, decoded in place.
 *
 * <p><b>Reuse contract.</b> {@link PacketDecoder#decode} overwrites every field of the instance it
 * is given, and the packet loop hands the same instance to the tracker for every frame, so
 * nothing may hold a reference to it past the call it was passed to. Addresses are kept as two
 * longs each so that IPv4 and IPv6 share one key layout without allocation: an IPv4 address
 * {@code a.b.c.d} is stored as the IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d}.
 */
public final class TcpSegment {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** 4 or 6. */
    public int ipVersion;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int srcPort;
    public int dstPort;
    /** Sequence and acknowledgement numbers as unsigned 32-bit values held in an int. */
    public int seq;
    public int ack;
    /** TCP flag byte: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR bits as on the wire. */
    public int flags;
    /** Advertised window, unscaled, as on the wire. */
    public int window;
    /**
     * Payload length from the IP header's lengths (what was sent), not what the snap length kept.
     */
    public int payloadLength;
    /** IPv4 identification field; 0 for IPv6. Stateless Linux RSTs carry 0. */
    public int ipId;
    /** True when the TCP timestamp option is present. */
    public boolean hasTimestamps;
    /** Timestamp option TSval and TSecr, unsigned 32-bit values held in an int; 0 when absent. */
    public int tsVal;
    public int tsEcr;
    /** MSS option value, or 0 when absent. */
    public int mss;
    public long tsNanos;
    public long frameNumber;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Copies every field of {@code o} into this one: how to keep a segment past the call. */
    public void copyFrom(TcpSegment o) {
        ipVersion = o.ipVersion;
        srcHi = o.srcHi;
        srcLo = o.srcLo;
        dstHi = o.dstHi;
        dstLo = o.dstLo;
        srcPort = o.srcPort;
        dstPort = o.dstPort;
        seq = o.seq;
        ack = o.ack;
        flags = o.flags;
        window = o.window;
        payloadLength = o.payloadLength;
        ipId = o.ipId;
        hasTimestamps = o.hasTimestamps;
        tsVal = o.tsVal;
        tsEcr = o.tsEcr;
        mss = o.mss;
        tsNanos = o.tsNanos;
        frameNumber = o.frameNumber;
    }
}
