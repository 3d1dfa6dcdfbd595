package io.synscope.flow;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeqTest {

    @Test
    void comparisonsHoldAcrossTheWrap() {
        int nearTop = 0xFFFF_FFF0;
        int wrapped = 0x0000_0010;
        assertTrue(Seq.after(wrapped, nearTop));
        assertTrue(Seq.before(nearTop, wrapped));
        assertEquals(0x20, Seq.diff(wrapped, nearTop));
        assertFalse(Seq.after(nearTop, nearTop));
        assertEquals(0xFFFF_FFF0L, Seq.unsigned(nearTop));
    }

    @Test
    void relativePositionsKeepCountingPastFourGibibytes() {
        Endpoint e = new Connection().client();
        int isn = 0xFFFF_0000;
        e.startSequence(isn);
        long sent = 0;
        int seq = isn;
        // 5 GiB in 64 KiB steps: the raw sequence number wraps more than once.
        for (int i = 0; i < 81_920; i++) {
            long rel = e.rel(seq);
            assertEquals(sent, rel);
            seq += 65_536;
            sent += 65_536;
            e.advanceEnd(sent, seq);
        }
        assertEquals(5L << 30, e.maxEndRel());
        assertEquals(sent - 1000, e.rel(seq - 1000), "a retransmission just behind the front");
    }
}
