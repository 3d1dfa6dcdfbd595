package io.synscope.flow;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TombstoneSetTest {

    @Test
    void matchesAReferenceMapUnderAddsAndLazyExpiry() {
        TombstoneSet set = new TombstoneSet();
        Map<Long, Long> reference = new HashMap<>(); // key -> expiry
        Random random = new Random(7);
        long now = 0;
        for (int op = 0; op < 300_000; op++) {
            now += random.nextInt(1000);
            // Few distinct keys (some 0) so re-adds, collisions and wrap-around all happen.
            long key = random.nextInt(3000) * 0x9E3779B97F4A7C15L;
            switch (random.nextInt(3)) {
                case 0, 1 -> {
                    set.add(key, now + 50_000);
                    reference.put(key, now + 50_000);
                }
                default -> {
                    set.expire(now);
                    long t = now;
                    reference.values().removeIf(expiry -> expiry < t);
                }
            }
            // Present until its expiry, swept or not.
            Long expiry = reference.get(key);
            assertEquals(expiry != null && expiry >= now, set.contains(key, now), "op " + op);
        }
        set.expire(now);
        long t = now;
        reference.values().removeIf(expiry -> expiry < t);
        assertEquals(reference.size(), set.size());
        for (Long k : reference.keySet()) {
            assertEquals(true, set.contains(k, now));
        }
    }
}
