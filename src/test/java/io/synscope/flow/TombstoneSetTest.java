package io.synscope.flow;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TombstoneSetTest {
    private static final long LIFETIME = 50_000;

    @Test
    void matchesAReferenceMapUnderAddsAndLazyExpiry() {
        TombstoneSet set = new TombstoneSet();
        Map<Long, Long> reference = new HashMap<>(); // key -> expiry
        Random random = new Random(7);
        long now = 0;
        for (int op = 0; op < 300_000; op++) {
            now += random.nextInt(100);
            // Few distinct keys (some 0) so re-adds, collisions and wrap-around all happen.
            long key = random.nextInt(3000) * 0x9E3779B97F4A7C15L;
            int what = random.nextInt(200);
            if (what == 0) {
                set.expire(now);
            } else if (what < 3) {
                // Present until its expiry, dropped or not. Asked this rarely, so that additions
                // pile up past the 64 the set takes in at a time.
                for (int k = 0; k < 20; k++) {
                    long asked = random.nextInt(3000) * 0x9E3779B97F4A7C15L;
                    Long expiry = reference.get(asked);
                    assertEquals(expiry != null && expiry >= now, set.contains(asked, now),
                            "op " + op);
                }
            } else {
                set.add(key, now + LIFETIME);
                reference.put(key, now + LIFETIME);
            }
        }
        for (Map.Entry<Long, Long> e : reference.entrySet()) {
            assertEquals(e.getValue() >= now, set.contains(e.getKey(), now));
        }
    }

    /** Memory follows what was added in the last two lifetimes, not everything ever added. */
    @Test
    void holdsAboutTwoLifetimesOfEntries() {
        TombstoneSet set = new TombstoneSet();
        ArrayDeque<Long> addTimes = new ArrayDeque<>();
        Random random = new Random(11);
        long now = 0;
        long key = 1;
        for (int op = 0; op < 200_000; op++) {
            now += random.nextInt(40);
            set.add(key++ * 0x9E3779B97F4A7C15L, now + LIFETIME);
            addTimes.add(now);
            set.expire(now);
            // Each generation spans at most a lifetime of additions (plus the step between
            // calls), and both may be held.
            while (addTimes.peek() < now - 2 * LIFETIME - 40) {
                addTimes.poll();
            }
            assertTrue(set.size() <= addTimes.size(), "op " + op + ": " + set.size()
                    + " held, " + addTimes.size() + " added in two lifetimes");
        }
        assertTrue(set.size() > 0);
        long last = key - 1;
        set.expire(now + LIFETIME + 1);
        assertEquals(0, set.size());
        assertFalse(set.contains(last * 0x9E3779B97F4A7C15L, now + LIFETIME + 1));
    }
}
