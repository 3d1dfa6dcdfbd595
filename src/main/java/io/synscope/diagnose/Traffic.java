package io.synscope.diagnose;

/** What one side sent: packets, distinct payload bytes, retransmitted segments. */
public record Traffic(long packets, long payloadBytes, long retransmissions) {
}
