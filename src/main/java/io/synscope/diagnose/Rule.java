package io.synscope.diagnose;

import java.util.Locale;

/**
 * The pattern that decided a verdict: one constant per rule of {@link Classifier}, each with the
 * verdict it gives, the explanation a report prints for it and the docs section that describes
 * it. The {@link #key()} strings are a public contract (JSON {@code rule}, docs/verdicts.md "Rule
 * ids"): never rename them.
 */
public enum Rule {
    CLOSED_IN_ORDER(Verdict.OK),
    OPEN_AT_END(Verdict.OK),
    /** Data still being retransmitted on the sender's backoff when the capture ends. */
    RETRANSMITTING_AT_END(Verdict.OK),
    SYN_ANSWERED_BY_RST(Verdict.REFUSED),
    SYN_RETRANSMITTED(Verdict.SYN_DROPPED),
    SYN_UNANSWERED_ONCE(Verdict.SYN_DROPPED),
    /** SYNs resent while the listener's queues had room and the kernel counted no drop. */
    SYN_DROPPED_BEFORE_LISTENER(Verdict.SYN_DROPPED, new Explanation(
            "the SYNs were lost before they reached the listener: its queues had room and the"
                    + " kernel counted no listen drop (ListenDrops, TCPReqQFullDrop did not move)"
                    + " — the network, a firewall or conntrack dropped them",
            "look at the path, not the server's backlog: firewall and conntrack drops"
                    + " (nft list ruleset, conntrack -S), interface drops (ip -s link), the"
                    + " client's route")),
    SYNACK_RETRANSMITTED(Verdict.SYNACK_UNANSWERED),
    SYNACK_UNANSWERED_ONCE(Verdict.SYNACK_UNANSWERED),
    SYNACK_RESENT_AFTER_ACK(Verdict.ACK_IGNORED),
    DATA_NEVER_ACKED(Verdict.ACK_IGNORED, new Explanation(
            "the accept queue was full when the handshake's ACK arrived for a SYN-cookie"
                    + " connection (dropped even with tcp_abort_on_overflow=1), or the server"
                    + " went away right after the handshake",
            Explanation.of(Verdict.ACK_IGNORED).remedy())),
    STATELESS_RST_AFTER_ACK(Verdict.OVERFLOW_RESET),
    DATA_AFTER_CLOSE(Verdict.RST_UNREAD_DATA, new Explanation(
            "one side had closed its socket and the other kept writing: the kernel answers"
                    + " data on a closed socket with RST (the writer sees 'Connection reset by"
                    + " peer' or a broken pipe)",
            "the writer must stop on the peer's FIN (read returns -1 / EOF) — or the closing"
                    + " side must not close while a request may still be in flight")),
    ACTIVE_RST_AFTER_UNANSWERED_DATA(Verdict.RST_UNREAD_DATA),
    ACTIVE_RST_NOTHING_UNREAD(Verdict.RST_LINGER0),
    /** The kernel's reset reason TCP_ABORT_ON_CLOSE: closed with unread data, said by itself. */
    KERNEL_ABORT_ON_CLOSE(Verdict.RST_UNREAD_DATA),
    /**
     * The kernel's reset reason TCP_STATE on an established connection: tcp_disconnect, which
     * close() with SO_LINGER 0 calls (so does connect(AF_UNSPEC)).
     */
    KERNEL_ABORT_BY_DISCONNECT(Verdict.RST_LINGER0),
    STATELESS_RST(Verdict.HALF_OPEN_RESET),
    CLIENT_RESET_IN_HANDSHAKE(Verdict.RESET),
    SERVER_RESET_IN_HANDSHAKE(Verdict.RESET),
    /**
     * The kernel reset a connection still waiting in the accept queue of a listener that closed:
     * tcp_disconnect's TCP_STATE, with the listener gone from the next sample.
     */
    KERNEL_LISTENER_CLOSED(Verdict.RESET, new Explanation(
            "the listening socket closed (the service stopped or restarted) while this"
                    + " connection still waited in its accept queue, never accepted: the kernel"
                    + " reset it, and the client's request was never read",
            "drain before stopping: take the instance out of the load balancer, stop accepting"
                    + " only after the queue is empty (or shut down with a grace period), then"
                    + " close the listener; SO_REUSEPORT lets a new process listen first")),
    RETRANSMITTED_UNACKED(Verdict.STALLED),
    SYN_AT_CAPTURE_END(Verdict.INCOMPLETE),
    SYNACK_AT_CAPTURE_END(Verdict.INCOMPLETE),
    ONE_DIRECTION_ONLY(Verdict.INCOMPLETE),
    MID_STREAM(Verdict.INCOMPLETE);

    private final String key;
    private final Verdict verdict;
    private final Explanation explanation;

    Rule(Verdict verdict) {
        this(verdict, Explanation.of(verdict));
    }

    Rule(Verdict verdict, Explanation explanation) {
        this.key = name().toLowerCase(Locale.ROOT).replace('_', '-');
        this.verdict = verdict;
        this.explanation = explanation;
    }

    /** The public id, e.g. {@code syn-retransmitted}. */
    public String key() {
        return key;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** Cause and remedy, one line each: the rule's own, or its verdict's. */
    public Explanation explanation() {
        return explanation;
    }

    /** The section of docs/verdicts.md that describes this rule: its verdict's. */
    public String docsAnchor() {
        return "docs/verdicts.md#" + verdict.key();
    }
}
