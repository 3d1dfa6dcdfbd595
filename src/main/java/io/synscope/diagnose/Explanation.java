package io.synscope.diagnose;

import java.util.Map;

/**
 * The likely cause of a verdict and what to do about it, one line each. Kept short: the docs
 * (docs/verdicts.md) hold the long version, with how to confirm it on the server. Each
 * {@link Rule} carries the one that applies.
 */
public record Explanation(String cause, String remedy) {

    private static final Map<Verdict, Explanation> BY_VERDICT = Map.ofEntries(
            Map.entry(Verdict.OK, new Explanation("", "")),
            Map.entry(Verdict.REFUSED, new Explanation(
                    "nothing listens on this port (service down or restarting), or a firewall"
                            + " REJECT rule answers with RST",
                    "check the service is up and bound to this address (ss -lnt);"
                            + " check iptables/nft REJECT rules")),
            Map.entry(Verdict.SYN_DROPPED, new Explanation(
                    "the listener's SYN queue or accept queue was full (the kernel drops SYNs"
                            + " silently), or a firewall/the network dropped them",
                    "on the server: nstat -az TcpExtListenOverflows TcpExtListenDrops"
                            + " TcpExtTCPReqQFullDrop; raise the listen backlog and"
                            + " net.core.somaxconn, accept faster; keep tcp_syncookies=1")),
            Map.entry(Verdict.SYNACK_UNANSWERED, new Explanation(
                    "the client never completed the handshake: spoofed SYN flood, port scanner,"
                            + " or a client that vanished or cannot receive the SYN-ACK",
                    "if many: a SYN flood — keep net.ipv4.tcp_syncookies=1 (the SYN queue is"
                            + " bounded by the listen backlog); otherwise check the return path"
                            + " to the client")),
            Map.entry(Verdict.ACK_IGNORED, new Explanation(
                    "the accept queue was full (the application accepts too slowly for its"
                            + " backlog) and tcp_abort_on_overflow=0: the kernel dropped the"
                            + " handshake's final ACK while the client believed it was connected",
                    "accept faster (more acceptor threads, shorter work in the accept loop);"
                            + " raise the backlog (Java ServerSocket default 50, Tomcat acceptCount"
                            + " 100, nginx backlog 511) and net.core.somaxconn; check ss -lnt"
                            + " Recv-Q against Send-Q")),
            Map.entry(Verdict.OVERFLOW_RESET, new Explanation(
                    "the accept queue was full and tcp_abort_on_overflow=1: the kernel answered"
                            + " the handshake's ACK with a RST",
                    "accept faster and raise the listen backlog and net.core.somaxconn; with"
                            + " tcp_abort_on_overflow=0 such bursts would be retried instead")),
            Map.entry(Verdict.RST_UNREAD_DATA, new Explanation(
                    "a socket was closed with received data still unread (the kernel sends RST,"
                            + " not FIN), or data arrived after it was closed",
                    "read the request fully (or shutdown(SHUT_WR) and drain) before close();"
                            + " the peer must not write after the other side closed")),
            Map.entry(Verdict.RST_LINGER0, new Explanation(
                    "the application aborted the connection (SO_LINGER with timeout 0, or"
                            + " an explicit abort) instead of closing it",
                    "use a normal close(); SO_LINGER 0 discards unsent data and resets the peer")),
            Map.entry(Verdict.HALF_OPEN_RESET, new Explanation(
                    "the resetting host no longer had this connection: restarted process or"
                            + " host, expired state, or a middlebox (NAT, firewall, load balancer)"
                            + " that timed it out",
                    "compare idle times with NAT/firewall/LB timeouts; enable TCP keepalive or"
                            + " application pings shorter than them; check for restarts")),
            Map.entry(Verdict.RESET, new Explanation(
                    "a reset that matches no known kernel pattern",
                    "look at the evidence packets and the application logs at that time")),
            Map.entry(Verdict.STALLED, new Explanation(
                    "data was sent again and again without an acknowledgement: the peer or the"
                            + " path went away (crash, cable, firewall state, MTU black hole)",
                    "check the peer host and the path; try a smaller MTU if large segments"
                            + " vanish; enable keepalive / TCP_USER_TIMEOUT to fail fast")),
            Map.entry(Verdict.INCOMPLETE, new Explanation(
                    "the capture holds too little of this connection to judge it",
                    "capture longer, on both directions, starting before the connection")));

    /** The cause and remedy of {@code v} in general; a {@link Rule} may say more. */
    public static Explanation of(Verdict v) {
        return BY_VERDICT.get(v);
    }
}
