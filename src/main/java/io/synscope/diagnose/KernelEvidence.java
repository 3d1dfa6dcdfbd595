package io.synscope.diagnose;

/**
 * One thing the kernel recorded that bears on a connection's verdict: a traced event (a reset
 * and its reason), or what its listen queue and counters showed at the time.
 *
 * @param event   where it came from: a tracepoint ({@code tcp_send_reset}), a listen-queue
 *                sample ({@code sock_diag}) or a counter ({@code ListenOverflows})
 * @param reason  the kernel's own name for why (a reset reason), or null
 * @param tsNanos when, on the packets' clock
 * @param note    what it shows, one line
 */
public record KernelEvidence(String event, String reason, long tsNanos, String note) {
}
