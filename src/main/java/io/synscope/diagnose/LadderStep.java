package io.synscope.diagnose;

import io.synscope.decode.TcpSegment;

/**
 * One packet of a connection's ladder diagram.
 *
 * @param relSeq sequence number relative to the sender's ISN (modulo 2^32, as Wireshark shows)
 * @param relAck acknowledgement relative to the receiver's ISN; -1 when the ACK flag is off or
 *               the receiver's sequence space is unknown
 */
public record LadderStep(long frame, long tsNanos, boolean fromClient, int flags, long relSeq,
                         long relAck, int payloadLength, int window, boolean retransmission) {
    /** tcpdump's flag notation: S, S., ., P., F., R, R., with ECE/CWR as E and W. */
    public String flagsText() {
        StringBuilder sb = new StringBuilder(6);
        if ((flags & TcpSegment.SYN) != 0) {
            sb.append('S');
        }
        if ((flags & TcpSegment.FIN) != 0) {
            sb.append('F');
        }
        if ((flags & TcpSegment.PSH) != 0) {
            sb.append('P');
        }
        if ((flags & TcpSegment.RST) != 0) {
            sb.append('R');
        }
        if ((flags & TcpSegment.URG) != 0) {
            sb.append('U');
        }
        if ((flags & TcpSegment.ECE) != 0) {
            sb.append('E');
        }
        if ((flags & TcpSegment.CWR) != 0) {
            sb.append('W');
        }
        if ((flags & TcpSegment.ACK) != 0) {
            sb.append('.');
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
