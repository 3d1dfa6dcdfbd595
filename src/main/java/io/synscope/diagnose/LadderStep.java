package io.synscope.diagnose;

/**
 * One packet of a connection's ladder diagram.
 *
 * @param relSeq sequence number relative to the sender's ISN (modulo 2^32, as Wireshark shows)
 * @param relAck acknowledgement relative to the receiver's ISN; -1 when the ACK flag is off or
 *               the receiver's sequence space is unknown
 */
public record LadderStep(long frame, long tsNanos, boolean fromClient, int flags, long relSeq,
                         long relAck, int payloadLength, int window, boolean retransmission) {
}
