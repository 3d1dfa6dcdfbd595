package io.synscope.flow;

import static io.synscope.decode.TcpSegment.ACK;
import static io.synscope.decode.TcpSegment.FIN;
import static io.synscope.decode.TcpSegment.RST;
import static io.synscope.decode.TcpSegment.SYN;

/**
 * Where one side of a connection stands, by what it has sent: Zeek's TCP endpoint states
 * (analyzer/protocol/tcp, {@code TCP_ENDPOINT_*}), updated by {@link FlowTracker} at each of the
 * side's segments and at the handshake's ACK. A state never goes back: a side that reset stays
 * {@link #RESET}, one that sent its FIN stays {@link #CLOSED} unless it resets.
 */
public enum TcpState {
    /** Sent nothing yet. */
    INACTIVE,
    /** Sent a SYN (no ACK flag) and the handshake has not completed. */
    SYN_SENT,
    /** Sent a SYN-ACK and the handshake has not completed. */
    SYN_ACK_SENT,
    /** Sent segments but no SYN of its own was seen: the capture began mid-connection. */
    PARTIAL,
    /**
     * The handshake completed (the client acknowledged the server's SYN-ACK), or this side, after
     * its SYN, sent a segment without SYN: it acts as established, whether or not the capture
     * holds the peer's half of the handshake.
     */
    ESTABLISHED,
    /** Sent a FIN. */
    CLOSED,
    /** Sent a RST. */
    RESET;

    /**
     * The state after this side sent a segment with TCP flags {@code flags}; {@code
     * handshakeDone}: the client's ACK of the SYN-ACK has been seen (at or before it).
     */
    TcpState afterSending(int flags, boolean handshakeDone) {
        if ((flags & RST) != 0) {
            return RESET;
        }
        if (this == RESET) {
            return RESET;
        }
        if ((flags & FIN) != 0 || this == CLOSED) {
            return CLOSED;
        }
        if ((flags & SYN) != 0) {
            if (handshakeDone) {
                return this == INACTIVE ? PARTIAL : this;
            }
            return (flags & ACK) != 0 ? SYN_ACK_SENT : SYN_SENT;
        }
        return switch (this) {
            case INACTIVE -> handshakeDone ? ESTABLISHED : PARTIAL;
            case SYN_SENT, SYN_ACK_SENT -> ESTABLISHED;
            default -> this;
        };
    }

    /** True while everything this side sent was a SYN or a SYN-ACK (nothing at all included). */
    boolean handshaking() {
        return this == INACTIVE || this == SYN_SENT || this == SYN_ACK_SENT;
    }

    /** The state once the handshake's ACK has been seen, for a side that was in this one. */
    TcpState atHandshakeAck() {
        return this == SYN_SENT || this == SYN_ACK_SENT ? ESTABLISHED : this;
    }
}
