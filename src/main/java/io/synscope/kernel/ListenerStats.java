package io.synscope.kernel;

import java.util.List;

/**
 * One listening socket as sampled over the run. "Full" is the kernel's own test,
 * {@code sk_acceptq_is_full}: the accept queue holds <em>more</em> than the backlog (it admits
 * one connection past it: measured peak backlog+1), and from then on every SYN and every
 * handshake-completing ACK for this listener is dropped or reset. Times are CLOCK_REALTIME
 * nanoseconds, the clock of pcap timestamps, and are known to one sample interval.
 *
 * @param ip                  local address, {@code 0.0.0.0} / {@code ::} for a wildcard listener
 * @param socketCookie        the kernel's id of the socket (two SO_REUSEPORT sockets share ip and port)
 * @param backlog             the accept queue's limit, {@code sk_max_ack_backlog} =
 *                            min(listen() backlog, net.core.somaxconn at listen() time), as last seen
 * @param acceptLimitBy       which of the two set {@code backlog}
 * @param synQueueLimit       the SYN queue's limit: the backlog too, or, with tcp_syncookies=0,
 *                            three quarters of tcp_max_syn_backlog when that is lower
 * @param synQueueLimitBy     which limit that is
 * @param acceptQueueNow      connections waiting for accept() at the last sample
 * @param acceptQueuePeak     the most seen at any sample
 * @param fullMillis          time the accept queue was full, summed over samples
 * @param fullIntervals       when it was full, oldest first, at most {@link KernelConfig#maxFullIntervals}
 *                            (the latest); an interval runs from the first sample that found the
 *                            queue full to the first that did not
 * @param droppedFullIntervals older intervals not kept
 * @param synRecvNow          request sockets (TCP_SYN_RECV) for this listener at the last sample
 * @param synRecvPeak         the most seen at any sample
 * @param firstSeenNanos      the first sample that listed the socket
 * @param lastSeenNanos       the last sample that listed it
 * @param open                whether the last sample still listed it
 */
public record ListenerStats(
        String ip,
        int port,
        long socketCookie,
        int backlog,
        LimitedBy acceptLimitBy,
        int synQueueLimit,
        LimitedBy synQueueLimitBy,
        int acceptQueueNow,
        int acceptQueuePeak,
        long fullMillis,
        List<FullInterval> fullIntervals,
        long droppedFullIntervals,
        int synRecvNow,
        int synRecvPeak,
        long firstSeenNanos,
        long lastSeenNanos,
        boolean open) {

    public ListenerStats {
        fullIntervals = List.copyOf(fullIntervals);
    }

    /**
     * A time the accept queue was full, as sampled.
     *
     * @param ongoing still full at the last sample; {@code endNanos} is that sample's time
     */
    public record FullInterval(long startNanos, long endNanos, boolean ongoing) {
        public long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    /**
     * Which limit bound this listener: that of the accept queue when it was ever full, else that
     * of the SYN queue when the request sockets ever reached it, else that of the accept queue
     * (the first a burst of connections meets).
     */
    public LimitedBy limitedBy() {
        boolean acceptQueueWasFull = acceptQueuePeak > backlog || !fullIntervals.isEmpty();
        if (!acceptQueueWasFull && synRecvPeak >= synQueueLimit) {
            return synQueueLimitBy;
        }
        return acceptLimitBy;
    }
}
