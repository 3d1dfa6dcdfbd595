package io.synscope.flow;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class TupleTableTest {
    private static final class Item extends TupleTable.Entry {
    }

    /** High halves from a few values too, so that a mix-up of any field would show. */
    private record Key(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        Key reversed() {
            return new Key(bHi, bLo, bPort, aHi, aLo, aPort);
        }

        long hash() {
            return EndpointPairs.hash64(aHi, aLo, aPort, bHi, bLo, bPort);
        }
    }

    private static Item find(TupleTable<Item> table, Key k) {
        return table.find(k.hash(), k.aHi(), k.aLo(), k.aPort(), k.bHi(), k.bLo(), k.bPort());
    }

    @Test
    void behavesLikeAMapUnderRandomInsertsAndRemovals() {
        TupleTable<Item> table = new TupleTable<>();
        Map<Key, Item> reference = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        Random random = new Random(42);
        for (int op = 0; op < 200_000; op++) {
            if (keys.isEmpty() || random.nextInt(3) > 0) {
                // Few distinct addresses and ports, so probe runs collide and wrap.
                Key k = new Key(random.nextInt(3) * 0x9E3779B97F4A7C15L, random.nextInt(50),
                        random.nextInt(40), random.nextInt(3) * 0x9E3779B97F4A7C15L,
                        random.nextInt(50), random.nextInt(40));
                if (reference.containsKey(k) || reference.containsKey(k.reversed())) {
                    continue;
                }
                Item item = new Item();
                item.setKey(k.aHi(), k.aLo(), k.aPort(), k.bHi(), k.bLo(), k.bPort());
                table.insert(item, k.hash());
                reference.put(k, item);
                keys.add(k);
            } else {
                Key k = keys.remove(random.nextInt(keys.size()));
                Item item = reference.remove(k);
                assertSame(item, find(table, k.reversed()), "found in either direction");
                assertEquals(k.hash(), table.remove(item), "its hash, to reuse");
                assertNull(find(table, k));
            }
            assertEquals(reference.size(), table.size());
        }
        for (Map.Entry<Key, Item> e : reference.entrySet()) {
            Key k = e.getKey();
            assertSame(e.getValue(), find(table, k));
        }
    }

    /**
     * The stored hash is compared first, so only a lookup under a member's hash but for another
     * tuple reaches the field comparison: it must say no for a difference in any field.
     */
    @Test
    void aTupleDifferingInAnyFieldIsNotFoundUnderTheMembersHash() {
        TupleTable<Item> table = new TupleTable<>();
        Key k = new Key(11, 12, 13, 21, 22, 23);
        Item item = new Item();
        item.setKey(k.aHi(), k.aLo(), k.aPort(), k.bHi(), k.bLo(), k.bPort());
        table.insert(item, k.hash());
        assertSame(item, table.find(k.hash(), 21, 22, 23, 11, 12, 13));
        long[][] others = {
                {99, 12, 13, 21, 22, 23}, {11, 99, 13, 21, 22, 23}, {11, 12, 99, 21, 22, 23},
                {11, 12, 13, 99, 22, 23}, {11, 12, 13, 21, 99, 23}, {11, 12, 13, 21, 22, 99},
                {21, 12, 13, 11, 22, 23}, {11, 22, 13, 21, 12, 23}, {11, 12, 23, 21, 22, 13}};
        for (long[] o : others) {
            assertNull(table.find(k.hash(), o[0], o[1], (int) o[2], o[3], o[4], (int) o[5]),
                    java.util.Arrays.toString(o));
            assertNull(table.find(k.hash(), o[3], o[4], (int) o[5], o[0], o[1], (int) o[2]),
                    "reversed " + java.util.Arrays.toString(o));
        }
    }
}
