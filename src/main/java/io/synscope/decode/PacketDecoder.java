package io.synscope.decode;

import io.synscope.capture.Addresses;
import io.synscope.capture.LinkType;
import io.synscope.capture.RawPacket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes a frame's link, IP and TCP headers into a {@link TcpSegment}, walking through tags,
 * label stacks and tunnels on the way.
 *
 * <p><b>What is followed.</b> Link types Ethernet, Linux cooked v1/v2, raw IP (101, 12, 14, 228,
 * 229), BSD NULL (family in either byte order), LOOP and IP over InfiniBand. Below them: 802.1Q,
 * 802.1ad and 0x9100/0x9200 tags to any depth, VN-Tag, Cisco FabricPath, MPLS label stacks,
 * PPPoE session and PPP, IPv4 and IPv6 (extension headers hop-by-hop, routing, fragment,
 * destination options, AH, mobility), and the tunnels IPv4/IPv6-in-IP, GRE (including
 * transparent Ethernet, ERSPAN II/III and PPTP's enhanced GRE), VXLAN (UDP 4789), Geneve (UDP
 * 6081), GTP-U (UDP 2152) and Teredo (any UDP port, recognised by shape). A tunnel's innermost
 * TCP/IP headers are the ones reported. Fragments are not reassembled: a first fragment is decoded
 * as far as it goes, later ones are {@link SkipReason#IP_FRAGMENT}.
 *
 * <p><b>Contract.</b> {@link #decode} never throws, whatever the bytes and lengths of the frame:
 * each frame yields either a segment or exactly one {@link SkipReason}. Two limits bound every
 * header. The <i>captured</i> bytes bound every read; a header they cut is
 * {@link SkipReason#TRUNCATED}. The <i>declared</i> end – the frame's length on the wire, then each
 * enclosing IP, UDP or GTP length field – bounds what a header may claim; a header that does
 * not fit the lengths around it is {@link SkipReason#MALFORMED}. So a frame cut by the snap
 * length is truncated, while a frame that was complete but is too short for its own headers is
 * malformed. {@link TcpSegment#payloadLength} comes from the declared lengths (what was sent),
 * never from what was captured.
 *
 * <p><b>State.</b> A decoder keeps the frame being decoded and the last problem in fields and
 * allocates nothing per frame; it is not thread-safe, so use one per thread.
 */
public final class PacketDecoder {

    // The layers of the walk. Each step reads the header at pos and names the layer that follows,
    // or STOP once stopReason holds the outcome. Every step either stops or leaves pos further
    // on than the step before it that read bytes, so the walk ends within the frame's length.
    // (A step may go straight on to the next header itself – IP into TCP – saving a round of the
    // loop on the common path; only steps that cannot recurse do.)
    private static final int STOP = 0;
    private static final int ETHERNET = 1;
    private static final int ETHERTYPE = 2;
    private static final int MPLS = 3;
    private static final int PPPOE = 4;
    private static final int PPP = 5;
    private static final int IP_BY_VERSION = 6;
    private static final int IPV4 = 7;
    private static final int IPV6 = 8;
    private static final int IP_PAYLOAD = 9;
    private static final int GRE = 10;
    private static final int UDP = 11;

    private static final int IPPROTO_HOPOPTS = 0;
    private static final int IPPROTO_IPIP = 4;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPPROTO_ROUTING = 43;
    private static final int IPPROTO_FRAGMENT = 44;
    private static final int IPPROTO_GRE = 47;
    private static final int IPPROTO_AH = 51;
    private static final int IPPROTO_DSTOPTS = 60;
    private static final int IPPROTO_MOBILITY = 135;

    /** 2001::/32, the prefix of Teredo addresses, as the first 32 bits of the address. */
    private static final int TEREDO_PREFIX = 0x2001_0000;

    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Ethernet, IPv4 and TCP headers without options: the shortest frame that holds a segment. */
    private static final int MIN_ETHERNET_IPV4_TCP = 14 + 20 + 20;
    /**
     * Linux's option layouts, as big-endian words. After the handshake: NOP, NOP, timestamps
     * (kind 8, length 10). On SYNs: MSS (kind 2, length 4), SACK permitted (kind 4, length 2),
     * timestamps, NOP, window scale (kind 3, length 3).
     */
    private static final int NOP_NOP_TIMESTAMPS = 0x0101_080A;
    private static final int MSS_KIND_LENGTH = 0x0204;
    private static final int SACK_PERMITTED_TIMESTAMPS = 0x0402_080A;
    private static final int NOP_WINDOW_SCALE = 0x01_0303;

    /** Problem details for a 4-bit length field below its minimum of 5, indexed by the field. */
    private static final String[] IPV4_IHL_BELOW_5 = belowFive("IPv4 header length ");
    private static final String[] TCP_OFFSET_BELOW_5 = belowFive("TCP data offset ");

    // The frame being decoded; valid during decode() only.
    private byte[] b;
    private int frameStart;
    /** One past the last captured byte. */
    private int capEnd;
    /** Start of the header the current step reads. */
    private int pos;
    /**
     * One past the last byte the enclosing headers declare for the current layer (starts as the
     * frame's wire length, so it may lie beyond capEnd when the frame was snapped).
     */
    private int end;
    /** Protocol number of the header at pos, for the IP_PAYLOAD step. */
    private int ipProto;
    /**
     * Inside the first fragment of a datagram that continues in later frames: lengths declared
     * inside it may run past the fragment, whose end capEnd has been cut to.
     */
    private boolean inFirstFragment;
    private SkipReason stopReason;

    private String problem;
    private int problemOffset = -1;

    /**
     * Decodes {@code raw} into {@code out}. {@code out.tsNanos} and {@code out.frameNumber} are
     * always set; the other fields of {@code out} hold a whole segment only when this returns
     * null, and are unspecified otherwise.
     *
     * @return null when {@code out} now holds a TCP segment, else why the frame was skipped
     */
    public SkipReason decode(RawPacket raw, TcpSegment out) {
        out.tsNanos = raw.tsNanos;
        out.frameNumber = raw.frameNumber;
        problem = null;
        problemOffset = -1;
        if (ethernetIpv4Tcp(raw, out)) {
            return null;
        }
        return walk(raw, out);
    }

    /**
     * The frame nearly every capture is made of – Ethernet, IPv4 without options, TCP – decoded
     * in one straight line that the JIT compiles small and early. It makes every check the layer
     * walk makes for such a frame and returns false, having written nothing, for any frame the
     * walk could see otherwise: another link type or EtherType, IP options, a fragment, a length
     * that does not fit, a header the snap length cut. The walk then decodes that frame from
     * scratch, so both give the same result for every frame.
     */
    private static boolean ethernetIpv4Tcp(RawPacket raw, TcpSegment out) {
        byte[] b = raw.data;
        int start = raw.offset;
        int captured = raw.capturedLength;
        if (raw.linkType != LinkType.ETHERNET || b == null || start < 0
                || captured < MIN_ETHERNET_IPV4_TCP || captured > b.length - start) {
            return false;
        }
        long frameEnd = (long) start + Math.max(raw.originalLength, captured);
        int ip = start + 14;
        // EtherType IPv4, then version 4 with a header of 5 words: no options.
        if ((int) INT_BE.get(b, start + 12) >>> 8 != 0x08_00_45 || frameEnd > Integer.MAX_VALUE) {
            return false;
        }
        int totalLength = u16(b, ip + 2);
        if (totalLength == 0) {
            totalLength = (int) frameEnd - ip; // segmentation offload, as in ipv4()
        }
        int tcp = ip + 20;
        int tcpHeaderLength = (b[tcp + 12] & 0xF0) >>> 2;
        // Not a fragment (no offset, no more-fragments flag); TCP; the datagram within the frame
        // and the TCP header within the datagram (the captured bytes were checked above).
        if ((u16(b, ip + 6) & 0x3FFF) != 0 || b[ip + 9] != IPPROTO_TCP
                || totalLength > frameEnd - ip || tcpHeaderLength < 20
                || tcpHeaderLength > totalLength - 20) {
            return false;
        }
        out.ipVersion = 4;
        out.ipId = u16(b, ip + 4);
        out.srcHi = 0;
        out.srcLo = Addresses.V4_MAPPED_LO_PREFIX | ((int) INT_BE.get(b, ip + 12) & 0xFFFF_FFFFL);
        out.dstHi = 0;
        out.dstLo = Addresses.V4_MAPPED_LO_PREFIX | ((int) INT_BE.get(b, ip + 16) & 0xFFFF_FFFFL);
        out.srcPort = u16(b, tcp);
        out.dstPort = u16(b, tcp + 2);
        out.seq = (int) INT_BE.get(b, tcp + 4);
        out.ack = (int) INT_BE.get(b, tcp + 8);
        out.flags = b[tcp + 13] & 0xFF;
        out.window = u16(b, tcp + 14);
        out.payloadLength = totalLength - 20 - tcpHeaderLength;
        readOptions(out, b, tcp + 20, tcp + tcpHeaderLength, start + captured);
        return true;
    }

    /**
     * Every layer the class comment lists, one step at a time: the decoder without its
     * straight-line path (tests compare the two).
     */
    SkipReason walk(RawPacket raw, TcpSegment out) {
        stopReason = null;
        inFirstFragment = false;
        byte[] data = raw.data;
        int start = raw.offset;
        int captured = raw.capturedLength;
        if (data == null || start < 0 || captured < 0 || captured > data.length - start) {
            b = null;
            problem = "captured bytes lie outside the packet buffer";
            problemOffset = 0;
            return SkipReason.MALFORMED;
        }
        b = data;
        frameStart = start;
        pos = start;
        capEnd = start + captured;
        long wireLength = Math.max(raw.originalLength, captured);
        end = (int) Math.min(start + wireLength, Integer.MAX_VALUE);

        int layer = linkLayer(raw.linkType & LinkType.MASK);
        while (layer != STOP) {
            layer = switch (layer) {
                case ETHERNET -> ethernet();
                case ETHERTYPE -> etherType();
                case MPLS -> mpls();
                case PPPOE -> pppoe();
                case PPP -> ppp();
                case IP_BY_VERSION -> byVersionNibble(SkipReason.MALFORMED, "short IP header");
                case IPV4 -> ipv4(out);
                case IPV6 -> ipv6(out);
                case IP_PAYLOAD -> ipPayload(out);
                case GRE -> gre();
                case UDP -> udp();
                default -> throw new IllegalStateException("layer " + layer);
            };
        }
        b = null;
        return stopReason;
    }

    /**
     * What made the last {@link #decode} return {@link SkipReason#MALFORMED} or
     * {@link SkipReason#TRUNCATED}, as a constant phrase such as
     * {@code "IPv4 header length 3 words < 5"}; null after any other outcome.
     */
    public String lastProblem() {
        return problem;
    }

    /**
     * Offset from the frame's first byte of the header or field {@link #lastProblem()} is about;
     * for a truncation, where the header that was cut starts (which may be at or past the end of
     * the captured bytes). -1 when there is no problem.
     */
    public int lastProblemOffset() {
        return problemOffset;
    }

    /** True for the link types {@link #decode} can decode (masked to 16 bits first, as there). */
    public static boolean supportsLinkType(int linkType) {
        return switch (linkType & LinkType.MASK) {
            case LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW,
                    LinkType.RAW_OLD_12, LinkType.RAW_OLD_14, LinkType.IPV4, LinkType.IPV6,
                    LinkType.NULL, LinkType.LOOP, LinkType.IPOIB -> true;
            default -> false;
        };
    }

    private int linkLayer(int linkType) {
        return switch (linkType) {
            case LinkType.ETHERNET -> ethernet();
            case LinkType.LINUX_SLL -> linkHeader(16, 14, "short Linux cooked header");
            case LinkType.LINUX_SLL2 -> linkHeader(20, 0, "short Linux cooked v2 header");
            case LinkType.IPOIB -> linkHeader(44, 40, "short IP-over-InfiniBand header");
            case LinkType.RAW, LinkType.RAW_OLD_12, LinkType.RAW_OLD_14, LinkType.IPV4,
                    LinkType.IPV6 -> IP_BY_VERSION;
            case LinkType.NULL, LinkType.LOOP -> loopback(linkType == LinkType.NULL);
            default -> stop(SkipReason.UNSUPPORTED_LINK_TYPE);
        };
    }

    /** A fixed-length link header with an EtherType at {@code typeAt}. */
    private int linkHeader(int length, int typeAt, String shortDetail) {
        if (!fits(length, shortDetail)) {
            return STOP;
        }
        int type = u16(pos + typeAt);
        pos += length;
        return byEtherType(type);
    }

    /** BSD loopback: a 4-byte address family, in the capturing host's byte order for NULL. */
    private int loopback(boolean hostByteOrder) {
        if (!fits(4, "short loopback header")) {
            return STOP;
        }
        int family = (int) INT_BE.get(b, pos);
        // Every family fits in 16 bits, so high bits set mean a little-endian host wrote it.
        if (hostByteOrder && (family >>> 16) != 0) {
            family = Integer.reverseBytes(family);
        }
        pos += 4;
        return switch (family) {
            case 2 -> IPV4;
            // AF_INET6 is 10 on Linux, 24 on the BSDs, 28 on FreeBSD, 30 on macOS.
            case 10, 24, 28, 30 -> IPV6;
            default -> stop(SkipReason.NOT_IP);
        };
    }

    private int ethernet() {
        if (!fits(14, "short Ethernet header")) {
            return STOP;
        }
        int type = u16(pos + 12);
        pos += 14;
        return byEtherType(type);
    }

    /** An EtherType field at pos, after an Ethernet or cooked header or a tag. */
    private int etherType() {
        if (!fits(2, "short EtherType or VLAN tag")) {
            return STOP;
        }
        int type = u16(pos);
        pos += 2;
        return byEtherType(type);
    }

    /** The layer an EtherType names, with pos just past the EtherType field. */
    private int byEtherType(int type) {
        switch (type) {
            case 0x0800:
                return IPV4;
            case 0x86DD:
                return IPV6;
            case 0x8100, 0x88A8, 0x9100, 0x9200:
                pos += 2; // TCI; the tag ends with the next EtherType
                return ETHERTYPE;
            case 0x8926:
                pos += 4; // VN-Tag, then the next EtherType
                return ETHERTYPE;
            case 0x8903:
                pos += 2; // FabricPath FTag/TTL, then the whole inner Ethernet header
                return ETHERNET;
            case 0x6558:
                return ETHERNET; // transparent Ethernet bridging (GRE, Geneve)
            case 0x8847, 0x8848:
                return MPLS;
            case 0x8864:
                return PPPOE;
            case 0x880B:
                return PPP;
            default:
                // Includes 802.3 length fields (< 0x0600, LLC follows), ARP, LLDP …
                return stop(SkipReason.NOT_IP);
        }
    }

    private int mpls() {
        boolean bottomOfStack;
        do {
            if (!fits(4, "short MPLS label stack")) {
                return STOP;
            }
            bottomOfStack = (b[pos + 2] & 0x01) != 0;
            pos += 4;
        } while (!bottomOfStack);
        // MPLS names no payload protocol; anything but an IP version nibble (a pseudowire
        // control word, say) is not followed.
        return byVersionNibble(SkipReason.NOT_IP, "short IP header after MPLS");
    }

    private int pppoe() {
        if (!fits(6, "short PPPoE header")) {
            return STOP;
        }
        if (b[pos] != 0x11 || b[pos + 1] != 0) {
            return stop(SkipReason.NOT_IP); // not version 1, type 1 session data
        }
        // The PPPoE length is not used, as Zeek does not use it: the IP header's own length is what
        // the sender meant. (Where the two disagree, as on some ACKs in the corpus's
        // pppoe-over-qinq.pcap, Wireshark believes PPPoE instead.)
        pos += 6;
        return PPP;
    }

    private int ppp() {
        if (!fits(1, "short PPP header")) {
            return STOP;
        }
        if ((b[pos] & 0xFF) == 0xFF) { // HDLC address and control bytes, as PPTP's GRE carries
            if (!fits(3, "short PPP header")) {
                return STOP;
            }
            pos += 2;
        }
        int protocol;
        if ((b[pos] & 0x01) != 0) { // protocol-field compression: one odd byte
            protocol = b[pos] & 0xFF;
            pos += 1;
        } else {
            if (!fits(2, "short PPP header")) {
                return STOP;
            }
            protocol = u16(pos);
            pos += 2;
        }
        return switch (protocol) {
            case 0x21 -> IPV4;
            case 0x57 -> IPV6;
            default -> stop(SkipReason.NOT_IP);
        };
    }

    /**
     * For headers that name no payload protocol, the IP version nibble at pos picks IPv4 or IPv6;
     * any other nibble ends the walk as {@code otherwise} (MALFORMED where only IP can follow).
     */
    private int byVersionNibble(SkipReason otherwise, String shortDetail) {
        if (!fits(1, shortDetail)) {
            return STOP;
        }
        int version = (b[pos] & 0xF0) >>> 4;
        if (version == 4) {
            return IPV4;
        }
        if (version == 6) {
            return IPV6;
        }
        return otherwise == SkipReason.MALFORMED
                ? malformed("IP version nibble is neither 4 nor 6", pos)
                : stop(otherwise);
    }

    private int ipv4(TcpSegment out) {
        if (!fits(20, "short IPv4 header")) {
            return STOP;
        }
        int versionIhl = b[pos] & 0xFF;
        if ((versionIhl >>> 4) != 4) {
            return malformed("IPv4 header with a version other than 4", pos);
        }
        int headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < 20) {
            return malformed(IPV4_IHL_BELOW_5[versionIhl & 0x0F], pos);
        }
        int totalLength = u16(pos + 2);
        if (totalLength == 0) {
            // TCP segmentation offload: the NIC writes the length after the capture point, so the
            // frame's own length is what will be sent.
            totalLength = end - pos;
        }
        if (totalLength < headerLength) {
            return malformed("IPv4 total length shorter than its header", pos + 2);
        }
        int flagsOffset = u16(pos + 6);
        if ((flagsOffset & 0x1FFF) != 0) {
            return stop(SkipReason.IP_FRAGMENT);
        }
        out.ipVersion = 4;
        out.ipId = u16(pos + 4);
        out.srcHi = 0;
        out.srcLo = Addresses.V4_MAPPED_LO_PREFIX | ((int) INT_BE.get(b, pos + 12) & 0xFFFF_FFFFL);
        out.dstHi = 0;
        out.dstLo = Addresses.V4_MAPPED_LO_PREFIX | ((int) INT_BE.get(b, pos + 16) & 0xFFFF_FFFFL);
        ipProto = b[pos + 9] & 0xFF;
        if (!declare(totalLength)) {
            return malformed("IPv4 total length runs past the frame", pos + 2);
        }
        if ((flagsOffset & 0x2000) != 0) {
            enterFirstFragment();
        }
        pos += headerLength;
        return ipPayload(out);
    }

    private int ipv6(TcpSegment out) {
        if (!fits(40, "short IPv6 header")) {
            return STOP;
        }
        if ((b[pos] & 0xF0) != 0x60) {
            return malformed("IPv6 header with a version other than 6", pos);
        }
        int payloadLength = u16(pos + 4);
        if (payloadLength == 0) {
            // A jumbogram, or segmentation offload (BIG TCP): the frame's length is what is sent.
            payloadLength = end - pos - 40;
        }
        if (!declare(40 + payloadLength)) {
            return malformed("IPv6 payload length runs past the frame", pos + 4);
        }
        out.ipVersion = 6;
        out.ipId = 0;
        out.srcHi = (long) LONG_BE.get(b, pos + 8);
        out.srcLo = (long) LONG_BE.get(b, pos + 16);
        out.dstHi = (long) LONG_BE.get(b, pos + 24);
        out.dstLo = (long) LONG_BE.get(b, pos + 32);
        ipProto = b[pos + 6] & 0xFF;
        pos += 40;
        return ipPayload(out);
    }

    /** The header at pos is IP protocol (or IPv6 next header) number ipProto. */
    private int ipPayload(TcpSegment out) {
        return switch (ipProto) {
            case IPPROTO_TCP -> tcp(out);
            case IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_MOBILITY ->
                    extensionHeader(8, 1); // length in 8-octet units, not counting the first
            case IPPROTO_AH -> extensionHeader(4, 2); // length in 4-octet units, minus 2
            case IPPROTO_FRAGMENT -> fragmentHeader();
            case IPPROTO_IPIP -> IPV4;
            case IPPROTO_IPV6 -> IPV6;
            case IPPROTO_GRE -> GRE;
            case IPPROTO_UDP -> UDP;
            default -> stop(SkipReason.NOT_TCP); // UDP, ICMP, ESP, no-next-header …
        };
    }

    private int extensionHeader(int unitBytes, int unitsAdded) {
        if (!fits(2, "short IPv6 extension header")) {
            return STOP;
        }
        int length = ((b[pos + 1] & 0xFF) + unitsAdded) * unitBytes;
        if (length > end - pos) {
            return malformed("IPv6 extension header runs past the payload", pos + 1);
        }
        ipProto = b[pos] & 0xFF;
        pos += length;
        return IP_PAYLOAD;
    }

    private int fragmentHeader() {
        if (!fits(8, "short IPv6 fragment header")) {
            return STOP;
        }
        int offsetFlags = u16(pos + 2);
        if ((offsetFlags & 0xFFF8) != 0) {
            return stop(SkipReason.IP_FRAGMENT);
        }
        if ((offsetFlags & 0x0001) != 0) {
            enterFirstFragment();
        }
        ipProto = b[pos] & 0xFF;
        pos += 8;
        return IP_PAYLOAD;
    }

    private int gre() {
        if (!fits(4, "short GRE header")) {
            return STOP;
        }
        int flags = u16(pos);
        int protocol = u16(pos + 2);
        int headerLength = 4;
        int version = flags & 0x07;
        if (version == 0) {
            if ((flags & 0x4000) != 0) {
                return stop(SkipReason.NOT_TCP); // RFC 1701 source routing: obsolete, not followed
            }
            headerLength += ((flags & 0x8000) != 0 ? 4 : 0)  // checksum and reserved
                    + ((flags & 0x2000) != 0 ? 4 : 0)        // key
                    + ((flags & 0x1000) != 0 ? 4 : 0);       // sequence number
        } else if (version == 1 && protocol == 0x880B) {
            // PPTP's enhanced GRE: the key holds payload length and call ID; acks carry no payload.
            if (!fits(8, "short GRE header")) {
                return STOP;
            }
            if (u16(pos + 4) == 0) {
                return stop(SkipReason.NOT_TCP);
            }
            headerLength += 4
                    + ((flags & 0x1000) != 0 ? 4 : 0)   // sequence number
                    + ((flags & 0x0080) != 0 ? 4 : 0);  // acknowledgement number
        } else {
            return stop(SkipReason.NOT_TCP);
        }
        pos += headerLength;
        switch (protocol) {
            case 0x88BE:
                // ERSPAN type I has neither sequence number nor header; type II has both.
                if ((flags & 0x1000) != 0) {
                    pos += 8;
                }
                return ETHERNET;
            case 0x22EB:
                // ERSPAN type III: 12 bytes, then 8 more when the O flag says a subheader follows.
                if (!fits(12, "short ERSPAN header")) {
                    return STOP;
                }
                pos += 12 + ((b[pos + 11] & 0x01) != 0 ? 8 : 0);
                return ETHERNET;
            default:
                return byEtherType(protocol);
        }
    }

    /**
     * UDP is followed only into the tunnels it is known to carry. Until a tunnel is recognised the
     * datagram is just UDP, so its own inconsistencies are NOT_TCP rather than MALFORMED (a header
     * cut by the capture is still TRUNCATED: it might have carried one).
     */
    private int udp() {
        if (end - pos < 8) {
            return stop(SkipReason.NOT_TCP);
        }
        if (!fits(8, "short UDP header")) {
            return STOP;
        }
        int srcPort = u16(pos);
        int dstPort = u16(pos + 2);
        int length = u16(pos + 4);
        if (length < 8 || !declare(length)) {
            return stop(SkipReason.NOT_TCP);
        }
        pos += 8;
        if (dstPort == 4789) {
            return vxlan();
        }
        if (dstPort == 6081) {
            return geneve();
        }
        if (dstPort == 2152 || srcPort == 2152) {
            return gtpU();
        }
        // Teredo relays use any port, so every other datagram is tried as Teredo (as Zeek does).
        return teredo();
    }

    private int vxlan() {
        if (!fits(8, "short VXLAN header")) {
            return STOP;
        }
        if ((b[pos] & 0x08) == 0) {
            return stop(SkipReason.NOT_TCP); // no valid-VNI flag: not a VXLAN data packet
        }
        pos += 8;
        return ETHERNET;
    }

    private int geneve() {
        if (!fits(8, "short Geneve header")) {
            return STOP;
        }
        if ((b[pos] & 0xC0) != 0) {
            return stop(SkipReason.NOT_TCP); // a Geneve version this decoder does not know
        }
        int optionsLength = (b[pos] & 0x3F) * 4;
        int protocol = u16(pos + 2);
        pos += 8 + optionsLength;
        return byEtherType(protocol);
    }

    private int gtpU() {
        if (!fits(8, "short GTP-U header")) {
            return STOP;
        }
        int flags = b[pos] & 0xFF;
        if ((flags & 0xF0) != 0x30 || (b[pos + 1] & 0xFF) != 0xFF) {
            return stop(SkipReason.NOT_TCP); // not GTPv1 user data (echo, error indication …)
        }
        if (!declare(8 + u16(pos + 2))) {
            return malformed("GTP-U length runs past the UDP payload", pos + 2);
        }
        if ((flags & 0x07) == 0) {
            pos += 8;
        } else {
            // Sequence number, N-PDU number and next-extension type come as one 4-byte block.
            if (!fits(12, "short GTP-U header")) {
                return STOP;
            }
            int nextExtension = (flags & 0x04) != 0 ? b[pos + 11] & 0xFF : 0;
            pos += 12;
            while (nextExtension != 0) {
                if (!fits(1, "short GTP-U extension header")) {
                    return STOP;
                }
                int extensionLength = (b[pos] & 0xFF) * 4;
                if (extensionLength == 0) {
                    return malformed("GTP-U extension header of length 0", pos);
                }
                if (!fits(extensionLength, "short GTP-U extension header")) {
                    return STOP;
                }
                nextExtension = b[pos + extensionLength - 1] & 0xFF;
                pos += extensionLength;
            }
        }
        return byVersionNibble(SkipReason.NOT_IP, "short IP header in GTP-U");
    }

    /**
     * Teredo (RFC 4380) is recognised by its shape alone, so it is believed only when an IPv6
     * header with a Teredo address (2001::/32) fills the datagram exactly; anything else stays
     * plain UDP.
     */
    private int teredo() {
        if (readable() >= 4 && u16(pos) == 0x0001) { // authentication indicator
            int clientIdLength = b[pos + 2] & 0xFF;
            int authLength = b[pos + 3] & 0xFF;
            pos += 4 + clientIdLength + authLength + 9; // then nonce (8) and confirmation (1)
        }
        if (readable() >= 2 && u16(pos) == 0x0000) { // origin indication
            pos += 8;
        }
        if (readable() < 40 || (b[pos] & 0xF0) != 0x60 || 40 + u16(pos + 4) != end - pos
                || ((int) INT_BE.get(b, pos + 8) != TEREDO_PREFIX
                        && (int) INT_BE.get(b, pos + 24) != TEREDO_PREFIX)) {
            return stop(SkipReason.NOT_TCP);
        }
        return IPV6;
    }

    private int tcp(TcpSegment out) {
        if (!fits(20, "short TCP header")) {
            return STOP;
        }
        int offsetWords = (b[pos + 12] & 0xF0) >>> 4;
        if (offsetWords < 5) {
            return malformed(TCP_OFFSET_BELOW_5[offsetWords], pos + 12);
        }
        int headerLength = offsetWords * 4;
        if (headerLength > end - pos) {
            return malformed("TCP data offset runs past the IP payload", pos + 12);
        }
        out.srcPort = u16(pos);
        out.dstPort = u16(pos + 2);
        out.seq = (int) INT_BE.get(b, pos + 4);
        out.ack = (int) INT_BE.get(b, pos + 8);
        out.flags = b[pos + 13] & 0xFF;
        out.window = u16(pos + 14);
        out.payloadLength = end - pos - headerLength;
        readOptions(out, b, pos + 20, pos + headerLength, capEnd);
        return stop(null); // a whole segment
    }

    /**
     * Reads MSS and timestamps from the options in {@code [from, headerEnd)} of {@code b}. A
     * malformed option ends the walk but keeps the segment; options at or past {@code capEnd},
     * the end of the captured bytes, are left unread.
     */
    private static void readOptions(TcpSegment out, byte[] b, int from, int headerEnd,
                                    int capEnd) {
        int limit = Math.min(headerEnd, capEnd);
        // Linux's two layouts, on nearly every segment of a capture, are matched whole: it
        // yields what the option-by-option walk below yields, without its hard-to-predict
        // branches. Only the bytes that could change that result need to match.
        if (limit - from == 12 && (int) INT_BE.get(b, from) == NOP_NOP_TIMESTAMPS) {
            out.mss = 0;
            out.hasTimestamps = true;
            out.tsVal = (int) INT_BE.get(b, from + 4);
            out.tsEcr = (int) INT_BE.get(b, from + 8);
            return;
        }
        if (limit - from == 20 && (int) INT_BE.get(b, from) >>> 16 == MSS_KIND_LENGTH
                && (int) INT_BE.get(b, from + 4) == SACK_PERMITTED_TIMESTAMPS
                && (int) INT_BE.get(b, from + 16) >>> 8 == NOP_WINDOW_SCALE) {
            out.mss = u16(b, from + 2);
            out.hasTimestamps = true;
            out.tsVal = (int) INT_BE.get(b, from + 8);
            out.tsEcr = (int) INT_BE.get(b, from + 12);
            return;
        }
        out.mss = 0;
        out.hasTimestamps = false;
        out.tsVal = 0;
        out.tsEcr = 0;
        int p = from;
        while (p < limit) {
            int kind = b[p] & 0xFF;
            if (kind == 0) {
                return; // end of option list
            }
            if (kind == 1) {
                p++; // no-operation padding
                continue;
            }
            if (limit - p < 2) {
                return;
            }
            int length = b[p + 1] & 0xFF;
            if (length < 2 || length > headerEnd - p || length > limit - p) {
                return; // malformed, or cut by the snap length
            }
            if (kind == 2 && length == 4) {
                out.mss = u16(b, p + 2);
            } else if (kind == 8 && length == 10) {
                out.hasTimestamps = true;
                out.tsVal = (int) INT_BE.get(b, p + 2);
                out.tsEcr = (int) INT_BE.get(b, p + 6);
            }
            p += length;
        }
    }

    /**
     * Narrows end to {@code length} bytes from pos, as the header at pos declares. False when
     * that runs past the enclosing end – unless inside a first fragment, where the datagram goes
     * on beyond this frame.
     */
    private boolean declare(int length) {
        if (length > end - pos && !inFirstFragment) {
            return false;
        }
        end = pos + length;
        return true;
    }

    /** Call with end at the fragment's end; bytes captured past it are not the datagram's. */
    private void enterFirstFragment() {
        inFirstFragment = true;
        capEnd = Math.min(capEnd, end);
    }

    /** Captured bytes from pos that the enclosing headers also declare. */
    private int readable() {
        return Math.min(capEnd, end) - pos;
    }

    /**
     * True when {@code need} bytes from pos are both declared and captured; otherwise records
     * MALFORMED (the enclosing lengths leave no room) or TRUNCATED (the capture cut them).
     */
    private boolean fits(int need, String detail) {
        return Math.min(end, capEnd) - pos >= need || doesNotFit(need, detail);
    }

    /** The rare half of {@link #fits}, kept apart so that the common half inlines. */
    private boolean doesNotFit(int need, String detail) {
        problem = detail;
        problemOffset = pos - frameStart;
        stop(end - pos < need ? SkipReason.MALFORMED : SkipReason.TRUNCATED);
        return false;
    }

    private int malformed(String detail, int at) {
        problem = detail;
        problemOffset = at - frameStart;
        return stop(SkipReason.MALFORMED);
    }

    private int stop(SkipReason reason) {
        stopReason = reason;
        return STOP;
    }

    private int u16(int at) {
        return u16(b, at);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    /**
     * "{@code field} N words &lt; 5" for N from 0 to 4. Not with String.format: loading Formatter
     * made this class's initialisation, which every run waits for, take 14 ms.
     */
    private static String[] belowFive(String field) {
        String[] details = new String[5];
        for (int words = 0; words < details.length; words++) {
            details[words] = new StringBuilder(field).append(words).append(" words < 5").toString();
        }
        return details;
    }
}
