package io.synscope.lab;

import io.synscope.diagnose.Confidence;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;
import io.synscope.lab.LabMode.Side;
import io.synscope.lab.Truth.FrameKind;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
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
 *     then, for a connection through the lab's lossy relay that connected and read its full
 *     reply, and only when the relay's log shows a handshake packet of it dropped, 18–21,
 *     whose verdict depends on the capture's side (the relay drops after the sender's tap):
 * 18  the relay dropped a SYN-ACK                server: ok ok;  client: syn-dropped recovered,
 *                                                at most medium unless the client sent ≥ 3 SYNs
 * 19  the relay dropped the client's SYN         server: ok ok;  client: as rule 18
 * 20  the relay dropped the client's handshake ACK and the server spoke first (the client read
 *     before it wrote)                           server: ok ok;  client: ack-ignored recovered,
 *                                                medium, with an alternative saying the
 *                                                handshake ACK was lost
 * 21  the relay dropped the client's handshake ACK and the client spoke first (its request
 *     carried the ACK)                           ok ok, both sides
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
 * loses nothing). A connection through the relay none of whose handshake packets was dropped
 * goes by rules 5–17 whatever data was lost: loss repaired by retransmission is no failure.
 *
 * <p>Rules 18–20 also say how sure synscope may be: the client's capture of a lost SYN-ACK or
 * a lost handshake ACK is the ladder of a listener in trouble (a SYN-ACK resent after the
 * ACK, a SYN resent), and loss is the likelier reading on a real network; only three or more
 * SYNs make a dropped SYN plain on the wire.
 */
public final class TruthRules {
    /** The veth RTT is far below 1 ms and the first SYN retransmission comes after 1 s. */
    static final double SYN_RETRANSMITTED_MS = 900;

    private TruthRules() {
    }

    /**
     * The expected verdict and outcome of one connection, and the rule that decided it.
     *
     * @param confidences      the confidences synscope may give it
     * @param alternativeWords words that one of synscope's alternatives must contain (any
     *                         case), or empty
     */
    public record Expectation(Verdict verdict, Outcome outcome, int rule,
                              Set<Confidence> confidences, List<String> alternativeWords) {
        public Expectation {
            confidences = Set.copyOf(confidences);
            alternativeWords = List.copyOf(alternativeWords);
        }

        /** Any confidence, no alternative asked for. */
        public Expectation(Verdict verdict, Outcome outcome, int rule) {
            this(verdict, outcome, rule, ANY_CONFIDENCE, List.of());
        }

        /** Whether what synscope said of the connection is what this expects. */
        public boolean admits(Comparison.Said said) {
            return said.verdict() == verdict && said.outcome() == outcome
                    && confidences.contains(said.confidence())
                    && (alternativeWords.isEmpty() || said.alternatives().stream()
                    .anyMatch(reason -> containsAll(reason, alternativeWords)));
        }

        /** Whether it says more than verdict and outcome. */
        public boolean constrained() {
            return !confidences.equals(ANY_CONFIDENCE) || !alternativeWords.isEmpty();
        }

        private static boolean containsAll(String reason, List<String> words) {
            String r = reason.toLowerCase(Locale.ROOT);
            return words.stream().allMatch(w -> r.contains(w.toLowerCase(Locale.ROOT)));
        }
    }

    static final Set<Confidence> ANY_CONFIDENCE = EnumSet.allOf(Confidence.class);
    static final Set<Confidence> AT_MOST_MEDIUM = EnumSet.of(Confidence.MEDIUM, Confidence.LOW);
    /** Three SYNs: the first retransmission could be a lost SYN-ACK, the second hardly. */
    static final int SYNS_PLAIN_ON_THE_WIRE = 3;
    /** What an alternative of rule 20 must say: the handshake ACK was lost on the way. */
    static final List<String> LOST_ACK_WORDS = List.of("handshake", "ACK", "lost");

    /**
     * What the run as a whole contributes.
     *
     * @param abortOnOverflow the server namespace's {@code tcp_abort_on_overflow}
     * @param nstat           the server namespace's counter deltas over the run
     * @param forgottenPorts  client ports of connections the driver made the server forget
     * @param unreadCloses    how many connections the server closed with bytes unread
     * @param relayed         the lossy relay's log by client address; empty without a relay
     */
    public record RunFacts(int abortOnOverflow, Map<String, Long> nstat, Set<Integer> forgottenPorts,
                           int unreadCloses, Map<HostPort, Truth.Relayed> relayed) {
        long counter(String name) {
            return nstat.getOrDefault(name, 0L);
        }
    }

    /** Rule 1. */
    static Expectation spoofed() {
        return new Expectation(Verdict.SYNACK_UNANSWERED, Outcome.FAILED, 1);
    }

    /**
     * Rules 2–21 for a connection the client made.
     *
     * @param s    the server's truth for the same connection, or null if it never accepted it
     * @param side where the capture was made
     */
    static Expectation classify(Truth.Client c, Truth.Server s, RunFacts run, Side side) {
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
        Truth.Relayed path = run.relayed().get(c.client());
        if (path != null && complete) {
            Expectation lost = handshakeLoss(c, path, side);
            if (lost != null) {
                return lost;
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

    /** Rules 18–21, or null when the relay dropped no handshake packet of the connection. */
    private static Expectation handshakeLoss(Truth.Client c, Truth.Relayed path, Side side) {
        boolean client = side == Side.CLIENT;
        Set<Confidence> synDropped = path.syns() >= SYNS_PLAIN_ON_THE_WIRE ? ANY_CONFIDENCE
                : AT_MOST_MEDIUM;
        if (path.dropped(FrameKind.SYN_ACK)) {
            return client ? new Expectation(Verdict.SYN_DROPPED, Outcome.RECOVERED, 18, synDropped,
                    List.of()) : of(Verdict.OK, Outcome.OK, 18);
        }
        if (path.dropped(FrameKind.SYN)) {
            return client ? new Expectation(Verdict.SYN_DROPPED, Outcome.RECOVERED, 19, synDropped,
                    List.of()) : of(Verdict.OK, Outcome.OK, 19);
        }
        if (path.dropped(FrameKind.HANDSHAKE_ACK) && serverSpokeFirst(c)) {
            return client ? new Expectation(Verdict.ACK_IGNORED, Outcome.RECOVERED, 20,
                    EnumSet.of(Confidence.MEDIUM), LOST_ACK_WORDS) : of(Verdict.OK, Outcome.OK, 20);
        }
        if (path.dropped(FrameKind.HANDSHAKE_ACK)) {
            return of(Verdict.OK, Outcome.OK, 21);
        }
        return null;
    }

    /** The client read the server's first bytes before it wrote anything. */
    static boolean serverSpokeFirst(Truth.Client c) {
        Double first = c.read().firstByteMs();
        return first != null && (c.writes().isEmpty() || first < c.writes().get(0).ms());
    }

    /** The kernel abandoned the connection: a read or write threw {@code Connection timed out}. */
    private static boolean abandoned(String readException) {
        return readException != null && readException.contains("Connection timed out");
    }

    private static Expectation of(Verdict v, Outcome o, int rule) {
        return new Expectation(v, o, rule);
    }
}
