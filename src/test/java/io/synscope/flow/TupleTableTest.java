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

    private record Key(long aLo, int aPort, long bLo, int bPort) {
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
                Key k = new Key(random.nextInt(50), random.nextInt(40), random.nextInt(50),
                        random.nextInt(40));
                if (reference.containsKey(k) || reference.containsKey(
                        new Key(k.bLo(), k.bPort(), k.aLo(), k.aPort()))) {
                    continue;
                }
                Item item = new Item();
                item.setKey(0, k.aLo(), k.aPort(), 0, k.bLo(), k.bPort());
                table.insert(item);
                reference.put(k, item);
                keys.add(k);
            } else {
                Key k = keys.remove(random.nextInt(keys.size()));
                Item item = reference.remove(k);
                assertSame(item, table.find(0, k.bLo(), k.bPort(), 0, k.aLo(), k.aPort()),
                        "found in either direction");
                table.remove(item);
                assertNull(table.find(0, k.aLo(), k.aPort(), 0, k.bLo(), k.bPort()));
            }
            assertEquals(reference.size(), table.size());
        }
        for (Map.Entry<Key, Item> e : reference.entrySet()) {
            Key k = e.getKey();
            assertSame(e.getValue(), table.find(0, k.aLo(), k.aPort(), 0, k.bLo(), k.bPort()));
        }
    }
}
