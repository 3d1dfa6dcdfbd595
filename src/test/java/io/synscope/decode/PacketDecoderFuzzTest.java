package io.synscope.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synscope.capture.LinkType;
import io.synscope.capture.RawPacket;
import io.synscope.testutil.Segments;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes as a frame of any link type synscope decodes: no exception, a problem described
 * exactly when the frame is malformed or truncated, and the same answer whether the frame fills
 * its own array or sits inside a reader's buffer between other bytes, so the decoder reads
 * nothing outside the captured bytes. Input: a byte choosing the link type, a byte telling how
 * many more bytes the wire carried (a snapped frame), then the frame. The committed inputs
 * (PacketDecoderFuzzTestInputs) run with every test run; docs/fuzzing.md says how to fuzz.
 */
class PacketDecoderFuzzTest {
    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL,
        LinkType.LINUX_SLL2, LinkType.RAW, LinkType.RAW_OLD_12, LinkType.RAW_OLD_14,
        LinkType.IPV4, LinkType.IPV6, LinkType.NULL, LinkType.LOOP, LinkType.IPOIB};
    /** Bytes of other frames around the one decoded, as in a reader's buffer. */
    private static final int AROUND = 64;

    private final PacketDecoder decoder = new PacketDecoder();
    private final TcpSegment segment = new TcpSegment();
    private final RawPacket raw = new RawPacket();

    @FuzzTest
    void decodeAnyFrame(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int linkType = LINK_TYPES[(input[0] & 0xFF) % LINK_TYPES.length];
        int beyondSnap = input[1] & 0xFF;
        byte[] frame = Arrays.copyOfRange(input, 2, input.length);
        String alone = decode(frame, 0, frame.length, beyondSnap, linkType);
        byte[] buffer = new byte[frame.length + 2 * AROUND];
        Arrays.fill(buffer, (byte) 0x45); // what an IPv4 header's first byte would be
        System.arraycopy(frame, 0, buffer, AROUND, frame.length);
        assertEquals(alone, decode(buffer, AROUND, frame.length, beyondSnap, linkType),
                "the same frame inside a bigger buffer");
    }

    private String decode(byte[] data, int offset, int length, int beyondSnap, int linkType) {
        raw.set(data, offset, length, length + beyondSnap, 1_700_000_000_000_000_000L, linkType,
                1, 0);
        SkipReason skip = decoder.decode(raw, segment);
        boolean described = decoder.lastProblem() != null;
        assertEquals(skip == SkipReason.MALFORMED || skip == SkipReason.TRUNCATED, described,
                "a problem is described exactly for malformed and truncated frames: " + skip);
        assertEquals(described, decoder.lastProblemOffset() >= 0, "a problem has an offset");
        if (skip != null) {
            return skip + " " + decoder.lastProblem() + " at " + decoder.lastProblemOffset();
        }
        assertTrue(segment.ipVersion == 4 || segment.ipVersion == 6, "IP version");
        assertTrue(segment.payloadLength >= 0, "payload length");
        return Segments.fields(segment);
    }
}
