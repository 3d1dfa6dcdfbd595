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
     * {@link #afterSending} for every state, set of FIN/SYN/RST/ACK and handshake status, indexed
     * as in {@link #next}: the packet path looks the next state up instead of walking the
     * conditions, whose rare arms (a SYN after the handshake, a first RST) are first taken late
     * (docs/performance.md#j1-no-branch-on-the-packet-path-that-is-first-taken-late).
     */
    private static final TcpState[] NEXT = new TcpState[values().length << 5];

    static {
        for (TcpState state : values()) {
            for (int bits = 0; bits < 32; bits++) {
                int flags = (bits & (FIN | SYN | RST)) | ((bits & 8) != 0 ? ACK : 0);
                NEXT[state.ordinal() << 5 | bits] = state.afterSending(flags, (bits & 16) != 0);
            }
        }
    }

    /**
     * {@link #afterSending}, without a branch: {@code handshakeAckFrame} is the connection's
     * handshake ACK frame, 0 while the handshake has not completed.
     */
    static TcpState next(TcpState state, int flags, long handshakeAckFrame) {
        int handshakeDone = (int) ((handshakeAckFrame | -handshakeAckFrame) >>> 63);
        int ackBit = (flags & ACK) >>> 1;
        return NEXT[(state.ordinal() << 5) | (handshakeDone << 4) | ackBit
                | (flags & (FIN | SYN | RST))];
    }

    /**
     * The state after this side sent a segment with TCP flags {@code flags}; {@code
     * handshakeDone}: the client's ACK of the SYN-ACK has been seen (at or before it).
     */
    private TcpState afterSending(int flags, boolean handshakeDone) {
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
