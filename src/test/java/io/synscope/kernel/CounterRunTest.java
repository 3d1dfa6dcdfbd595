package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Deltas over the run, from the first and the latest sample. */
class CounterRunTest {

    @Test
    void theRunsDeltaIsTheLatestSampleMinusTheFirst() {
        // One buffer reused for every read, as ProcNetFile does.
        long[] buffer = {10, 0, 4};
        CounterRun run = new CounterRun(new String[] {"A", "B", "CurrEstab"}, buffer);
        buffer[0] = 12;
        run.sample(buffer);
        buffer[0] = 15;
        buffer[1] = 1;
        buffer[2] = 2;
        run.sample(buffer);
        assertArrayEquals(new long[] {5, 1, -2}, run.runDeltas(), "gauges such as CurrEstab may fall");
        buffer[0] = 99; // a read that failed halfway: not sampled
        assertArrayEquals(new long[] {5, 1, -2}, run.runDeltas(), "the buffer is copied, not kept");
    }
}
