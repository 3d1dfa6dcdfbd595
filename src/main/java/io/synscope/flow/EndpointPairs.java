package io.synscope.flow;

/**
 * The unordered pair of a connection's endpoints, each an address (two longs, IPv4 mapped) and a
 * port: one hash and one comparison for both directions of a packet, for the trackers' tables
 * and for whatever else looks a connection up by its packets (the export's second pass).
 */
public final class EndpointPairs {
    private EndpointPairs() {
    }

    /**
     * Whether the endpoints {@code a}, {@code b} are {@code x}, {@code y} in either order: field
     * differences OR-ed together and each compared with 0 once
     * (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    public static boolean same(long aHi, long aLo, long aPort, long bHi, long bLo, long bPort,
                               long xHi, long xLo, long xPort, long yHi, long yLo, long yPort) {
        long forward = (aHi ^ xHi) | (aLo ^ xLo) | (bHi ^ yHi) | (bLo ^ yLo) | (aPort ^ xPort)
                | (bPort ^ yPort);
        long backward = (aHi ^ yHi) | (aLo ^ yLo) | (bHi ^ xHi) | (bLo ^ xLo) | (aPort ^ yPort)
                | (bPort ^ xPort);
        // Both outcomes of both tests are common (packets come from either side).
        return forward == 0 | backward == 0;
    }

    /**
     * A 64-bit hash of the unordered pair of endpoints. Each endpoint is a cheap linear mix with
     * distinct odd multipliers (so ports and low address bits that vary together do not cancel
     * out); the sum makes it symmetric and murmur3's finaliser spreads every bit.
     */
    public static long hash64(long xHi, long xLo, int xPort, long yHi, long yLo, int yPort) {
        long x = xHi * 0x9E3779B97F4A7C15L + xLo * 0xC2B2AE3D27D4EB4FL + xPort * 0x165667B19E3779F9L;
        long y = yHi * 0x9E3779B97F4A7C15L + yLo * 0xC2B2AE3D27D4EB4FL + yPort * 0x165667B19E3779F9L;
        return mix((x ^ (x >>> 31)) + (y ^ (y >>> 31)));
    }

    /**
     * murmur3's 64-bit finaliser: every input bit moves every output bit (also the tracker's
     * digest of a segment for its duplicate test).
     */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        return k ^ (k >>> 33);
    }
}
