package io.synscope.kernel;

import io.synscope.capture.Printable;

import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One event the kernel traced, as parsed from a private tracefs instance ({@link TraceEvents}):
 * immutable. Names are the kernel's own, read from the text the kernel printed (never mapped
 * from numbers here, since enum numbers change between kernels); they are kernel text and must
 * be printed through {@link #describe()} or {@link Printable#escape}.
 *
 * @param event   {@link #SEND_RESET}, {@link #RETRANSMIT_SYNACK} or {@link #KFREE_SKB}
 * @param tsNanos when, in nanoseconds since the epoch on the packets' clock (CLOCK_REALTIME),
 *                converted from the instance's trace clock (see {@link TraceClock}; not
 *                the packets' clock when {@link TraceClock#measured()} is false)
 * @param src     who sent the packet the event is about (the reset's or the SYN-ACK's sender);
 *                null when the kernel did not say (kfree_skb; an unspecified address)
 * @param srcPort its port, 0 when not said
 * @param dst     the packet's destination; null when not said (kfree_skb; a listener's reset,
 *                which the kernel prints with destination {@code [::]:0})
 * @param dstPort its port, 0 when not said
 * @param state   tcp_send_reset: the socket's state ({@code TCP_CLOSE}, {@code TCP_LISTEN},
 *                {@code UNKNOWN} without a socket); null for the other events
 * @param reason  tcp_send_reset: the reset reason ({@code TCP_ABORT_ON_CLOSE}, {@code TCP_STATE},
 *                {@code NO_SOCKET}, …; null on kernels before 6.10, which have none);
 *                kfree_skb: the drop reason ({@code TCP_LISTEN_OVERFLOW}); null otherwise
 */
public record KernelEvent(String event, long tsNanos, InetAddress src, int srcPort,
                          InetAddress dst, int dstPort, String state, String reason) {
    public static final String SEND_RESET = "tcp_send_reset";
    public static final String RETRANSMIT_SYNACK = "tcp_retransmit_synack";
    public static final String KFREE_SKB = "kfree_skb";
    /** kfree_skb's drop reason for a handshake ACK dropped because the accept queue was full. */
    public static final String LISTEN_OVERFLOW = "TCP_LISTEN_OVERFLOW";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    /**
     * Whether this event is about the connection between {@code a:aPort} and {@code b:bPort},
     * in either direction (a reset or SYN-ACK goes from either end to the other).
     */
    public boolean between(InetAddress a, int aPort, InetAddress b, int bPort) {
        return (a.equals(src) && aPort == srcPort && b.equals(dst) && bPort == dstPort)
                || (b.equals(src) && bPort == srcPort && a.equals(dst) && aPort == dstPort);
    }

    /** Whether {@code address} is this event's source or destination. */
    public boolean involves(InetAddress address) {
        return address.equals(src) || address.equals(dst);
    }

    /**
     * One line for people, kernel text escaped, e.g. {@code 10:01:02.123456 tcp_send_reset
     * 10.0.0.5:8080 → 10.0.0.9:40001 state TCP_CLOSE reason TCP_ABORT_ON_CLOSE}.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(TIME.format(Instant.ofEpochSecond(0, tsNanos)))
                .append(' ').append(event);
        if (src != null || dst != null) {
            sb.append(' ').append(endpoint(src, srcPort)).append(" → ")
                    .append(endpoint(dst, dstPort));
        }
        if (state != null) {
            sb.append(" state ").append(Printable.escape(state));
        }
        if (reason != null) {
            sb.append(" reason ").append(Printable.escape(reason));
        }
        return sb.toString();
    }

    private static String endpoint(InetAddress address, int port) {
        if (address == null) {
            return "?";
        }
        String ip = address.getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }
}
