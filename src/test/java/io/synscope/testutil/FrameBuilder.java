package io.synscope.testutil;

import io.synscope.capture.LinkType;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds whole frames – link header down to TCP payload – carrying one TCP segment, with every
 * length and checksum filled in, for decoder tests and for crafting captures (with
 * {@code CaptureFiles}).
 *
 * <pre>{@code
 * FrameBuilder client = FrameBuilder.tcp().from("10.0.0.1", 40000).to("10.0.0.2", 80);
 * FrameBuilder server = client.copy().swapEnds();
 * byte[] syn = client.seq(1000).flags(TcpSegment.SYN).mss(1460).build();
 * byte[] rst = server.seq(0).ack(1001).flags(TcpSegment.RST | TcpSegment.ACK).build();
 * }</pre>
 *
 * <p>Setters change this builder and return it, so one builder can be adjusted and built again for
 * each segment of a conversation; {@link #copy()} forks it. Nothing is computed until
 * {@link #build()}. Layers are stacked outermost first: link header, tags (VLAN …), MPLS or
 * PPPoE, an optional tunnel (whose outer header is IPv4 192.0.2.1 → 192.0.2.2), the IP header with
 * its options or IPv6 extension headers, TCP header with options, payload, then any trailer.
 * Combinations a link type cannot carry (tags on raw IP, say) throw {@link IllegalStateException}.
 */
public final class FrameBuilder {

    /** Tunnels that can wrap the IP packet; see {@link #tunnel}. */
    public enum Tunnel {
        /** IPv4 protocol 4 (IPv4 inside) or 41 (IPv6 inside). */
        IP_IN_IP,
        /** GRE version 0 carrying IP. */
        GRE,
        /** GRE version 0 carrying an Ethernet frame (transparent Ethernet bridging, 0x6558). */
        GRE_ETHERNET,
        /** UDP to port 4789, then an Ethernet frame. */
        VXLAN,
        /** UDP to port 6081, then an Ethernet frame. */
        GENEVE,
        /** UDP 2152 to 2152, GTPv1 G-PDU without optional fields, then IP. */
        GTP_U,
        /** UDP from port 3544, then the IPv6 packet (which needs a 2001::/32 address to be believed). */
        TEREDO
    }

    private static final byte[] MAC_SRC = {0x02, 0, 0, 0, 0, 0x01};
    private static final byte[] MAC_DST = {0x02, 0, 0, 0, 0, 0x02};
    private static final byte[] TUNNEL_SRC = {(byte) 192, 0, 2, 1};
    private static final byte[] TUNNEL_DST = {(byte) 192, 0, 2, 2};

    private byte[] srcIp;
    private byte[] dstIp;
    private int srcPort;
    private int dstPort;
    private long seq;
    private long ack;
    private int flags;
    private int window = 65535;
    private byte[] payload = new byte[0];
    private int mss = -1;
    private boolean timestamps;
    private long tsVal;
    private long tsEcr;
    private byte[] rawOptions = new byte[0];
    private int ipId;
    private int ttl = 64;
    private int ipv4OptionWords;
    private int ipv4FragmentOffset;
    private boolean ipv4MoreFragments;
    private List<int[]> ipv6Extensions = new ArrayList<>(); // {type, lengthBytes, fragmentOffset, more}
    private int linkType = LinkType.ETHERNET;
    private List<int[]> tags = new ArrayList<>(); // {tpid, vid}
    private int[] mplsLabels = new int[0];
    private int pppoeSession = -1;
    private boolean fabricPath;
    private int nullFamily = -1;
    private ByteOrder nullByteOrder = ByteOrder.LITTLE_ENDIAN;
    private Tunnel tunnel;
    private int trailerBytes;

    private FrameBuilder() {
        from("10.0.0.1", 40000);
        to("10.0.0.2", 80);
    }

    /** A builder for 10.0.0.1:40000 → 10.0.0.2:80 over Ethernet, no flags, window 65535. */
    public static FrameBuilder tcp() {
        return new FrameBuilder();
    }

    /** An independent builder with the same settings. */
    public FrameBuilder copy() {
        FrameBuilder c = new FrameBuilder();
        c.srcIp = srcIp.clone();
        c.dstIp = dstIp.clone();
        c.srcPort = srcPort;
        c.dstPort = dstPort;
        c.seq = seq;
        c.ack = ack;
        c.flags = flags;
        c.window = window;
        c.payload = payload.clone();
        c.mss = mss;
        c.timestamps = timestamps;
        c.tsVal = tsVal;
        c.tsEcr = tsEcr;
        c.rawOptions = rawOptions.clone();
        c.ipId = ipId;
        c.ttl = ttl;
        c.ipv4OptionWords = ipv4OptionWords;
        c.ipv4FragmentOffset = ipv4FragmentOffset;
        c.ipv4MoreFragments = ipv4MoreFragments;
        ipv6Extensions.forEach(e -> c.ipv6Extensions.add(e.clone()));
        c.linkType = linkType;
        tags.forEach(t -> c.tags.add(t.clone()));
        c.mplsLabels = mplsLabels.clone();
        c.pppoeSession = pppoeSession;
        c.fabricPath = fabricPath;
        c.nullFamily = nullFamily;
        c.nullByteOrder = nullByteOrder;
        c.tunnel = tunnel;
        c.trailerBytes = trailerBytes;
        return c;
    }

    /** Source address (IPv4 or IPv6 literal) and port. */
    public FrameBuilder from(String ip, int port) {
        srcIp = parse(ip);
        srcPort = port;
        return this;
    }

    /** Destination address (IPv4 or IPv6 literal, same family as the source) and port. */
    public FrameBuilder to(String ip, int port) {
        dstIp = parse(ip);
        dstPort = port;
        return this;
    }

    /** Swaps source and destination addresses and ports: the other direction of the connection. */
    public FrameBuilder swapEnds() {
        byte[] ip = srcIp;
        srcIp = dstIp;
        dstIp = ip;
        int port = srcPort;
        srcPort = dstPort;
        dstPort = port;
        return this;
    }

    /** Sequence number, 0 to 2^32-1. */
    public FrameBuilder seq(long seq) {
        this.seq = seq;
        return this;
    }

    /** Acknowledgement number, 0 to 2^32-1 (written whether or not ACK is set). */
    public FrameBuilder ack(long ack) {
        this.ack = ack;
        return this;
    }

    /** The TCP flag byte, e.g. {@code TcpSegment.SYN | TcpSegment.ACK}. */
    public FrameBuilder flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** Advertised window as written on the wire (unscaled). */
    public FrameBuilder window(int window) {
        this.window = window;
        return this;
    }

    /** A payload of {@code length} bytes counting up from 0. */
    public FrameBuilder payloadLength(int length) {
        payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) i;
        }
        return this;
    }

    /** The payload bytes themselves. */
    public FrameBuilder payload(byte[] payload) {
        this.payload = payload.clone();
        return this;
    }

    /** Adds an MSS option (kind 2), the first option written. */
    public FrameBuilder mss(int mss) {
        this.mss = mss;
        return this;
    }

    /** Adds a timestamps option (kind 8, after two NOPs), written after any MSS. */
    public FrameBuilder timestamps(long tsVal, long tsEcr) {
        this.timestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        return this;
    }

    /**
     * Raw option bytes written after MSS and timestamps, e.g. malformed ones; the option area is
     * then padded with zeros (end of option list) to a multiple of 4 bytes.
     */
    public FrameBuilder options(int... bytes) {
        rawOptions = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            rawOptions[i] = (byte) bytes[i];
        }
        return this;
    }

    /** Removes MSS, timestamps and raw options. */
    public FrameBuilder noOptions() {
        mss = -1;
        timestamps = false;
        rawOptions = new byte[0];
        return this;
    }

    /** IPv4 identification field (ignored for IPv6). */
    public FrameBuilder ipId(int ipId) {
        this.ipId = ipId;
        return this;
    }

    public FrameBuilder ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    /** Adds {@code words} 4-byte words of NOP options to the IPv4 header (IHL becomes 5 + words). */
    public FrameBuilder ipv4Options(int words) {
        ipv4OptionWords = words;
        return this;
    }

    /**
     * Marks the packet as a fragment at {@code offsetUnits} × 8 bytes, with more-fragments set or
     * not. IPv4 sets its header fields; IPv6 appends a fragment extension header at this point of
     * the extension chain (so call it after the addresses). The bytes after the IP header are
     * still the TCP segment.
     */
    public FrameBuilder fragment(int offsetUnits, boolean more) {
        if (isIpv6()) {
            ipv6Extensions.add(new int[]{44, 8, offsetUnits, more ? 1 : 0});
        } else {
            ipv4FragmentOffset = offsetUnits;
            ipv4MoreFragments = more;
        }
        return this;
    }

    /**
     * Appends an IPv6 extension header of {@code type} (0 hop-by-hop, 43 routing, 60 destination
     * options, 135 mobility: a multiple of 8 bytes; 51 AH: a multiple of 4, at least 12) and total
     * length {@code lengthBytes}. Options headers are filled with PadN. Call after the addresses.
     */
    public FrameBuilder extension(int type, int lengthBytes) {
        if (!isIpv6()) {
            throw new IllegalStateException("extension headers need IPv6 addresses");
        }
        boolean ah = type == 51;
        if (type == 44 || lengthBytes % (ah ? 4 : 8) != 0 || lengthBytes < (ah ? 12 : 8)) {
            throw new IllegalArgumentException("extension " + type + " of " + lengthBytes + " bytes");
        }
        ipv6Extensions.add(new int[]{type, lengthBytes, 0, 0});
        return this;
    }

    /** The link type of the frame (a LINKTYPE_* value from {@link LinkType}); Ethernet by default. */
    public FrameBuilder link(int linkType) {
        this.linkType = linkType;
        return this;
    }

    /** Adds an 802.1Q tag (TPID 0x8100) inside those added before. */
    public FrameBuilder vlan(int vid) {
        return tag(0x8100, vid);
    }

    /** Adds a tag with any TPID (0x88a8 and 0x9100 for QinQ outer tags) inside those added before. */
    public FrameBuilder tag(int tpid, int vid) {
        tags.add(new int[]{tpid, vid});
        return this;
    }

    /** Puts an MPLS label stack (outermost first) between the tags and the IP packet. */
    public FrameBuilder mpls(int... labels) {
        mplsLabels = labels.clone();
        return this;
    }

    /** Puts a PPPoE session header and PPP protocol field between the tags and the IP packet. */
    public FrameBuilder pppoe(int sessionId) {
        pppoeSession = sessionId;
        return this;
    }

    /** Wraps the Ethernet frame in a Cisco FabricPath header (outer MACs, 0x8903, FTag/TTL). */
    public FrameBuilder fabricPath() {
        fabricPath = true;
        return this;
    }

    /**
     * The NULL/LOOP link header's address family and byte order (NULL: the capturing host's order,
     * little-endian by default; LOOP always writes big-endian). By default AF_INET (2) or, for IPv6,
     * the BSD AF_INET6 (24).
     */
    public FrameBuilder nullFamily(int family, ByteOrder order) {
        nullFamily = family;
        nullByteOrder = order;
        return this;
    }

    /** Wraps the IP packet in a tunnel whose outer header is IPv4 192.0.2.1 → 192.0.2.2. */
    public FrameBuilder tunnel(Tunnel tunnel) {
        this.tunnel = tunnel;
        return this;
    }

    /** Appends zero bytes after the IP packet, as Ethernet padding or an FCS would be. */
    public FrameBuilder trailer(int bytes) {
        trailerBytes = bytes;
        return this;
    }

    public int linkType() {
        return linkType;
    }

    /** The frame's bytes. */
    public byte[] build() {
        return buildFrame().bytes();
    }

    /**
     * The frame with the offsets of its innermost IP header and of its TCP header, for tests that
     * corrupt particular fields.
     */
    public Frame buildFrame() {
        if (srcIp.length != dstIp.length) {
            throw new IllegalStateException("source and destination of different IP versions");
        }
        byte[] segment = tcpSegment();
        byte[] ipHeader = isIpv6() ? ipv6Header(segment.length) : ipv4Header(segment.length);
        byte[] ipPacket = concat(ipHeader, segment);

        byte[] tunnelHeaders = tunnel == null ? new byte[0] : tunnelHeaders(ipPacket.length);
        byte[] network = concat(tunnelHeaders, ipPacket);
        boolean outerIpv6 = tunnel == null && isIpv6();
        byte[] link = linkHeaders(outerIpv6, network.length);
        byte[] bytes = concat(link, network, new byte[trailerBytes]);
        int ipOffset = link.length + tunnelHeaders.length;
        return new Frame(bytes, linkType, ipOffset, ipOffset + ipHeader.length);
    }

    /** A built frame: its bytes, link type, and where its innermost IP and its TCP header start. */
    public record Frame(byte[] bytes, int linkType, int ipOffset, int tcpOffset) {
    }

    private boolean isIpv6() {
        return srcIp.length == 16;
    }

    private byte[] tcpSegment() {
        ByteArrayOutputStream options = new ByteArrayOutputStream();
        if (mss >= 0) {
            options.write(2);
            options.write(4);
            writeShort(options, mss);
        }
        if (timestamps) {
            options.write(1);
            options.write(1);
            options.write(8);
            options.write(10);
            writeInt(options, tsVal);
            writeInt(options, tsEcr);
        }
        options.writeBytes(rawOptions);
        while (options.size() % 4 != 0) {
            options.write(0);
        }
        int headerLength = 20 + options.size();
        if (headerLength > 60) {
            throw new IllegalStateException("TCP options longer than 40 bytes");
        }
        ByteBuffer tcp = ByteBuffer.allocate(headerLength + payload.length);
        tcp.putShort((short) srcPort).putShort((short) dstPort)
                .putInt((int) seq).putInt((int) ack)
                .put((byte) (headerLength / 4 << 4)).put((byte) flags)
                .putShort((short) window).putShort((short) 0).putShort((short) 0)
                .put(options.toByteArray()).put(payload);
        byte[] bytes = tcp.array();
        ByteArrayOutputStream pseudo = new ByteArrayOutputStream();
        pseudo.writeBytes(srcIp);
        pseudo.writeBytes(dstIp);
        if (isIpv6()) {
            writeInt(pseudo, bytes.length);
            writeInt(pseudo, 6);
        } else {
            writeShort(pseudo, 6);
            writeShort(pseudo, bytes.length);
        }
        pseudo.writeBytes(bytes);
        int checksum = checksum(pseudo.toByteArray());
        bytes[16] = (byte) (checksum >>> 8);
        bytes[17] = (byte) checksum;
        return bytes;
    }

    private byte[] ipv4Header(int payloadLength) {
        if (!ipv6Extensions.isEmpty()) {
            throw new IllegalStateException("IPv6 extension headers on an IPv4 packet");
        }
        int headerLength = 20 + 4 * ipv4OptionWords;
        return ipv4(headerLength, payloadLength, 6, ipId, ipv4FragmentOffset, ipv4MoreFragments,
                srcIp, dstIp);
    }

    private byte[] ipv4(int headerLength, int payloadLength, int protocol, int id,
                        int fragmentOffset, boolean moreFragments, byte[] src, byte[] dst) {
        ByteBuffer h = ByteBuffer.allocate(headerLength);
        int flagsOffset = fragmentOffset | (moreFragments ? 0x2000 : 0)
                | (fragmentOffset == 0 && !moreFragments ? 0x4000 : 0); // DF when unfragmented
        h.put((byte) (0x40 | headerLength / 4)).put((byte) 0)
                .putShort((short) (headerLength + payloadLength)).putShort((short) id)
                .putShort((short) flagsOffset).put((byte) ttl).put((byte) protocol)
                .putShort((short) 0).put(src).put(dst);
        while (h.hasRemaining()) {
            h.put((byte) 1); // NOP options
        }
        byte[] bytes = h.array();
        int checksum = checksum(bytes);
        bytes[10] = (byte) (checksum >>> 8);
        bytes[11] = (byte) checksum;
        return bytes;
    }

    private byte[] ipv6Header(int segmentLength) {
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        for (int i = 0; i < ipv6Extensions.size(); i++) {
            int[] e = ipv6Extensions.get(i);
            int next = i + 1 < ipv6Extensions.size() ? ipv6Extensions.get(i + 1)[0] : 6;
            int type = e[0];
            int length = e[1];
            chain.write(next);
            if (type == 44) {
                chain.write(0);
                writeShort(chain, e[2] << 3 | e[3]);
                writeInt(chain, 0x1234);
            } else if (type == 51) {
                chain.write(length / 4 - 2);
                chain.writeBytes(new byte[length - 2]); // reserved, SPI, sequence, ICV
            } else {
                chain.write(length / 8 - 1);
                writePadN(chain, length - 2);
            }
        }
        ByteBuffer h = ByteBuffer.allocate(40);
        int first = ipv6Extensions.isEmpty() ? 6 : ipv6Extensions.get(0)[0];
        h.putInt(0x6000_0000).putShort((short) (chain.size() + segmentLength))
                .put((byte) first).put((byte) ttl).put(srcIp).put(dstIp);
        return concat(h.array(), chain.toByteArray());
    }

    private static void writePadN(ByteArrayOutputStream out, int length) {
        if (length == 1) {
            out.write(0); // Pad1
            return;
        }
        out.write(1);
        out.write(length - 2);
        out.writeBytes(new byte[length - 2]);
    }

    /** Outer IPv4 header and tunnel headers, up to where the inner IP packet starts. */
    private byte[] tunnelHeaders(int innerLength) {
        int innerType = isIpv6() ? 0x86DD : 0x0800;
        byte[] inner; // tunnel headers after the outer UDP header
        int srcUdp = 49152;
        int dstUdp;
        switch (tunnel) {
            case IP_IN_IP -> {
                return outerIpv4(isIpv6() ? 41 : 4, innerLength);
            }
            case GRE -> {
                byte[] gre = {0, 0, (byte) (innerType >>> 8), (byte) innerType};
                return concat(outerIpv4(47, gre.length + innerLength), gre);
            }
            case GRE_ETHERNET -> {
                byte[] gre = concat(new byte[]{0, 0, 0x65, 0x58}, ethernetHeader(innerType));
                return concat(outerIpv4(47, gre.length + innerLength), gre);
            }
            case VXLAN -> {
                inner = concat(new byte[]{0x08, 0, 0, 0, 0, 0, 0x2A, 0}, ethernetHeader(innerType));
                dstUdp = 4789;
            }
            case GENEVE -> {
                inner = concat(new byte[]{0, 0, 0x65, 0x58, 0, 0, 0x2A, 0}, ethernetHeader(innerType));
                dstUdp = 6081;
            }
            case GTP_U -> {
                inner = ByteBuffer.allocate(8).put((byte) 0x30).put((byte) 0xFF)
                        .putShort((short) innerLength).putInt(0x2A).array();
                srcUdp = 2152;
                dstUdp = 2152;
            }
            case TEREDO -> {
                if (!isIpv6()) {
                    throw new IllegalStateException("Teredo carries IPv6");
                }
                inner = new byte[0];
                srcUdp = 3544;
                dstUdp = 50000;
            }
            default -> throw new IllegalStateException(tunnel.toString());
        }
        int udpLength = 8 + inner.length + innerLength;
        byte[] udp = ByteBuffer.allocate(8).putShort((short) srcUdp).putShort((short) dstUdp)
                .putShort((short) udpLength).putShort((short) 0).array(); // no UDP checksum
        return concat(outerIpv4(17, udpLength), udp, inner);
    }

    private byte[] outerIpv4(int protocol, int payloadLength) {
        return ipv4(20, payloadLength, protocol, 1, 0, false, TUNNEL_SRC, TUNNEL_DST);
    }

    private static byte[] ethernetHeader(int type) {
        return ByteBuffer.allocate(14).put(MAC_DST).put(MAC_SRC).putShort((short) type).array();
    }

    /** Everything before the outermost IP header. */
    private byte[] linkHeaders(boolean ipv6, int networkLength) {
        int ipType = ipv6 ? 0x86DD : 0x0800;
        ByteArrayOutputStream typeChain = new ByteArrayOutputStream(); // first type, tags, final type
        for (int[] tag : tags) {
            writeShort(typeChain, tag[0]);
            writeShort(typeChain, tag[1] & 0x0FFF);
        }
        ByteArrayOutputStream underTypes = new ByteArrayOutputStream();
        if (mplsLabels.length > 0 && pppoeSession >= 0) {
            throw new IllegalStateException("MPLS and PPPoE on one frame");
        }
        if (mplsLabels.length > 0) {
            writeShort(typeChain, 0x8847);
            for (int i = 0; i < mplsLabels.length; i++) {
                boolean bottom = i == mplsLabels.length - 1;
                writeInt(underTypes, (long) mplsLabels[i] << 12 | (bottom ? 0x100 : 0) | 64);
            }
        } else if (pppoeSession >= 0) {
            writeShort(typeChain, 0x8864);
            underTypes.write(0x11);
            underTypes.write(0);
            writeShort(underTypes, pppoeSession);
            writeShort(underTypes, 2 + networkLength);
            writeShort(underTypes, ipv6 ? 0x0057 : 0x0021);
        } else {
            writeShort(typeChain, ipType);
        }
        byte[] types = typeChain.toByteArray();
        boolean encapsulated = types.length > 2 || underTypes.size() > 0;
        byte[] firstType = {types[0], types[1]};
        byte[] restOfChain = concat(
                Arrays.copyOfRange(types, 2, types.length), underTypes.toByteArray());
        if (fabricPath && linkType != LinkType.ETHERNET) {
            throw new IllegalStateException("FabricPath needs Ethernet");
        }
        return switch (linkType) {
            case LinkType.ETHERNET -> {
                byte[] outer = fabricPath
                        ? concat(MAC_DST, MAC_SRC, new byte[]{(byte) 0x89, 0x03, 0, 0})
                        : new byte[0];
                yield concat(outer, MAC_DST, MAC_SRC, firstType, restOfChain);
            }
            case LinkType.LINUX_SLL -> concat(
                    new byte[]{0, 0, 0, 1, 0, 6}, MAC_SRC, new byte[2], firstType, restOfChain);
            case LinkType.LINUX_SLL2 -> concat(firstType,
                    new byte[]{0, 0, 0, 0, 0, 2, 0, 1, 0, 6}, MAC_SRC, new byte[2], restOfChain);
            case LinkType.IPOIB -> concat(new byte[40], firstType, new byte[2], restOfChain);
            case LinkType.NULL, LinkType.LOOP -> {
                requireBare(encapsulated);
                int family = nullFamily >= 0 ? nullFamily : ipv6 ? 24 : 2;
                ByteOrder order = linkType == LinkType.LOOP ? ByteOrder.BIG_ENDIAN : nullByteOrder;
                yield ByteBuffer.allocate(4).order(order).putInt(family).array();
            }
            case LinkType.RAW, LinkType.RAW_OLD_12, LinkType.RAW_OLD_14, LinkType.IPV4, LinkType.IPV6 -> {
                requireBare(encapsulated);
                yield new byte[0];
            }
            default -> throw new IllegalStateException("link type " + linkType);
        };
    }

    private void requireBare(boolean encapsulated) {
        if (encapsulated || fabricPath) {
            throw new IllegalStateException("link type " + linkType + " carries bare IP");
        }
    }

    /** An IP literal's bytes (4 or 16); {@code ::ffff:a.b.c.d} comes back as IPv4, as Java parses it. */
    private static byte[] parse(String ip) {
        if (!ip.matches("[0-9a-fA-F:.]+")) { // anything else would be a host name to look up
            throw new IllegalArgumentException("not an IP literal: " + ip);
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    private static int checksum(byte[] bytes) {
        long sum = 0;
        for (int i = 0; i + 1 < bytes.length; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        if (bytes.length % 2 != 0) {
            sum += (bytes[bytes.length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    private static void writeInt(ByteArrayOutputStream out, long value) {
        writeShort(out, (int) (value >>> 16) & 0xFFFF);
        writeShort(out, (int) value & 0xFFFF);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
