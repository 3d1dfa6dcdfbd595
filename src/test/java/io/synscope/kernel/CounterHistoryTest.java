package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deltas in time windows and over the run, with the change ring folding. */
class CounterHistoryTest {

    @Test
    void aWindowSeesTheChangesOfTheSamplesInsideIt() {
        CounterHistory h = new CounterHistory(new String[] {"A", "B"}, new long[] {10, 0}, 100, 16);
        h.sample(new long[] {12, 0}, 200);
        h.sample(new long[] {15, 1}, 300);
        h.sample(new long[] {15, 1}, 400);
        assertEquals(OptionalLong.of(5), h.delta("A", 100, 400));
        assertEquals(OptionalLong.of(3), h.delta("A", 200, 300));
        assertEquals(OptionalLong.of(3), h.delta("A", 250, 399), "as sampled at 200 and 300");
        assertEquals(OptionalLong.of(0), h.delta("A", 300, 400));
        assertEquals(OptionalLong.empty(), h.delta("A", 99, 400), "before the first sample");
        assertEquals(OptionalLong.empty(), h.delta("A", 100, 401), "after the last sample");
        assertEquals(OptionalLong.empty(), h.delta("C", 100, 400));
        assertArrayEquals(new long[] {5, 1}, h.runDeltas());
        Map<String, Long> moved = new HashMap<>();
        assertTrue(h.movedBetween(200, 300, moved));
        assertEquals(Map.of("A", 3L, "B", 1L), moved);
        moved.clear();
        assertTrue(h.movedBetween(300, 400, moved));
        assertEquals(Map.of(), moved, "quiet counters are left out");
        assertFalse(h.movedBetween(50, 400, moved));
    }

    @Test
    void aFullRingFoldsItsOldestChangesAndForgetsTheirTimes() {
        CounterHistory h = new CounterHistory(new String[] {"A"}, new long[] {0}, 0, 3);
        for (int t = 1; t <= 10; t++) {
            h.sample(new long[] {t}, t * 100L);
        }
        assertEquals(7, h.folded());
        assertArrayEquals(new long[] {10}, h.runDeltas(), "the run's delta stays exact");
        assertEquals(OptionalLong.of(2), h.delta("A", 800, 1000));
        assertEquals(OptionalLong.of(3), h.delta("A", 700, 1000), "the last folded change's time is still known");
        assertEquals(OptionalLong.empty(), h.delta("A", 600, 1000));
    }
}
