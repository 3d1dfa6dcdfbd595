package io.synscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synscope.capture.LinkType;
import io.synscope.capture.RawPacket;
import io.synscope.testutil.FrameBuilder;
import io.synscope.testutil.FrameBuilder.Frame;
import io.synscope.testutil.FrameBuilder.Tunnel;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Well-formed frames of every supported shape, decoded field by field. */
class PacketDecoderTest {
    // The addresses below as TcpSegment stores them (IPv4 as ::ffff:a.b.c.d).
    private static final long V4_10_0_0_1 = 0x0000_FFFF_0A00_0001L;
    private static final long V4_10_0_0_2 = 0x0000_FFFF_0A00_0002L;
    private static final long V6_2001_DB8_HI = 0x2001_0DB8_0000_0000L;

    private final Decoding d = new Decoding();
    private final TcpSegment s = d.segment;

    private static FrameBuilder v4() {
        return FrameBuilder.tcp().from("10.0.0.1", 40000).to("10.0.0.2", 80)
                .seq(0xF000_0001L).ack(0x8000_0000L).flags(TcpSegment.ACK | TcpSegment.PSH)
                .window(29200).ipId(0x1234).payloadLength(100);
    }

    private static FrameBuilder v6() {
        return FrameBuilder.tcp().from("2001:db8::1", 40000).to("2001:db8::2", 80)
                .seq(7).ack(9).flags(TcpSegment.ACK).window(512).payloadLength(33);
    }

    private void assertV4Segment() {
        assertV4Segment(100);
    }

    private void assertV4Segment(int payloadLength) {
        assertEquals(4, s.ipVersion);
        assertEquals(0, s.srcHi);
        assertEquals(V4_10_0_0_1, s.srcLo);
        assertEquals(0, s.dstHi);
        assertEquals(V4_10_0_0_2, s.dstLo);
        assertEquals(40000, s.srcPort);
        assertEquals(80, s.dstPort);
        assertEquals(0xF000_0001, s.seq);
        assertEquals(0x8000_0000, s.ack);
        assertEquals(TcpSegment.ACK | TcpSegment.PSH, s.flags);
        assertEquals(29200, s.window);
        assertEquals(0x1234, s.ipId);
        assertEquals(payloadLength, s.payloadLength);
    }

    private void assertV6Segment() {
        assertEquals(6, s.ipVersion);
        assertEquals(V6_2001_DB8_HI, s.srcHi);
        assertEquals(1, s.srcLo);
        assertEquals(V6_2001_DB8_HI, s.dstHi);
        assertEquals(2, s.dstLo);
        assertEquals(40000, s.srcPort);
        assertEquals(80, s.dstPort);
        assertEquals(7, s.seq);
        assertEquals(9, s.ack);
        assertEquals(TcpSegment.ACK, s.flags);
        assertEquals(512, s.window);
        assertEquals(0, s.ipId);
        assertEquals(33, s.payloadLength);
    }

    private SkipReason decode(FrameBuilder b) {
        return d.decode(b.build(), b.linkType());
    }

    @Test
    void ethernetIpv4SynWithOptions() {
        FrameBuilder b = v4().flags(TcpSegment.SYN).payloadLength(0).mss(1460)
                .timestamps(0xFFFF_FFFEL, 17);
        assertNull(decode(b));
        assertEquals(TcpSegment.SYN, s.flags);
        assertEquals(0, s.payloadLength);
        assertEquals(1460, s.mss);
        assertTrue(s.hasTimestamps);
        assertEquals(0xFFFF_FFFE, s.tsVal);
        assertEquals(17, s.tsEcr);
        assertEquals(Decoding.TS_NANOS, s.tsNanos);
        assertEquals(Decoding.FRAME_NUMBER, s.frameNumber);
        assertNull(d.decoder.lastProblem());
        assertEquals(-1, d.decoder.lastProblemOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW,
            LinkType.RAW_OLD_12, LinkType.RAW_OLD_14, LinkType.IPV4, LinkType.NULL, LinkType.LOOP,
            LinkType.IPOIB})
    void everyLinkTypeCarriesIpv4(int linkType) {
        assertNull(decode(v4().link(linkType)));
        assertV4Segment();
        assertEquals(0, s.mss);
        assertFalse(s.hasTimestamps);
    }

    @ParameterizedTest
    @ValueSource(ints = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW,
            LinkType.RAW_OLD_12, LinkType.RAW_OLD_14, LinkType.IPV6, LinkType.NULL, LinkType.LOOP,
            LinkType.IPOIB})
    void everyLinkTypeCarriesIpv6(int linkType) {
        assertNull(decode(v6().link(linkType)));
        assertV6Segment();
    }

    @Test
    void linkTypeFlagBitsAboveSixteenAreIgnored() {
        byte[] frame = v4().build();
        assertNull(d.decode(frame, 0x0400_0000 | LinkType.ETHERNET));
        assertV4Segment();
    }

    @Test
    void unsupportedLinkType() {
        int ieee80211 = 105;
        assertEquals(SkipReason.UNSUPPORTED_LINK_TYPE, d.decode(v4().build(), ieee80211));
        assertFalse(PacketDecoder.supportsLinkType(ieee80211));
    }

    @Test
    void supportsLinkTypeAgreesWithDecode() {
        int supported = 0;
        for (int linkType = 0; linkType <= LinkType.MASK; linkType++) {
            boolean decodable = d.decode(new byte[0], linkType) != SkipReason.UNSUPPORTED_LINK_TYPE;
            assertEquals(decodable, PacketDecoder.supportsLinkType(linkType), "link type " + linkType);
            supported += decodable ? 1 : 0;
        }
        assertEquals(11, supported, "Ethernet, SLL, SLL2, raw ×3, IPv4, IPv6, NULL, LOOP, IPoIB");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void vlanTagStacksOfAnyDepth(int depth) {
        int[] tpids = {0x88A8, 0x9100, 0x8100};
        FrameBuilder b = v4();
        FrameBuilder b6 = v6();
        for (int i = 0; i < depth; i++) {
            b.tag(tpids[i % tpids.length], 100 + i);
            b6.tag(tpids[i % tpids.length], 100 + i);
        }
        assertNull(decode(b));
        assertV4Segment();
        assertNull(decode(b6));
        assertV6Segment();
    }

    @ParameterizedTest
    @ValueSource(ints = {LinkType.LINUX_SLL, LinkType.LINUX_SLL2})
    void cookedCaptureWhoseProtocolIsAVlanTag(int linkType) {
        assertNull(decode(v4().link(linkType).vlan(10)));
        assertV4Segment();
        assertNull(decode(v6().link(linkType).tag(0x88A8, 1).vlan(10)));
        assertV6Segment();
    }

    @Test
    void mplsLabelStacks() {
        assertNull(decode(v4().mpls(16)));
        assertV4Segment();
        assertNull(decode(v6().vlan(5).mpls(16, 17, 18)));
        assertV6Segment();
    }

    @Test
    void mplsOverNonIpIsNotIp() {
        Frame f = v4().mpls(16).buildFrame();
        f.bytes()[f.ipOffset()] = 0x00; // a pseudowire control word starts with nibble 0
        assertEquals(SkipReason.NOT_IP, d.decode(f.bytes(), f.linkType()));
    }

    @Test
    void pppoeSessions() {
        assertNull(decode(v4().pppoe(0x0F07)));
        assertV4Segment();
        assertNull(decode(v6().tag(0x88A8, 2).vlan(3).pppoe(1)));
        assertV6Segment();
    }

    @Test
    void pppoeCarryingLcpIsNotIp() {
        Frame f = v4().pppoe(1).buildFrame();
        f.bytes()[f.ipOffset() - 2] = (byte) 0xC0; // PPP protocol 0xC021, LCP
        assertEquals(SkipReason.NOT_IP, d.decode(f.bytes(), f.linkType()));
    }

    @Test
    void ciscoFabricPath() {
        assertNull(decode(v4().fabricPath()));
        assertV4Segment();
        assertNull(decode(v6().fabricPath().vlan(9)));
        assertV6Segment();
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 28, 30, 10})
    void nullLinkInBothByteOrdersWithEveryInet6Family(int family) {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            assertNull(decode(v6().link(LinkType.NULL).nullFamily(family, order)), order.toString());
            assertV6Segment();
            assertNull(decode(v4().link(LinkType.NULL).nullFamily(2, order)), order.toString());
            assertV4Segment();
        }
    }

    @Test
    void nullLinkWithAnotherFamilyIsNotIp() {
        int afAppleTalk = 16;
        assertEquals(SkipReason.NOT_IP,
                decode(v4().link(LinkType.NULL).nullFamily(afAppleTalk, ByteOrder.LITTLE_ENDIAN)));
    }

    @Test
    void loopLinkIsBigEndianOnly() {
        assertNull(decode(v4().link(LinkType.LOOP)));
        assertV4Segment();
        // LOOP's family is in network byte order: a little-endian 2 is family 0x02000000.
        byte[] littleEndianHeader = v4().link(LinkType.NULL).nullFamily(2, ByteOrder.LITTLE_ENDIAN).build();
        assertEquals(SkipReason.NOT_IP, d.decode(littleEndianHeader, LinkType.LOOP));
    }

    @Test
    void ethernetNonIpFrames() {
        Frame f = v4().buildFrame();
        byte[] arp = f.bytes().clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertEquals(SkipReason.NOT_IP, d.decode(arp, LinkType.ETHERNET));
        byte[] llc = f.bytes().clone(); // an 802.3 length field: LLC follows
        llc[12] = 0x00;
        llc[13] = 0x40;
        assertEquals(SkipReason.NOT_IP, d.decode(llc, LinkType.ETHERNET));
    }

    @Test
    void ipButNotTcp() {
        Frame f = v4().buildFrame();
        for (int protocol : new int[]{1, 17, 50, 132}) { // ICMP, UDP, ESP, SCTP
            byte[] bytes = f.bytes().clone();
            bytes[f.ipOffset() + 9] = (byte) protocol;
            assertEquals(SkipReason.NOT_TCP, d.decode(bytes, f.linkType()), "protocol " + protocol);
        }
        Frame f6 = v6().buildFrame();
        for (int next : new int[]{58, 17, 50, 59}) { // ICMPv6, UDP, ESP, no next header
            byte[] bytes = f6.bytes().clone();
            bytes[f6.ipOffset() + 6] = (byte) next;
            assertEquals(SkipReason.NOT_TCP, d.decode(bytes, f6.linkType()), "next header " + next);
        }
    }

    @Test
    void ipv6ExtensionHeaderChain() {
        FrameBuilder b = v6().extension(0, 8).extension(43, 24).extension(60, 16)
                .extension(51, 24).extension(135, 8);
        assertNull(decode(b));
        assertV6Segment();
    }

    @Test
    void ipv6EspEndsTheWalk() {
        Frame f = v6().extension(60, 8).buildFrame();
        f.bytes()[f.ipOffset() + 40] = 50; // destination options' next header: ESP
        assertEquals(SkipReason.NOT_TCP, d.decode(f.bytes(), f.linkType()));
    }

    @Test
    void ipv4Fragments() {
        assertNull(decode(v4().fragment(0, true)), "a first fragment is decoded");
        assertV4Segment();
        assertEquals(SkipReason.IP_FRAGMENT, decode(v4().fragment(185, true)));
        assertEquals(SkipReason.IP_FRAGMENT, decode(v4().fragment(1, false)));
    }

    @Test
    void ipv6Fragments() {
        assertNull(decode(v6().extension(0, 8).fragment(0, true)), "a first fragment is decoded");
        assertV6Segment();
        assertEquals(SkipReason.IP_FRAGMENT, decode(v6().fragment(185, false)));
        assertEquals(SkipReason.IP_FRAGMENT, decode(v6().extension(0, 8).fragment(3, true)));
    }

    @Test
    void ipv4OptionsAreSkipped() {
        assertNull(decode(v4().ipv4Options(10)));
        assertV4Segment();
    }

    @Test
    void payloadLengthComesFromTheIpHeaderNotTheCapture() {
        Frame f = v4().mss(1400).trailer(6).buildFrame(); // Ethernet padding after the packet
        assertNull(d.decode(f.bytes(), f.linkType()));
        assertEquals(100, s.payloadLength);
        int headerEnd = f.tcpOffset() + 24;
        assertNull(d.decode(f.bytes(), f.linkType(), headerEnd, f.bytes().length, (byte) 0));
        assertEquals(100, s.payloadLength, "snapped after the TCP header");
        assertEquals(1400, s.mss);
    }

    @Test
    void zeroIpv4TotalLengthFromSegmentationOffloadUsesTheFrameLength() {
        Frame f = v4().payloadLength(3000).buildFrame();
        f.bytes()[f.ipOffset() + 2] = 0;
        f.bytes()[f.ipOffset() + 3] = 0;
        assertNull(d.decode(f.bytes(), f.linkType()));
        assertEquals(3000, s.payloadLength);
        assertNull(d.decode(f.bytes(), f.linkType(), 200, f.bytes().length, (byte) 0));
        assertEquals(3000, s.payloadLength, "snapped: the wire length still counts");
    }

    @Test
    void zeroIpv6PayloadLengthUsesTheFrameLength() {
        Frame f = v6().payloadLength(70000).buildFrame();
        f.bytes()[f.ipOffset() + 4] = 0;
        f.bytes()[f.ipOffset() + 5] = 0;
        assertNull(d.decode(f.bytes(), f.linkType()));
        assertEquals(70000, s.payloadLength);
    }

    @Test
    void optionWalkSkipsPaddingAndUnknownKinds() {
        // SACK-permitted (4, len 2), window scale (3, len 3), NOP, then timestamps via the builder.
        FrameBuilder b = v4().mss(536).options(4, 2, 3, 3, 7, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6);
        assertNull(decode(b));
        assertEquals(536, s.mss);
        assertTrue(s.hasTimestamps);
        assertEquals(5, s.tsVal);
        assertEquals(6, s.tsEcr);
    }

    /** Linux's SYN layout: MSS, SACK permitted, timestamps, NOP, window scale. */
    @Test
    void linuxSynOptions() {
        assertNull(decode(v4().flags(TcpSegment.SYN).payloadLength(0)
                .options(2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0xFF, 0, 0, 7, 0, 0, 0, 9, 1, 3, 3, 7)));
        assertEquals(1460, s.mss);
        assertTrue(s.hasTimestamps);
        assertEquals(0xFF00_0007, s.tsVal);
        assertEquals(9, s.tsEcr);
    }

    /** Twelve bytes laid out like Linux's NOP, NOP, timestamps, but kind 8 is 9 bytes long. */
    @Test
    void timestampsOfAnotherLengthAreNotRead() {
        assertNull(decode(v4().options(1, 1, 8, 9, 0, 0, 0, 5, 0, 0, 0, 0)));
        assertV4Segment();
        assertFalse(s.hasTimestamps);
        assertEquals(0, s.tsVal);
    }

    @Test
    void endOfOptionListStopsTheWalk() {
        assertNull(decode(v4().options(0, 2, 4, 5, 0xB4)));
        assertEquals(0, s.mss, "the MSS after end-of-list is not read");
    }

    @Test
    void malformedOptionLengthStopsTheWalkButKeepsTheSegment() {
        assertNull(decode(v4().mss(1200).options(5, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6)));
        assertV4Segment();
        assertEquals(1200, s.mss);
        assertFalse(s.hasTimestamps, "walk stopped at the length-1 option");

        assertNull(decode(v4().options(1, 1, 2, 40)));
        assertV4Segment();
        assertEquals(0, s.mss, "an option running past the header is not read");
    }

    @Test
    void optionsCutBySnapLengthAreReadOnlyWhenWhole() {
        Frame f = v4().mss(1460).timestamps(1, 2).buildFrame();
        int mssEnd = f.tcpOffset() + 24;
        int tsEnd = mssEnd + 12;
        int length = f.bytes().length;
        assertNull(d.decode(f.bytes(), f.linkType(), mssEnd - 1, length, (byte) 2));
        assertEquals(0, s.mss);
        assertNull(d.decode(f.bytes(), f.linkType(), mssEnd, length, (byte) 2));
        assertEquals(1460, s.mss);
        assertFalse(s.hasTimestamps);
        assertNull(d.decode(f.bytes(), f.linkType(), tsEnd - 1, length, (byte) 8));
        assertFalse(s.hasTimestamps);
        assertNull(d.decode(f.bytes(), f.linkType(), tsEnd, length, (byte) 8));
        assertTrue(s.hasTimestamps);
        assertEquals(1, s.tsVal);
        assertEquals(2, s.tsEcr);
    }

    @ParameterizedTest
    @EnumSource(value = Tunnel.class, names = "TEREDO", mode = EnumSource.Mode.EXCLUDE)
    void tunnelsReportTheInnerSegment(Tunnel tunnel) {
        assertNull(decode(v4().tunnel(tunnel)));
        assertV4Segment();
        assertNull(decode(v6().tunnel(tunnel).vlan(4)));
        assertV6Segment();
    }

    @Test
    void teredoIsBelievedOnlyWithATeredoAddress() {
        FrameBuilder teredo = FrameBuilder.tcp().from("2001:0:4137:9e50::1", 1286)
                .to("2001:4860::68", 80).seq(1).payloadLength(5).tunnel(Tunnel.TEREDO);
        assertNull(decode(teredo));
        assertEquals(6, s.ipVersion);
        assertEquals(0x2001_0000_4137_9E50L, s.srcHi);
        assertEquals(1286, s.srcPort);
        assertEquals(5, s.payloadLength);
        assertEquals(SkipReason.NOT_TCP, decode(v6().tunnel(Tunnel.TEREDO)));
    }

    @Test
    void innerLengthsAreBoundedByTheTunnel() {
        Frame f = v4().tunnel(Tunnel.GRE).buildFrame();
        int outerTotalLength = f.bytes().length - 14;
        f.bytes()[14 + 2] = (byte) ((outerTotalLength - 1) >>> 8); // outer packet one byte short
        f.bytes()[14 + 3] = (byte) (outerTotalLength - 1);
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals(f.ipOffset() + 2, d.decoder.lastProblemOffset());
    }

    @Test
    void tunnelInsideAFirstFragmentUsesTheInnerLengths() {
        // The outer datagram was fragmented: this frame holds only its first 80 bytes of payload,
        // but the inner headers are whole and declare the full inner packet.
        Frame f = v4().payloadLength(1000).tunnel(Tunnel.GTP_U).buildFrame();
        int outerHeaderAt = 14;
        int fragmentPayload = 80;
        byte[] cut = Arrays.copyOf(f.bytes(), outerHeaderAt + 20 + fragmentPayload);
        cut[outerHeaderAt + 2] = 0;
        cut[outerHeaderAt + 3] = (byte) (20 + fragmentPayload);
        cut[outerHeaderAt + 6] = 0x20; // more fragments, offset 0
        assertNull(d.decode(cut, f.linkType()));
        assertV4Segment(1000);
    }

    @Test
    void decoderReuseOverwritesEveryField() {
        assertNull(decode(v6().mss(1220).timestamps(3, 4)));
        assertNull(decode(v4()));
        assertV4Segment();
        assertEquals(0, s.mss);
        assertFalse(s.hasTimestamps);
        assertEquals(0, s.tsVal);
        assertEquals(0, s.tsEcr);
    }

    @Test
    void captureWindowOutsideTheBufferIsMalformed() {
        RawPacket raw = new RawPacket();
        raw.set(new byte[10], 4, 8, 8, 0, LinkType.ETHERNET, 1, 0);
        assertEquals(SkipReason.MALFORMED, d.decoder.decode(raw, s));
        assertEquals("captured bytes lie outside the packet buffer", d.decoder.lastProblem());
        raw.set(null, 0, 0, 0, 0, LinkType.ETHERNET, 1, 0);
        assertEquals(SkipReason.MALFORMED, d.decoder.decode(raw, s));
    }

    @Test
    void decodingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Frame> frames = List.of(v4().mss(1460).timestamps(1, 2).buildFrame(),
                v6().extension(0, 8).vlan(3).buildFrame(), v4().tunnel(Tunnel.VXLAN).buildFrame(),
                v4().pppoe(7).tag(0x88A8, 1).buildFrame());
        RawPacket[] raws = frames.stream().map(f -> {
            RawPacket raw = new RawPacket();
            raw.set(f.bytes(), 0, f.bytes().length, f.bytes().length, 1, f.linkType(), 1, 0);
            return raw;
        }).toArray(RawPacket[]::new);
        PacketDecoder decoder = new PacketDecoder();
        TcpSegment segment = new TcpSegment();
        for (int i = 0; i < 20_000; i++) { // let the JIT settle first
            decoder.decode(raws[i % raws.length], segment);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int decoded = 0;
        for (int i = 0; i < 200_000; i++) {
            decoded += decoder.decode(raws[i % raws.length], segment) == null ? 1 : 0;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(200_000, decoded);
        assertTrue(allocated < 10_000, allocated + " bytes allocated for 200000 decodes");
    }
}
