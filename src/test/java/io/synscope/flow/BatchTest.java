package io.synscope.flow;

import io.synscope.decode.TcpSegment;
import io.synscope.testutil.Segments;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A batch packs segments into words: every field must come back exactly as it went in. */
class BatchTest {


    /** A segment with every field random within what the decoder can give it. */
    private static TcpSegment random(Random r) {
        TcpSegment s = new TcpSegment();
        s.ipVersion = r.nextBoolean() ? 4 : 6;
        s.srcHi = s.ipVersion == 4 ? 0 : r.nextLong();
        s.dstHi = s.ipVersion == 4 ? 0 : r.nextInt(4) == 0 ? 0 : r.nextLong();
        s.srcLo = r.nextLong();
        s.dstLo = r.nextLong();
        s.srcPort = r.nextInt(65536);
        s.dstPort = r.nextInt(65536);
        s.seq = r.nextInt();
        s.ack = r.nextInt();
        s.flags = r.nextInt(256);
        s.window = r.nextInt(65536);
        s.payloadLength = r.nextInt(4) == 0 ? r.nextInt(Integer.MAX_VALUE) : r.nextInt(65536);
        s.ipId = s.ipVersion == 4 ? r.nextInt(65536) : 0;
        s.hasTimestamps = r.nextBoolean();
        s.tsVal = s.hasTimestamps ? r.nextInt() : 0;
        s.tsEcr = s.hasTimestamps ? r.nextInt() : 0;
        s.mss = r.nextInt(3) == 0 ? r.nextInt(65536) : 0;
        s.tsNanos = r.nextLong();
        s.frameNumber = r.nextLong() >>> 1;
        return s;
    }

    private static TcpSegment extremes(int value) {
        TcpSegment s = new TcpSegment();
        s.ipVersion = 6;
        s.srcHi = s.srcLo = s.dstHi = s.dstLo = value;
        s.srcPort = s.dstPort = s.window = s.ipId = s.mss = value & 0xFFFF;
        s.seq = s.ack = s.tsVal = s.tsEcr = value;
        s.flags = value & 0xFF;
        s.payloadLength = value & Integer.MAX_VALUE;
        s.hasTimestamps = value != 0;
        s.tsNanos = s.frameNumber = value;
        return s;
    }

    @Test
    void everyFieldComesBackAsItWentIn() {
        Random r = new Random(3);
        ShardedTracker.Batch batch = new ShardedTracker.Batch();
        List<TcpSegment> in = new ArrayList<>(List.of(extremes(0), extremes(-1),
                extremes(Integer.MIN_VALUE), extremes(Integer.MAX_VALUE)));
        while (in.size() < 4000) {
            in.add(random(r));
        }
        for (TcpSegment s : in) {
            batch.add(s, s.frameNumber * 31);
        }
        TcpSegment out = new TcpSegment();
        for (int i = 0; i < in.size(); i++) {
            out.srcHi = out.dstHi = 12345; // must be overwritten, also with 0
            assertEquals(Segments.fields(in.get(i)), Segments.fields(batch.unpack(i, out)),
                    "segment " + i);
        }
    }
}
