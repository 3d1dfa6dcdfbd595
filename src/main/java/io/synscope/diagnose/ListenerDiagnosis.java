package io.synscope.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one listener's verdicts together. A single dropped SYN cannot say which queue dropped it;
 * the same listener also ignoring or resetting handshake ACKs at the same time says the accept
 * queue was full (docs/verdicts.md, "Per-listener findings").
 */
final class ListenerDiagnosis {

    private ListenerDiagnosis() {
    }

    static List<Summary.ListenerFinding> findings(List<Summary.ServerSummary> servers,
                                                  ClassifierConfig config) {
        List<Summary.ListenerFinding> out = new ArrayList<>();
        for (Summary.ServerSummary s : servers) {
            Summary.ListenerFinding f = finding(s, config);
            if (f != null) {
                out.add(f);
            }
        }
        return List.copyOf(out);
    }

    private static Summary.ListenerFinding finding(Summary.ServerSummary s,
                                                   ClassifierConfig config) {
        Map<Verdict, Long> v = s.byVerdict();
        long dropped = v.getOrDefault(Verdict.SYN_DROPPED, 0L);
        // A client of a full accept queue often has its SYNs dropped first and its ACK ignored
        // after: its verdict is the drop, the ignored ACK comes later, and counts here too.
        long ignored = s.involving(Verdict.ACK_IGNORED);
        long overflowReset = s.involving(Verdict.OVERFLOW_RESET);
        long unanswered = v.getOrDefault(Verdict.SYNACK_UNANSWERED, 0L);
        long refused = v.getOrDefault(Verdict.REFUSED, 0L);
        String queueFix = "raise the listen backlog (Java ServerSocket default 50, Tomcat"
                + " acceptCount 100, nginx backlog 511) and net.core.somaxconn, and accept"
                + " faster; confirm with ss -lnt (Recv-Q reaching Send-Q) and nstat"
                + " TcpExtListenOverflows";
        if (overflowReset == 0 && ignored > 0 && ignored == s.ackIgnoredUnconfirmed()
                && ignored <= config.lossLikeMaxIgnoredAcks()) {
            // A SYN-ACK resent after a bare ACK, with no data left unanswered, on one or two
            // connections: exactly what a lost handshake ACK gives (docs/verdicts.md, "What
            // packet loss looks like"). A full accept queue leaves data unacknowledged and hits
            // many connections at once.
            return new Summary.ListenerFinding(s.server(), "handshake-ack-ignored-or-lost",
                    plural(ignored, "connection") + " whose handshake ACK the server did not take"
                            + " (its SYN-ACK came again), with no client data left unanswered:"
                            + " an ACK lost on the way looks the same; not enough to blame the"
                            + " accept queue",
                    "if it recurs, watch ss -lnt (Recv-Q reaching Send-Q) and nstat"
                            + " TcpExtListenOverflows on the server while it happens");
        }
        if (ignored + overflowReset > 0) {
            String how = overflowReset > 0 && ignored > 0
                    ? plural(overflowReset, "handshake ACK") + " reset and " + ignored + " ignored"
                    : overflowReset > 0 ? plural(overflowReset, "handshake ACK")
                      + " answered with RST (tcp_abort_on_overflow=1)"
                      : plural(ignored, "handshake ACK") + " ignored (tcp_abort_on_overflow=0)";
            return new Summary.ListenerFinding(s.server(), "accept-queue-overflow",
                    "accept queue full: " + how + (dropped > 0 ? ", and "
                            + plural(dropped, "connection") + " with SYNs dropped in the same"
                            + " capture" : ""), queueFix);
        }
        if (unanswered >= config.floodMinSynAcks()) {
            return new Summary.ListenerFinding(s.server(), "syn-flood",
                    plural(unanswered, "SYN-ACK") + " never answered: a SYN flood or a scan"
                            + (dropped > 0 ? "; " + plural(dropped, "client")
                            + " had SYNs dropped (SYN queue full)" : ""),
                    "keep net.ipv4.tcp_syncookies=1 (cookies answer when the SYN queue is"
                            + " full; the queue itself is bounded by the listen backlog); nstat"
                            + " TcpExtTCPReqQFullDrop and TcpExtSyncookiesSent confirm it");
        }
        if (dropped > 0 && s.answered() == 0) {
            return new Summary.ListenerFinding(s.server(), "no-answer",
                    plural(dropped, "connection") + " whose SYNs went unanswered, and no packet"
                            + " from the server at all: host down, firewall DROP, routing — or"
                            + " a listen queue full the whole time",
                    "check the host is reachable and the firewall; then ss -lnt on it");
        }
        if (dropped > 0 && dropped == s.failures() && dropped <= s.healthyWithLoss()) {
            // As many connections lost other packets as had a SYN resent: the path loses
            // packets, and a lost SYN (or SYN-ACK) is the likelier reading.
            return new Summary.ListenerFinding(s.server(), "lossy-path",
                    plural(dropped, "connection") + " with SYNs resent, and "
                            + plural(s.healthyWithLoss(), "connection") + " that lost other packets"
                            + " too: the path loses packets, so the SYNs were more likely lost on"
                            + " the way than dropped by a full listen queue",
                    "look at the path's loss (interface errors, mtr); on the server, nstat"
                            + " TcpExtListenDrops staying still rules the listen queue out");
        }
        if (dropped == 1 && s.failures() == 1) {
            // Listen queues overflow in bursts and drop the SYNs of many clients at once.
            return new Summary.ListenerFinding(s.server(), "lone-syn-retry",
                    "1 connection with its SYN resent, the only one at this listener (the server"
                            + " answered in " + s.answered() + " of its "
                            + plural(s.connections(), "connection") + "): a single lost SYN"
                            + " or SYN-ACK, more likely the network than a full listen queue,"
                            + " which drops many clients' SYNs at once",
                    "nothing to change for one; if it recurs, nstat TcpExtListenDrops on the"
                            + " server tells a listen queue from the network");
        }
        if (dropped > 0) {
            return new Summary.ListenerFinding(s.server(), "listen-queue-overflow",
                    plural(dropped, "connection") + " with SYNs dropped; the server answered in "
                            + s.answered() + " of its " + plural(s.connections(), "connection")
                            + ": a listen queue (SYN or accept) overflowing, not a dead host"
                            + (refused > 0 ? "; " + refused + " refused too (nothing listening"
                            + " part of the time: a restart?)" : ""),
                    queueFix);
        }
        if (refused > 0) {
            return new Summary.ListenerFinding(s.server(), "no-listener",
                    plural(refused, "connection") + " refused: nothing listening (or a REJECT"
                            + " rule)" + (s.worked() > 0 ? " part of the time — a restart?" : ""),
                    "check the service is up and bound to this address and port");
        }
        return null;
    }

    /** "1 connection", "3 connections". */
    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
