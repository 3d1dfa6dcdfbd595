package io.synscope.lab;

import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;

import java.util.Map;
import java.util.Set;

/**
 * Ground truth → expected verdict: numbered rules, the first that matches wins. The inputs are
 * what the lab's programs saw (client, server), what the driver did, and the server
 * namespace's kernel counters; synscope's own analysis is never an input. The same table, with
 * the reasons, is in sample-pcaps/README.md; the rule number goes into each connection's
 * {@code expected.json} entry.
 *
 * <pre>
 *  1  a spoofed SYN sent by the lab (no host owns its address)        synack-unanswered failed
 *  2  connect() threw "Connection refused"                            refused           failed
 *  3  connect() threw "Connection timed out" (SYN retries exhausted)  syn-dropped       failed
 *  4  connect() failed any other way                                  incomplete        unknown
 *  5  connect() took ≥ 900 ms (a SYN or SYN-ACK was retransmitted)    syn-dropped       recovered | failed
 *  6  TCP_INFO showed request bytes sent and none acknowledged,
 *     ListenOverflows grew, and tcp_abort_on_overflow=0 or SYN
 *     cookies were sent (a cookie ACK is dropped even with abort=1)   ack-ignored       recovered | failed
 *  7  the server closed it with bytes unread and AbortOnClose counted
 *     every such close (else rule 17)                                 rst-unread-data   failed
 *  8  the server closed it with SO_LINGER 0                           rst-linger0       ok | failed
 *  9  the client closed it with SO_LINGER 0                           rst-linger0       ok | failed
 * 10  the client saw a reset, the server never accepted it,
 *     tcp_abort_on_overflow=1 and ListenOverflows grew                overflow-reset    failed
 * 11  the client saw a reset after the server host forgot it          half-open-reset   failed
 * 12  the client saw a reset after writing once it had read EOF       rst-unread-data   failed
 * 13  the client saw any other reset                                  reset             failed
 * 14  the full reply was read                                         ok                ok
 * 15  the read timed out and TCP_INFO showed unacked segments         stalled           failed
 * 16  the read failed with "Connection timed out" (the kernel gave up
 *     retransmitting: TCP_USER_TIMEOUT or tcp_retries2) and a TCP_INFO
 *     snapshot before showed unacked segments and retransmissions     stalled           failed
 * 17  anything else                                                   incomplete        unknown
 * </pre>
 *
 * Outcomes: {@code recovered} when the reply came after the failure; rules 8/9 give {@code ok}
 * when every byte written was delivered (the RST of an abortive close after a complete exchange
 * loses nothing).
 */
public final class TruthRules {
    /** The veth RTT is far below 1 ms and the first SYN retransmission comes after 1 s. */
    static final double SYN_RETRANSMITTED_MS = 900;

    private TruthRules() {
    }

    /** The expected verdict and outcome of one connection, and the rule that decided it. */
    public record Expectation(Verdict verdict, Outcome outcome, int rule) {
    }

    /**
     * What the run as a whole contributes.
     *
     * @param abortOnOverflow the server namespace's {@code tcp_abort_on_overflow}
     * @param nstat           the server namespace's counter deltas over the run
     * @param forgottenPorts  client ports of connections the driver made the server forget
     * @param unreadCloses    how many connections the server closed with bytes unread
     */
    public record RunFacts(int abortOnOverflow, Map<String, Long> nstat, Set<Integer> forgottenPorts,
                           int unreadCloses) {
        long counter(String name) {
            return nstat.getOrDefault(name, 0L);
        }
    }

    /** Rule 1. */
    static Expectation spoofed() {
        return new Expectation(Verdict.SYNACK_UNANSWERED, Outcome.FAILED, 1);
    }

    /**
     * Rules 2–17 for a connection the client made.
     *
     * @param s the server's truth for the same connection, or null if it never accepted it
     */
    static Expectation classify(Truth.Client c, Truth.Server s, RunFacts run) {
        boolean complete = c.read().complete();
        boolean overflowed = run.counter("TcpExtListenOverflows") > 0;
        switch (c.connect().result()) {
            case REFUSED -> {
                return of(Verdict.REFUSED, Outcome.FAILED, 2);
            }
            case TIMEOUT -> {
                return of(Verdict.SYN_DROPPED, Outcome.FAILED, 3);
            }
            case ERROR, GAVE_UP -> {
                return of(Verdict.INCOMPLETE, Outcome.UNKNOWN, 4);
            }
            case OK -> {
                // Go on with the rules below.
            }
        }
        if (c.connect().ms() >= SYN_RETRANSMITTED_MS) {
            return of(Verdict.SYN_DROPPED, complete ? Outcome.RECOVERED : Outcome.FAILED, 5);
        }
        boolean ackDroppedSilently = run.abortOnOverflow() == 0
                || run.counter("TcpExtSyncookiesSent") > 0;
        if (c.tcpInfo().stream().anyMatch(TcpInfo::dataSentNoneAcked) && overflowed
                && ackDroppedSilently) {
            return of(Verdict.ACK_IGNORED, complete ? Outcome.RECOVERED : Outcome.FAILED, 6);
        }
        if (s != null && s.unreadBytes() > 0) {
            // Each such close sends a RST unless the peer's FIN had already retired the socket;
            // the counter says whether every one of them did.
            if (run.counter("TcpExtTCPAbortOnClose") >= run.unreadCloses()) {
                return of(Verdict.RST_UNREAD_DATA, Outcome.FAILED, 7);
            }
            return of(Verdict.INCOMPLETE, Outcome.UNKNOWN, 17);
        }
        if (s != null && s.close() == Truth.ServerClose.LINGER0) {
            boolean serverReadAll = s.requestBytes() == c.bytesWritten();
            return of(Verdict.RST_LINGER0, complete && serverReadAll ? Outcome.OK : Outcome.FAILED, 8);
        }
        if (c.close() == Truth.ClientClose.LINGER0) {
            return of(Verdict.RST_LINGER0, complete ? Outcome.OK : Outcome.FAILED, 9);
        }
        if (c.sawReset()) {
            if (s == null && run.abortOnOverflow() == 1 && overflowed) {
                return of(Verdict.OVERFLOW_RESET, Outcome.FAILED, 10);
            }
            if (run.forgottenPorts().contains(c.client().port())) {
                return of(Verdict.HALF_OPEN_RESET, Outcome.FAILED, 11);
            }
            if (c.writes().stream().anyMatch(Truth.Write::afterEof)) {
                return of(Verdict.RST_UNREAD_DATA, Outcome.FAILED, 12);
            }
            return of(Verdict.RESET, Outcome.FAILED, 13);
        }
        if (complete) {
            return of(Verdict.OK, Outcome.OK, 14);
        }
        if (c.read().timedOut() && c.tcpInfo().stream().anyMatch(t -> t.unacked() > 0)) {
            return of(Verdict.STALLED, Outcome.FAILED, 15);
        }
        // ETIMEDOUT on an established connection: unacknowledged data (user timeout, retries2)
        // or unanswered keepalives; only the snapshot's unacked data makes it a stall.
        if (abandoned(c.read().exception())
                && c.tcpInfo().stream().anyMatch(t -> t.unacked() > 0 && t.totalRetrans() > 0)) {
            return of(Verdict.STALLED, Outcome.FAILED, 16);
        }
        return of(Verdict.INCOMPLETE, Outcome.UNKNOWN, 17);
    }

    /** The kernel abandoned the connection: a read or write threw {@code Connection timed out}. */
    private static boolean abandoned(String readException) {
        return readException != null && readException.contains("Connection timed out");
    }

    private static Expectation of(Verdict v, Outcome o, int rule) {
        return new Expectation(v, o, rule);
    }
}
