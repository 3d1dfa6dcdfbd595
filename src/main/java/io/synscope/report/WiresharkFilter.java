package io.synscope.report;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;

/**
 * A Wireshark display filter that isolates one connection: both directions of its exact
 * address/port pair, within its time span widened by {@link #MARGIN_NANOS} each side. The time
 * window is what keeps a later connection that reuses the same ports out.
 *
 * <p>Times are {@code frame.time_epoch} (seconds since 1970, UTC), not {@code frame.time}, whose
 * text Wireshark reads in the local time zone of whoever opens the capture.
 */
public final class WiresharkFilter {
    /**
     * Slack around first/last seen: covers captures re-stamped at a coarser resolution (pcap µs
     * vs. ns) without reaching a reused port, which the kernel hands out again only after far
     * longer (TIME_WAIT, ephemeral port rotation).
     */
    public static final long MARGIN_NANOS = 1_000_000L;

    private WiresharkFilter() {
    }

    /** The filter of {@code r}. Addresses are synscope's own text forms: nothing to escape. */
    public static String of(ConnectionResult r) {
        String ip = r.ipVersion() == 6 ? "ipv6" : "ip";
        return "((" + direction(ip, r.client(), r.server()) + ") || ("
                + direction(ip, r.server(), r.client()) + ")) && frame.time_epoch >= "
                + Format.seconds(r.firstSeenNanos() - MARGIN_NANOS) + " && frame.time_epoch <= "
                + Format.seconds(r.lastSeenNanos() + MARGIN_NANOS);
    }

    private static String direction(String ip, HostPort from, HostPort to) {
        return ip + ".src==" + from.ip() + " && tcp.srcport==" + from.port() + " && "
                + ip + ".dst==" + to.ip() + " && tcp.dstport==" + to.port();
    }
}
