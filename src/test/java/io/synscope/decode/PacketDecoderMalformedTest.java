package io.synscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synscope.capture.LinkType;
import io.synscope.testutil.FrameBuilder;
import io.synscope.testutil.FrameBuilder.Frame;
import io.synscope.testutil.FrameBuilder.Tunnel;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Frames with bad lengths, cut at every byte, and randomly mutated: never an exception. */
class PacketDecoderMalformedTest {
    private static final int SEQ = 0x0102_0304;
    private static final int PAYLOAD = 50;

    private final Decoding d = new Decoding();
    private final TcpSegment s = d.segment;

    private static FrameBuilder segment() {
        return FrameBuilder.tcp().from("192.0.2.7", 5555).to("198.51.100.9", 443).seq(SEQ)
                .flags(TcpSegment.ACK).mss(1460).timestamps(11, 22).payloadLength(PAYLOAD);
    }

    private static FrameBuilder segment6() {
        return segment().from("2001:db8::7", 5555).to("2001:db8::9", 443);
    }

    /** One frame of each shape; each carries MSS then timestamps as its first options. */
    static List<Frame> shapes() {
        return List.of(
                segment().ipv4Options(2).buildFrame(),
                segment6().tag(0x88A8, 1).vlan(2).extension(0, 8).extension(51, 16).fragment(0, true)
                        .buildFrame(),
                segment().link(LinkType.LINUX_SLL).vlan(3).buildFrame(),
                segment6().link(LinkType.LINUX_SLL2).buildFrame(),
                segment().link(LinkType.NULL).buildFrame(),
                segment6().link(LinkType.LOOP).buildFrame(),
                segment().link(LinkType.RAW).buildFrame(),
                segment().link(LinkType.IPOIB).buildFrame(),
                segment6().mpls(16, 17).buildFrame(),
                segment().vlan(9).pppoe(4).buildFrame(),
                segment6().fabricPath().buildFrame(),
                segment().tunnel(Tunnel.VXLAN).buildFrame(),
                segment6().tunnel(Tunnel.GENEVE).buildFrame(),
                segment().tunnel(Tunnel.GTP_U).buildFrame(),
                segment6().tunnel(Tunnel.GRE_ETHERNET).buildFrame(),
                segment6().tunnel(Tunnel.IP_IN_IP).buildFrame());
    }

    /**
     * Cut after every byte: before the end of the fixed TCP header the frame is TRUNCATED with a
     * problem; after it, the same segment, with each option present only once wholly captured.
     * (Teredo is left out: it is recognised by shape, so a cut one is plain UDP, NOT_TCP.)
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void truncationAtEveryByte(Frame f) {
        int length = f.bytes().length;
        int tcpFixedEnd = f.tcpOffset() + 20;
        int mssEnd = tcpFixedEnd + 4;
        int timestampsEnd = mssEnd + 12;
        for (int cut = 0; cut <= length; cut++) {
            SkipReason reason = d.decode(f.bytes(), f.linkType(), cut, length, (byte) 0x45);
            if (cut < tcpFixedEnd) {
                assertEquals(SkipReason.TRUNCATED, reason, "cut at " + cut);
                assertNotNull(d.decoder.lastProblem(), "cut at " + cut);
                int offset = d.decoder.lastProblemOffset();
                assertTrue(offset >= 0 && offset <= length, "offset " + offset + ", cut at " + cut);
            } else {
                assertNull(reason, "cut at " + cut);
                assertEquals(5555, s.srcPort);
                assertEquals(443, s.dstPort);
                assertEquals(SEQ, s.seq);
                assertEquals(PAYLOAD, s.payloadLength, "cut at " + cut);
                assertEquals(cut >= mssEnd ? 1460 : 0, s.mss, "cut at " + cut);
                assertEquals(cut >= timestampsEnd, s.hasTimestamps, "cut at " + cut);
            }
        }
    }

    @Test
    void aFrameShorterOnTheWireThanItsHeadersIsMalformedNotTruncated() {
        byte[] frame = segment().build();
        assertEquals(SkipReason.MALFORMED, d.decode(frame, LinkType.ETHERNET, 10, 10, (byte) 0));
        assertEquals(0, d.decoder.lastProblemOffset());
        assertEquals(SkipReason.TRUNCATED, d.decode(frame, LinkType.ETHERNET, 10, frame.length, (byte) 0));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void ipv4HeaderLengthBelowFiveWords(int ihl) {
        Frame f = segment().buildFrame();
        f.bytes()[f.ipOffset()] = (byte) (0x40 | ihl);
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals("IPv4 header length " + ihl + " words < 5", d.decoder.lastProblem());
        assertEquals(f.ipOffset(), d.decoder.lastProblemOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void tcpDataOffsetBelowFiveWords(int words) {
        Frame f = segment6().buildFrame();
        f.bytes()[f.tcpOffset() + 12] = (byte) (words << 4);
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals("TCP data offset " + words + " words < 5", d.decoder.lastProblem());
        assertEquals(f.tcpOffset() + 12, d.decoder.lastProblemOffset());
    }

    @Test
    void tcpDataOffsetPastTheIpPayload() {
        Frame f = segment().noOptions().payloadLength(10).buildFrame(); // 30 bytes of IP payload
        f.bytes()[f.tcpOffset() + 12] = (byte) 0xF0; // a 60-byte header
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals(f.tcpOffset() + 12, d.decoder.lastProblemOffset());
    }

    @Test
    void ipv4TotalLengthInconsistentWithItsHeaderOrFrame() {
        Frame f = segment().buildFrame();
        int at = f.ipOffset();
        int ipLength = f.bytes().length - at;

        setShort(f.bytes(), at + 2, 19); // less than the 20-byte header
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals(at + 2, d.decoder.lastProblemOffset());

        setShort(f.bytes(), at + 2, ipLength + 1); // one byte more than the frame holds
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals(at + 2, d.decoder.lastProblemOffset());

        setShort(f.bytes(), at + 2, 20 + 10); // leaves 10 bytes for a 20-byte TCP header
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals(f.tcpOffset(), d.decoder.lastProblemOffset());
    }

    @Test
    void ipVersionDisagreeingWithTheLinkLayer() {
        Frame f = segment().buildFrame();
        f.bytes()[f.ipOffset()] = 0x65; // version 6 under EtherType IPv4
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        Frame f6 = segment6().buildFrame();
        f6.bytes()[f6.ipOffset()] = 0x45; // version 4 under EtherType IPv6
        assertEquals(SkipReason.MALFORMED, d.decode(f6.bytes(), f6.linkType()));
        Frame raw = segment().link(LinkType.RAW).buildFrame();
        raw.bytes()[0] = 0x55;
        assertEquals(SkipReason.MALFORMED, d.decode(raw.bytes(), raw.linkType()));
        assertEquals("IP version nibble is neither 4 nor 6", d.decoder.lastProblem());
    }

    @Test
    void ipv6LengthsInconsistentWithTheFrame() {
        Frame f = segment6().buildFrame();
        int payloadLength = f.bytes().length - f.ipOffset() - 40;
        setShort(f.bytes(), f.ipOffset() + 4, payloadLength + 1);
        assertEquals(SkipReason.MALFORMED, d.decode(f.bytes(), f.linkType()));
        assertEquals(f.ipOffset() + 4, d.decoder.lastProblemOffset());

        Frame ext = segment6().extension(60, 8).buildFrame();
        int extensionAt = ext.ipOffset() + 40;
        ext.bytes()[extensionAt + 1] = (byte) 200; // 1608 bytes, more than the payload
        assertEquals(SkipReason.MALFORMED, d.decode(ext.bytes(), ext.linkType()));
        assertEquals(extensionAt + 1, d.decoder.lastProblemOffset());
    }

    @Test
    void problemIsClearedByTheNextDecode() {
        Frame f = segment().buildFrame();
        assertEquals(SkipReason.TRUNCATED, d.decode(f.bytes(), f.linkType(), 20, f.bytes().length, (byte) 0));
        assertNotNull(d.decoder.lastProblem());
        assertNull(d.decode(f.bytes(), f.linkType()));
        assertNull(d.decoder.lastProblem());
        assertEquals(-1, d.decoder.lastProblemOffset());
    }

    private record Outcome(SkipReason reason, String problem, int problemOffset, String segment) {
    }

    private Outcome outcome(byte[] bytes, int linkType, int captured, int original, byte guard) {
        SkipReason reason = d.decode(bytes, linkType, captured, original, guard);
        String fields = reason != null ? null : List.of(s.ipVersion, s.srcHi, s.srcLo, s.dstHi, s.dstLo,
                s.srcPort, s.dstPort, s.seq, s.ack, s.flags, s.window, s.payloadLength, s.ipId, s.mss,
                s.hasTimestamps, s.tsVal, s.tsEcr).toString();
        return new Outcome(reason, d.decoder.lastProblem(), d.decoder.lastProblemOffset(), fields);
    }

    /**
     * Seeded random damage – bytes overwritten, lengths and link types changed, or no frame at all –
     * never throws, yields a consistent segment or a reason with its problem, and gives the same
     * outcome whatever the buffer holds outside the captured bytes.
     */
    @Test
    void randomMutationsNeverThrowAndStayInsideTheFrame() {
        Random random = new Random(0x5EED_CAFEL);
        List<Frame> frames = new java.util.ArrayList<>(shapes());
        frames.add(FrameBuilder.tcp().from("2001:0:4137:9e50::1", 1).to("2001:db8::1", 2)
                .tunnel(Tunnel.TEREDO).buildFrame());
        frames.add(segment().tunnel(Tunnel.GRE).buildFrame());
        int[] linkTypes = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW,
                LinkType.IPV4, LinkType.NULL, LinkType.LOOP, LinkType.IPOIB, 147};
        Map<SkipReason, Integer> seen = new EnumMap<>(SkipReason.class);
        int segments = 0;
        for (int i = 0; i < 40_000; i++) {
            byte[] bytes;
            int linkType;
            if (i % 10 == 0) { // noise
                bytes = new byte[random.nextInt(120)];
                random.nextBytes(bytes);
                linkType = linkTypes[random.nextInt(linkTypes.length)];
            } else {
                Frame f = frames.get(random.nextInt(frames.size()));
                bytes = f.bytes().clone();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                linkType = random.nextInt(20) == 0 ? linkTypes[random.nextInt(linkTypes.length)] : f.linkType();
            }
            int length = bytes.length;
            int captured = random.nextInt(4) == 0 ? random.nextInt(length + 1) : length;
            int original = random.nextInt(4) == 0 ? random.nextInt(2 * length + 1) : length;

            Outcome a = outcome(bytes, linkType, captured, original, (byte) 0x00);
            Outcome b = outcome(bytes, linkType, captured, original, (byte) 0xFF);
            String what = "iteration " + i;
            assertEquals(a, b, what);
            if (a.reason() == null) {
                segments++;
                assertTrue(s.ipVersion == 4 || s.ipVersion == 6, what);
                assertTrue(s.payloadLength >= 0, what);
                assertNull(a.problem(), what);
            } else {
                seen.merge(a.reason(), 1, Integer::sum);
                boolean problem = a.reason() == SkipReason.MALFORMED || a.reason() == SkipReason.TRUNCATED;
                assertEquals(problem, a.problem() != null, what + " " + a);
                assertEquals(problem, a.problemOffset() >= 0, what + " " + a);
            }
        }
        // The mutations must reach every outcome, or this test proves little.
        assertTrue(segments > 1000, segments + " segments");
        for (SkipReason reason : SkipReason.values()) {
            assertTrue(seen.getOrDefault(reason, 0) > 0, reason + " never seen: " + seen);
        }
        assertFalse(seen.getOrDefault(SkipReason.MALFORMED, 0) < 100, seen.toString());
    }

    private static void setShort(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 8);
        bytes[at + 1] = (byte) value;
    }
}
