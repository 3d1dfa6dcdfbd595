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
 * connection it is thawed into starts with other values in every field (a pooled one). And the
 * table gives back each of many connections frozen and thawed in turn, while it reuses the room
 * of the thawed ones.
 */
class FrozenTableTest {
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

            FrozenTable table = new FrozenTable();
            freezeAndThaw(table, original, pooled);
            assertEquals(0, table.size());

            // Compared with a copy filled alike, not with the original: writing a field returns
            // its value as read back, so a lossy encoding would change the original too.
            Connection expected = new Connection();
            fill(expected, new SplittableRandom(seed));
            List<String> compared = new ArrayList<>();
            assertSame(expected, pooled, "Connection", compared);
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
        int withReset = recordBytes(original);
        freezeAndThaw(new FrozenTable(), original, pooled);
        assertSame(original, pooled, "Connection", new ArrayList<>());
        assertEquals(0, pooled.client.rstTsNanos());

        fill(original, new SplittableRandom(7));
        int withRst = recordBytes(original);
        assertTrue(withRst > withReset + 10,
                "a group with facts takes bytes, one without none: " + withRst + " vs " + withReset);
    }

    @Test
    void timesAndFramesNearTheFirstPacketTakeFewBytes() {
        Connection c = new Connection();
        c.reset(1_000_000, 1_705_320_000_000_000_000L, 4, 0, 0x0A00_0001L, 40000, 0,
                0x0A00_0002L, 80, RoleBasis.SYN);
        int fresh = recordBytes(c);
        c.lastTsNanos = c.firstTsNanos + 1_000_000;
        c.lastFrame = c.firstFrame + 100;
        int later = recordBytes(c);
        assertTrue(later - fresh <= 5, "a time 1 ms and a frame 100 on: "
                + (later - fresh) + " bytes more");
        Connection back = new Connection();
        freezeAndThaw(new FrozenTable(), c, back);
        assertEquals(c.lastTsNanos, back.lastTsNanos);
        assertEquals(c.lastFrame, back.lastFrame);
        assertEquals(c.aPort, back.aPort);
    }

    /**
     * The encoding's edge values come back exact: times on a nanosecond clock (the nanoseconds
     * left over a microsecond), before the first packet (a clock that went backwards), around
     * zero and the ends of a {@code long}, and centuries from the first packet; frames on either
     * side of the first and last; raw sequence numbers that wrap past 2^32 or are not what the
     * ISN says.
     */
    @Test
    void edgeValuesRoundTrip() {
        long first = 1_705_320_000_123_456_789L;
        long[] times = {0, 1, -1, 999, 1000, 1001, first - 1, first + 1, first - 1_000_000_007L,
                first + 123_456_789_012L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
                Long.MAX_VALUE - 999, first + 3_000_000_000_000_000_000L,
                first - 4_000_000_000_000_000_000L};
        long[] frames = {0, 1, 2, 999_999, 1_000_001, 8_121_112, (1L << 62) - 1, 1L << 61};
        int[] raw = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFF_FFF0};
        for (long firstTs : new long[] {first, 1, Long.MIN_VALUE + 5, Long.MAX_VALUE - 5}) {
            for (long firstFrame : new long[] {1, 1_000_000, (1L << 62) - 2}) {
                for (int i = 0; i < times.length; i++) {
                    Connection c = new Connection();
                    c.reset(firstFrame, firstTs, 4, 0, 0x0A00_0001L, 40000, 0, 0x0A00_0002L, 80,
                            RoleBasis.SYN);
                    c.lastTsNanos = times[(i + 3) % times.length];
                    c.lastFrame = frames[i % frames.length];
                    c.synAckTsNanos = times[i];
                    c.handshakeAckTsNanos = times[(i + 1) % times.length] | 1;
                    c.synAckFrame = frames[(i + 1) % frames.length];
                    c.client.isn = raw[i % raw.length];
                    c.client.maxEndRel = 5_000_000_000L + i;
                    c.client.maxEndRaw = raw[(i + 1) % raw.length];
                    c.server.isn = raw[(i + 2) % raw.length];
                    c.server.maxEndRel = i;
                    c.server.maxEndRaw = c.server.isn + i;
                    c.synAckAckRaw = c.client.isn + 1 - i;
                    Connection back = new Connection();
                    freezeAndThaw(new FrozenTable(), c, back);
                    String at = "first " + firstTs + "/" + firstFrame + ", case " + i;
                    assertEquals(c.lastTsNanos, back.lastTsNanos, at);
                    assertEquals(c.synAckTsNanos, back.synAckTsNanos, at);
                    assertEquals(c.handshakeAckTsNanos, back.handshakeAckTsNanos, at);
                    assertEquals(c.lastFrame, back.lastFrame, at);
                    assertEquals(c.synAckFrame, back.synAckFrame, at);
                    assertEquals(c.client.isn, back.client.isn, at);
                    assertEquals(c.client.maxEndRaw, back.client.maxEndRaw, at);
                    assertEquals(c.server.isn, back.server.isn, at);
                    assertEquals(c.server.maxEndRaw, back.server.maxEndRaw, at);
                    assertEquals(c.synAckAckRaw, back.synAckAckRaw, at);
                }
            }
        }
    }

    /**
     * What made the record smaller: a time on a microsecond clock takes no byte for its
     * nanoseconds, a time near the last packet is counted from it, and a raw sequence number
     * that is the ISN plus the relative one takes none.
     */
    @Test
    void microsecondTimesNearTheLastPacketAndExpectedSequenceNumbersTakeFewBytes() {
        Connection c = new Connection();
        c.reset(1_000_000, 1_705_320_000_000_000_000L, 4, 0, 0x0A00_0001L, 40000, 0,
                0x0A00_0002L, 80, RoleBasis.SYN);
        c.lastTsNanos = c.firstTsNanos + 40_000_000_000L;
        c.lastFrame = c.firstFrame + 5_000_000;
        int base = recordBytes(c);
        c.client.lastTsNanos = c.lastTsNanos - 250_000;
        int nearLast = recordBytes(c);
        assertTrue(nearLast - base <= 3, "a time 250 us before the last: " + (nearLast - base));
        c.client.lastTsNanos += 7;
        int withNanos = recordBytes(c);
        // One byte for the nanoseconds, and its length code one bit longer.
        assertTrue(withNanos == nearLast + 1 || withNanos == nearLast + 2,
                "7 ns more: " + (withNanos - nearLast) + " bytes");
        c.client.isn = 0x9ABC_DEF0;
        int withIsn = recordBytes(c);
        c.client.maxEndRel = 1_000;
        c.client.maxEndRaw = c.client.isn + 1_000;
        int withExpectedRaw = recordBytes(c);
        assertTrue(withExpectedRaw - withIsn <= 2,
                "maxEndRel of 1000 and the raw number it implies: " + (withExpectedRaw - withIsn));
    }

    /**
     * Many connections, frozen and thawed in a random order with at most a few thousand frozen at
     * once: each comes back field for field from the record it was frozen into, found by its key
     * from either side; a key never frozen is not found; the scans' view of a record (first and
     * last frame, last time) is the connection's; and the slab reuses the room of thawed records
     * instead of growing with every freeze.
     */
    @Test
    void manyConnectionsComeBackWhileTheSlabReusesThawedRoom() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        FrozenTable table = new FrozenTable();
        StateTransfer transfer = new StateTransfer();
        java.util.Map<Long, Connection> frozen = new java.util.HashMap<>();
        List<Long> keys = new ArrayList<>();
        for (int round = 0; round < 60_000; round++) {
            boolean freeze = frozen.size() < 2_000 || frozen.size() < 4_000 && random.nextBoolean();
            if (freeze) {
                Connection c = new Connection();
                fill(c, random);
                c.bPort = round;
                long h = hash(c);
                table.freeze(c, h, transfer);
                assertTrue(frozen.put(h, c) == null, "distinct keys");
                keys.add(h);
            } else {
                int pick = random.nextInt(keys.size());
                long h = keys.get(pick);
                keys.set(pick, keys.get(keys.size() - 1));
                keys.remove(keys.size() - 1);
                Connection original = frozen.remove(h);
                boolean fromServer = random.nextBoolean();
                int slot = fromServer
                        ? table.find(h, original.bHi, original.bLo, original.bPort, original.aHi, original.aLo, original.aPort)
                        : table.find(h, original.aHi, original.aLo, original.aPort, original.bHi, original.bLo, original.bPort);
                assertTrue(slot >= 0, "frozen connection found");
                Connection back = new Connection();
                fill(back, new SplittableRandom(round));
                assertEquals(h, table.thaw(slot, back, transfer));
                assertSame(original, back, "Connection", new ArrayList<>());
                assertEquals(original.aPort, back.aPort);
                assertEquals(original.bLo, back.bLo);
            }
            assertEquals(frozen.size(), table.size());
        }
        // Holes at most an eighth of the slab, plus the page being written.
        long page = 1 << 20;
        assertTrue(table.slabBytes() <= table.recordBytes() * 8 / 7 + 2 * page,
                "slab " + table.slabBytes() + " bytes for " + table.recordBytes() + " of records");
        assertTrue(table.slabBytes() > table.recordBytes());
        Connection absent = new Connection();
        fill(absent, random);
        absent.bPort = -1;
        assertEquals(-1, table.find(hash(absent), absent.aHi, absent.aLo, absent.aPort, absent.bHi, absent.bLo, absent.bPort));
        int[] inOrder = table.addressesInStartOrder();
        assertEquals(frozen.size(), inOrder.length);
        for (int i = 1; i < inOrder.length; i++) {
            assertTrue(table.firstFrame(inOrder[i - 1]) < table.firstFrame(inOrder[i]), "start order");
        }
        for (int address : inOrder) {
            Connection c = new Connection();
            long h = table.thawAt(address, c, transfer);
            Connection original = frozen.get(h);
            assertEquals(original.firstFrame, c.firstFrame);
            assertEquals(original.lastFrame, c.lastFrame);
        }
        assertEquals(0, table.size());
    }

    @Test
    void theScansReadFirstAndLastFrameAndLastTimeWithoutThawing() throws Exception {
        Connection c = new Connection();
        fill(c, new SplittableRandom(3));
        FrozenTable table = new FrozenTable();
        table.freeze(c, hash(c), new StateTransfer());
        int address = table.addresses()[0];
        assertEquals(c.firstFrame, table.firstFrame(address));
        assertEquals(c.lastFrame, table.lastFrame(address));
        assertEquals(c.lastTsNanos, table.lastTsNanos(address));
    }

    /**
     * The duplicate test compares a segment with its sender's last one only within the duplicate
     * window of it, so a frozen record need not keep the digest of a segment older than that:
     * kept at the window's edge, 0 (and 8 bytes fewer) past it, the rest as it was.
     */
    @Test
    void aDigestOlderThanTheDuplicateWindowIsNotKept() throws Exception {
        Connection c = filled(5);
        long clientTs = c.client.lastTsNanos;
        long clientDigest = c.client.lastSegmentDigest;
        long serverDigest = c.server.lastSegmentDigest;
        assertTrue(clientTs != c.server.lastTsNanos);
        // The server's last segment is on the same side of either edge.
        long serverKept = c.server.lastTsNanos < clientTs ? 0 : serverDigest;

        StateTransfer atEdge = new StateTransfer();
        atEdge.forgetDigestsBefore(clientTs);
        StateTransfer past = new StateTransfer();
        past.forgetDigestsBefore(clientTs + 1);
        // Writing a field sets it to the value as read back: a fresh copy each time.
        int keptBytes = recordBytes(filled(5), atEdge);
        int forgottenBytes = recordBytes(filled(5), past);

        Connection kept = thawedAfter(filled(5), atEdge);
        assertEquals(clientDigest, kept.client.lastSegmentDigest);
        assertEquals(serverKept, kept.server.lastSegmentDigest);
        Connection forgotten = thawedAfter(filled(5), past);
        assertEquals(0, forgotten.client.lastSegmentDigest);
        assertEquals(serverKept, forgotten.server.lastSegmentDigest);
        assertEquals(c.client.packets, forgotten.client.packets);
        // 8 bytes, and a length code 5 bits shorter.
        assertTrue(keptBytes - forgottenBytes == Long.BYTES
                || keptBytes - forgottenBytes == Long.BYTES + 1, keptBytes + " vs " + forgottenBytes);
    }

    private static Connection filled(long seed) throws Exception {
        Connection c = new Connection();
        fill(c, new SplittableRandom(seed));
        return c;
    }

    private static Connection thawedAfter(Connection original, StateTransfer transfer)
            throws Exception {
        FrozenTable table = new FrozenTable();
        long h = hash(original);
        table.freeze(original, h, transfer);
        Connection into = new Connection();
        fill(into, new SplittableRandom(99));
        table.thaw(table.find(h, original.aHi, original.aLo, original.aPort, original.bHi,
                original.bLo, original.bPort), into, transfer);
        return into;
    }

    private static long hash(Connection c) {
        return EndpointPairs.hash64(c.aHi, c.aLo, c.aPort, c.bHi, c.bLo, c.bPort);
    }

    /** Freezes {@code original} alone into {@code table} and thaws it, found by its key, into {@code into}. */
    private static void freezeAndThaw(FrozenTable table, Connection original, Connection into) {
        StateTransfer transfer = new StateTransfer();
        long h = hash(original);
        table.freeze(original, h, transfer);
        int slot = table.find(h, original.aHi, original.aLo, original.aPort, original.bHi,
                original.bLo, original.bPort);
        assertTrue(slot >= 0, "found by its key");
        assertEquals(h, table.thaw(slot, into, transfer));
    }

    /** The bytes of {@code c}'s frozen record. */
    private static int recordBytes(Connection c) {
        return recordBytes(c, new StateTransfer());
    }

    private static int recordBytes(Connection c, StateTransfer transfer) {
        transfer.startWriting();
        transfer.key(c);
        c.transfer(transfer);
        return transfer.finishWriting();
    }

    /** Every state field of {@code c} (recursively) gets a value from {@code random}, never a default. */
    private static void fill(Object o, SplittableRandom random) throws Exception {
        for (Field field : stateFields(o.getClass())) {
            Class<?> type = field.getType();
            if (type == long.class && field.getName().toLowerCase().endsWith("frame")) {
                // A frame number counts packets from 1: far below 2^62.
                field.setLong(o, random.nextLong() >>> 2 | 1);
            } else if (type == long.class) {
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
            // An event log as logEvent writes one (freezing recodes it event by event), each
            // field any value its width holds: times and frames any distance from the first.
            setInt(o, "eventCount", 0);
            setInt(o, "eventBytes", 0);
            java.lang.reflect.Method append = Connection.class.getDeclaredMethod("appendEvent",
                    int.class, long.class, long.class, long.class, long.class, long.class, long.class);
            append.setAccessible(true);
            for (int i = 1 + random.nextInt(48); i > 0; i--) {
                append.invoke(o, random.nextInt(1 << 11), random.nextLong(), random.nextLong(),
                        random.nextLong() >>> 32, random.nextLong() >>> 32,
                        random.nextLong() >>> 32, random.nextLong() >>> 48);
            }
            // A history as Connection.history writes one: distinct codes 1-14, then the set of
            // codes seen and their count, which thawing derives from it.
            List<Long> codes = new ArrayList<>();
            for (long code = 1; code <= 14; code++) {
                codes.add(code);
            }
            java.util.Collections.shuffle(codes, new java.util.Random(random.nextLong()));
            int length = 1 + random.nextInt(14);
            long history = 0;
            int seen = 0;
            for (int i = 0; i < length; i++) {
                history |= codes.get(i) << (4 * i);
                seen |= 1 << codes.get(i);
            }
            setInt(o, "historyLength", length);
            setInt(o, "historySeen", seen);
            Field historyField = Connection.class.getDeclaredField("history");
            historyField.setAccessible(true);
            historyField.setLong(o, history);
        }
    }

    private static void setInt(Object o, String name, int value) throws Exception {
        Field field = Connection.class.getDeclaredField(name);
        field.setAccessible(true);
        field.setInt(o, value);
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

    /**
     * Declared non-static fields of {@code type} and its superclasses, but {@link #NOT_STATE}:
     * the non-final ones, and the final ones that hold a part of the state (an endpoint, the SYN
     * group), whose own fields are then walked.
     */
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
                if (Modifier.isFinal(m) && !(field.getType() == Endpoint.class
                        || Facts.Group.class.isAssignableFrom(field.getType()))) {
                    continue;
                }
                fields.add(field);
            }
        }
        return fields;
    }
}
