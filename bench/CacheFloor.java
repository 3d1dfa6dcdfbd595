import java.util.SplittableRandom;

/*
 * The cache-miss floor of a state-heavy capture's packet path: per access, one probe of an
 * open-addressing table (a hash word and a reference) and a read-modify-write of three cache
 * lines of a ~900-byte connection (as FlowTracker.update touches a Connection, two Endpoints and
 * a group), for N connections visited in random order. Prints ns per access, best of 7 rounds.
 * See bench/README.md, "Freezing idle connections".
 *
 *   java -Xmx2g bench/CacheFloor.java CONNECTIONS ACCESSES     (e.g. 593000 8000000)
 */
public class CacheFloor {
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        int accesses = Integer.parseInt(a[1]);
        int slots = Integer.highestOneBit(n * 2) * 2;
        long[] hashes = new long[slots];
        long[][] table = new long[slots][];
        SplittableRandom r = new SplittableRandom(1);
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            long h = r.nextLong();
            keys[i] = h;
            int s = (int) h & (slots - 1);
            while (table[s] != null) s = (s + 1) & (slots - 1);
            hashes[s] = h;
            table[s] = new long[112]; // 900 bytes
        }
        int[] order = new int[accesses];
        for (int i = 0; i < accesses; i++) order[i] = r.nextInt(n);
        long best = Long.MAX_VALUE, sink = 0;
        for (int round = 0; round < 7; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < accesses; i++) {
                long h = keys[order[i]];
                int s = (int) h & (slots - 1);
                while (hashes[s] != h) s = (s + 1) & (slots - 1);
                long[] c = table[s];
                c[0]++; c[40] += i; c[80] ^= h;
                sink += c[1];
            }
            best = Math.min(best, System.nanoTime() - t0);
        }
        // The checksum keeps the JIT from dropping the loads as unused.
        System.out.printf("%d connections, %d accesses: %.1f ns an access (best of 7; checksum %d)%n",
                n, accesses, best / (double) accesses, sink & 0xFFFF);
    }
}
