package io.synscope.flow;

/**
 * Open-addressing hash table from a 4-tuple, in either direction, to its {@link Connection}.
 * Looking a packet up allocates nothing (no key objects), which is what a packet loop at millions
 * of packets a second needs; {@link java.util.HashMap} would box a key per packet.
 *
 * <p>Linear probing with backward-shift deletion (no tombstones), power-of-two capacity, load
 * factor at most 1/2. The hash is symmetric in the two endpoints so both directions of a
 * connection land on the same chain.
 */
final class ConnectionTable {
    private Connection[] slots = new Connection[1024];
    private int size;

    int size() {
        return size;
    }

    Connection find(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        int mask = slots.length - 1;
        for (int i = hash(aHi, aLo, aPort, bHi, bLo, bPort) & mask; ; i = (i + 1) & mask) {
            Connection c = slots[i];
            if (c == null) {
                return null;
            }
            if (matches(c, aHi, aLo, aPort, bHi, bLo, bPort)) {
                return c;
            }
        }
    }

    void insert(Connection c) {
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        place(c);
        size++;
    }

    void remove(Connection c) {
        int mask = slots.length - 1;
        int hole = c.tableSlot;
        slots[hole] = null;
        c.tableSlot = -1;
        size--;
        // Backward shift: pull later members of the probe run into the hole when their home
        // slot does not lie cyclically in (hole, j].
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            Connection moved = slots[j];
            int home = hashOf(moved) & mask;
            boolean homeInRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeInRange) {
                slots[hole] = moved;
                moved.tableSlot = hole;
                slots[j] = null;
                hole = j;
            }
        }
    }

    private void place(Connection c) {
        int mask = slots.length - 1;
        int i = hashOf(c) & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = c;
        c.tableSlot = i;
    }

    private void grow() {
        Connection[] old = slots;
        slots = new Connection[old.length * 2];
        for (Connection c : old) {
            if (c != null) {
                place(c);
            }
        }
    }

    private static boolean matches(Connection c, long aHi, long aLo, int aPort,
                                   long bHi, long bLo, int bPort) {
        Endpoint x = c.client;
        Endpoint y = c.server;
        if (x.port == aPort && y.port == bPort && x.addrLo == aLo && y.addrLo == bLo
                && x.addrHi == aHi && y.addrHi == bHi) {
            return true;
        }
        return x.port == bPort && y.port == aPort && x.addrLo == bLo && y.addrLo == aLo
                && x.addrHi == bHi && y.addrHi == aHi;
    }

    private static int hashOf(Connection c) {
        return hash(c.client.addrHi, c.client.addrLo, c.client.port,
                c.server.addrHi, c.server.addrLo, c.server.port);
    }

    static int hash(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        // Sum is symmetric; the final mix spreads the bits that the sum of small ports leaves low.
        long h = endpointHash(aHi, aLo, aPort) + endpointHash(bHi, bLo, bPort);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }

    private static long endpointHash(long hi, long lo, int port) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h = (h ^ port) * 0xC2B2AE3D27D4EB4FL;
        return h ^ (h >>> 29);
    }
}
