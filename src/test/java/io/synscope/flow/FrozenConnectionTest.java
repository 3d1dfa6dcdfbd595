package io.synscope.flow;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freezing and thawing gives back every field of a connection, its endpoints and their fact
 * groups: found by reflection, so a field added to any of them without being added to its
 * {@code transfer} list fails here. Each field gets a value of its own (not a default) and the
 * connection it is thawed into starts with other values in every field (a pooled one).
 */
class FrozenConnectionTest {
    /**
     * Fields that are not part of an open connection's state, each with why: everything else
     * must round-trip.
     */
    private static final Map<String, String> NOT_STATE = Map.of(
            "Entry.slot", "where the table holds the entry; the table sets it",
            "Connection.decision", "set when the connection is decided, never while it is open",
            "Connection.decidedAtNanos", "set when the connection is decided, never while it is open",
            "Connection.decoded", "a cache of the event log, rebuilt from it on first read");

    @Test
    void everyFieldRoundTrips() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Connection original = new Connection();
            fill(original, random);
            Connection pooled = new Connection();
            fill(pooled, new SplittableRandom(-seed));

            FrozenConnection f = new FrozenConnection();
            f.freeze(original, new StateTransfer());
            f.thaw(pooled, new StateTransfer());

            List<String> compared = new ArrayList<>();
            assertSame(original, pooled, "Connection", compared);
            assertTrue(compared.size() > 90, "fields compared: " + compared);
        }
    }

    @Test
    void aGroupAtItsDefaultsIsLeftOutAndResetInThePooledConnection() throws Exception {
        Connection original = new Connection();
        fill(original, new SplittableRandom(7));
        original.client.rst.reset();
        Connection pooled = new Connection();
        fill(pooled, new SplittableRandom(8));
        FrozenConnection f = new FrozenConnection();
        StateTransfer writer = new StateTransfer();
        f.freeze(original, writer);
        int withReset = f.state.length;
        f.thaw(pooled, new StateTransfer());
        assertSame(original, pooled, "Connection", new ArrayList<>());
        assertEquals(0, pooled.client.rstTsNanos());

        fill(original, new SplittableRandom(7));
        f.freeze(original, writer);
        assertTrue(f.state.length > withReset + 10,
                "a group with facts takes bytes, one without none: " + f.state.length + " vs " + withReset);
    }

    @Test
    void timesAndFramesNearTheFirstPacketTakeFewBytes() {
        Connection c = new Connection();
        c.reset(1_000_000, 1_705_320_000_000_000_000L, 4, 0, 0x0A00_0001L, 40000, 0,
                0x0A00_0002L, 80, RoleBasis.SYN);
        FrozenConnection f = new FrozenConnection();
        f.freeze(c, new StateTransfer());
        int fresh = f.state.length;
        c.lastTsNanos = c.firstTsNanos + 1_000_000;
        c.lastFrame = c.firstFrame + 100;
        f.freeze(c, new StateTransfer());
        assertTrue(f.state.length - fresh <= 5, "a time 1 ms and a frame 100 on: "
                + (f.state.length - fresh) + " bytes more");
        Connection back = new Connection();
        f.thaw(back, new StateTransfer());
        assertEquals(c.lastTsNanos, back.lastTsNanos);
        assertEquals(c.lastFrame, back.lastFrame);
        assertEquals(c.aPort, back.aPort);
    }

    /** Every state field of {@code c} (recursively) gets a value from {@code random}, never a default. */
    private static void fill(Object o, SplittableRandom random) throws Exception {
        for (Field field : stateFields(o.getClass())) {
            Class<?> type = field.getType();
            if (type == long.class) {
                field.setLong(o, random.nextLong() | 1);
            } else if (type == int.class) {
                field.setInt(o, random.nextInt() | 1);
            } else if (type == boolean.class) {
                field.setBoolean(o, true);
            } else if (type.isEnum()) {
                Object[] values = type.getEnumConstants();
                field.set(o, values[1 + random.nextInt(values.length - 1)]);
            } else if (type == byte[].class) {
                // The event log: its length field says how much of it is state.
                byte[] bytes = new byte[64 + random.nextInt(64)];
                random.nextBytes(bytes);
                field.set(o, bytes);
            } else if (field.get(o) != null && !type.isArray()) {
                fill(field.get(o), random);
            } else if (type.getName().startsWith("io.synscope.flow.Facts$")) {
                var constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                Object group = constructor.newInstance();
                fill(group, random);
                field.set(o, group);
            } else {
                throw new AssertionError("no way to fill " + field);
            }
        }
        if (o instanceof Connection) {
            Field eventBytes = Connection.class.getDeclaredField("eventBytes");
            Field events = Connection.class.getDeclaredField("events");
            eventBytes.setAccessible(true);
            events.setAccessible(true);
            eventBytes.setInt(o, 1 + Math.floorMod(eventBytes.getInt(o),
                    ((byte[]) events.get(o)).length - Long.BYTES));
        }
    }

    private static void assertSame(Object expected, Object actual, String path, List<String> compared)
            throws Exception {
        for (Field field : stateFields(expected.getClass())) {
            String name = path + "." + field.getName();
            compared.add(name);
            Object e = field.get(expected);
            Object a = field.get(actual);
            Class<?> type = field.getType();
            if (type.isPrimitive() || type.isEnum()) {
                assertEquals(e, a, name);
            } else if (type == byte[].class) {
                Field eventBytes = Connection.class.getDeclaredField("eventBytes");
                eventBytes.setAccessible(true);
                int length = eventBytes.getInt(expected);
                assertArrayEquals(Arrays.copyOf((byte[]) e, length), Arrays.copyOf((byte[]) a, length), name);
            } else {
                assertNotEquals(null, a, name);
                assertSame(e, a, name, compared);
            }
        }
    }

    /** Declared non-static, non-final fields of {@code type} and its superclasses, but {@link #NOT_STATE}. */
    private static List<Field> stateFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> t = type; t != Object.class; t = t.getSuperclass()) {
            for (Field field : t.getDeclaredFields()) {
                int m = field.getModifiers();
                String key = t.getSimpleName() + "." + field.getName();
                if (Modifier.isStatic(m) || NOT_STATE.containsKey(key) || field.isSynthetic()) {
                    continue;
                }
                field.setAccessible(true);
                if (Modifier.isFinal(m) && !(field.getType() == Endpoint.class)) {
                    continue;
                }
                fields.add(field);
            }
        }
        return fields;
    }
}
