package io.synscope.decode;

import io.synscope.capture.LinkType;
import io.synscope.capture.RawPacket;
import io.synscope.testutil.FrameBuilder;
import io.synscope.testutil.Segments;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The straight-line path for Ethernet/IPv4/TCP is a second copy of what the layer walk does for
 * such frames, kept for speed: on every frame, valid or mangled, decode() must say exactly what
 * the walk alone says.
 */
class StraightLinePathTest {

    private static String fields(SkipReason r, TcpSegment s) {
        return r != null ? "skipped " + r : Segments.fields(s);
    }

    /** Frames the straight-line path takes, in the shapes Linux sends. */
    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(FrameBuilder.tcp().build());
        seeds.add(FrameBuilder.tcp().flags(TcpSegment.SYN).payloadLength(0)
                .options(2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7).build());
        seeds.add(FrameBuilder.tcp().options(1, 1, 8, 10, 0, 0, 1, 2, 0, 0, 3, 4).payloadLength(30)
                .build());
        seeds.add(FrameBuilder.tcp().noOptions().payloadLength(0).build());
        seeds.add(FrameBuilder.tcp().mss(536).options(4, 2, 3, 3, 7, 1).build());
        return seeds;
    }

    @Test
    void decodeSaysWhatTheWalkSaysOnMangledFrames() {
        Random random = new Random(5);
        PacketDecoder both = new PacketDecoder();
        PacketDecoder walkOnly = new PacketDecoder();
        TcpSegment a = new TcpSegment();
        TcpSegment b = new TcpSegment();
        RawPacket raw = new RawPacket();
        int tookStraightLine = 0;
        List<byte[]> seeds = seeds();
        for (int i = 0; i < 200_000; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] frame = seed.clone();
            // Mostly the header bytes the straight-line path checks: EtherType, IP version and
            // header length, lengths, fragment fields, protocol, data offset, options.
            int flips = random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(Math.min(frame.length, 14 + 20 + 60));
                frame[at] = (byte) (random.nextBoolean() ? random.nextInt(256)
                        : frame[at] ^ (1 << random.nextInt(8)));
            }
            int captured = random.nextInt(5) == 0 ? random.nextInt(frame.length + 1) : frame.length;
            int original = random.nextInt(5) == 0 ? captured + random.nextInt(2000) : frame.length;
            raw.set(frame, 0, captured, Math.max(original, captured), 1_700_000_000_000_000_000L,
                    LinkType.ETHERNET, i + 1, 24);
            a.ipVersion = -1;
            SkipReason viaDecode = both.decode(raw, a);
            b.ipVersion = -2;
            SkipReason viaWalk = walkOnly.walk(raw, b);
            b.tsNanos = raw.tsNanos; // set by decode() before either path
            b.frameNumber = raw.frameNumber;
            assertEquals(fields(viaWalk, b), fields(viaDecode, a), "frame " + i);
            if (viaDecode == null && flips == 0 && captured == frame.length) {
                tookStraightLine++;
            }
        }
        assertTrue(tookStraightLine > 10_000, "valid frames compared: " + tookStraightLine);
    }
}
