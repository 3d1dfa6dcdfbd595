package io.synscope.kernel;

/**
 * How the kernel sampler samples and how much it keeps, in one place.
 *
 * @param netns                  the network namespace to read ({@code ip netns} name or a path
 *                               such as {@code /proc/PID/ns/net}), or null for the sampler's own
 * @param sampleIntervalMillis   time between samples: listen queues, SYN_RECV counts, counters.
 *                               A queue full for less than this may be missed, and every time
 *                               and duration is known to about this much
 * @param synRecvIntervalMillis  time between counts of the request sockets (SYN_RECV): each
 *                               walks the kernel's whole established-socket hash table, however
 *                               few sockets it holds (1.1 ms of CPU per address family with the
 *                               262,144 buckets of this machine), so it runs less often
 * @param maxListeners           listening sockets followed; more are counted, not kept
 */
public record KernelConfig(
        String netns,
        long sampleIntervalMillis,
        long synRecvIntervalMillis,
        int maxListeners) {

    public KernelConfig {
        if (sampleIntervalMillis < 1 || synRecvIntervalMillis < 1) {
            throw new IllegalArgumentException("sample intervals must be at least 1 ms, not "
                    + sampleIntervalMillis + " and " + synRecvIntervalMillis);
        }
        if (maxListeners < 1) {
            throw new IllegalArgumentException("maxListeners must be at least 1, not " + maxListeners);
        }
    }

    /** Ten samples a second, SYN_RECV counted once a second, in the sampler's own namespace. */
    public static KernelConfig defaults() {
        return new KernelConfig(null, 100, 1000, 1024);
    }

    public KernelConfig withNetns(String name) {
        return new KernelConfig(name, sampleIntervalMillis, synRecvIntervalMillis, maxListeners);
    }

    /** Listen queues and counters every {@code millis}; SYN_RECV counts every {@code synRecvMillis}. */
    public KernelConfig withIntervals(long millis, long synRecvMillis) {
        return new KernelConfig(netns, millis, synRecvMillis, maxListeners);
    }
}
