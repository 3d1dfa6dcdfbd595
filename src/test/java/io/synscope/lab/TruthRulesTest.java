package io.synscope.lab;

import io.synscope.diagnose.Confidence;
import io.synscope.diagnose.Outcome;
import io.synscope.diagnose.Verdict;
import io.synscope.lab.Truth.ClientClose;
import io.synscope.lab.Truth.ConnectResult;
import io.synscope.diagnose.HostPort;
import io.synscope.lab.Truth.ServerClose;
import io.synscope.lab.TruthRules.Expectation;
import io.synscope.lab.TruthRules.RunFacts;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The truth → verdict table (TruthRules' doc comment, sample-pcaps/README.md), one crafted
 * truth record per row and for the boundaries between rows. Expected values are the table's.
 */
class TruthRulesTest {
    private static final HostPort CLIENT = new HostPort("10.77.0.1", 40001);
    private static final HostPort SERVER = new HostPort("10.77.0.2", 8080);
    private static final RunFacts QUIET = new RunFacts(0, Map.of(), Set.of(), 0, Map.of());

    // ---- crafted truth: a clean exchange, and the ways it can go otherwise -------------------

    private static Truth.Client client(Truth.Connect connect, List<Truth.Write> writes,
                                       Truth.Read read, List<TcpInfo> tcpInfo, ClientClose close) {
        long written = writes.stream().filter(w -> w.exception() == null).mapToLong(Truth.Write::bytes).sum();
        return new Truth.Client("c1", "client", CLIENT, SERVER, 1_000_000, connect, written, writes,
                read, tcpInfo, close, List.of());
    }

    private static Truth.Connect connected(double ms) {
        return new Truth.Connect(ConnectResult.OK, ms, null);
    }

    private static final List<Truth.Write> REQUEST = List.of(new Truth.Write(2, 10, false, "REQ c1 16", null));
    private static final Truth.Read FULL_REPLY = new Truth.Read(16, 16, 3.0, 3.0, false, null, null, null, false);
    private static final Truth.Read RESET = new Truth.Read(16, 0, null, null, false, null,
            "java.net.SocketException: Connection reset", 30.0, false);

    private static Truth.Client clean() {
        return client(connected(1), REQUEST, FULL_REPLY, List.of(), ClientClose.NORMAL);
    }

    private static Truth.Client failedConnect(ConnectResult r, String exception) {
        return client(new Truth.Connect(r, 7100, exception), List.of(),
                new Truth.Read(0, 0, null, null, false, null, null, null, false), List.of(), ClientClose.NONE);
    }

    private static TcpInfo info(long unacked, long bytesSent, long bytesAcked) {
        return new TcpInfo("no-reply-after-1000ms", 1050, null, 1, unacked, 1, 3, 0, 408000,
                bytesSent, bytesAcked, 0);
    }

    private static Truth.Server server(long requestBytes, ServerClose close, int unread) {
        return new Truth.Server(false, CLIENT, SERVER, 1_000_500, "REQ c1 16", requestBytes, 16, 0,
                true, unread, close, null, List.of());
    }

    private static RunFacts facts(int abortOnOverflow, Map<String, Long> nstat) {
        return new RunFacts(abortOnOverflow, nstat, Set.of(), 0, Map.of());
    }

    /** The rules for a capture on the server's side (rules 1–17 are the same on both). */
    private static Expectation classify(Truth.Client c, Truth.Server s, RunFacts run) {
        return TruthRules.classify(c, s, run, LabMode.Side.SERVER);
    }

    private static void assertRule(int rule, Verdict v, Outcome o, Expectation got) {
        assertEquals(new Expectation(v, o, rule), got);
    }

    // ---- rows 1–17 -----------------------------------------------------------------------

    @Test
    void rule1SpoofedSyn() {
        assertRule(1, Verdict.SYNACK_UNANSWERED, Outcome.FAILED, TruthRules.spoofed());
    }

    @Test
    void rules2to4FailedConnect() {
        assertRule(2, Verdict.REFUSED, Outcome.FAILED, classify(failedConnect(
                ConnectResult.REFUSED, "java.net.ConnectException: Connection refused"), null, QUIET));
        assertRule(3, Verdict.SYN_DROPPED, Outcome.FAILED, classify(failedConnect(
                ConnectResult.TIMEOUT, "java.net.ConnectException: Connection timed out"), null, QUIET));
        assertRule(4, Verdict.INCOMPLETE, Outcome.UNKNOWN, classify(failedConnect(
                ConnectResult.ERROR, "java.net.NoRouteToHostException: No route to host"), null, QUIET));
        assertRule(4, Verdict.INCOMPLETE, Outcome.UNKNOWN, classify(failedConnect(
                ConnectResult.GAVE_UP, null), null, QUIET));
    }

    @Test
    void rule5SlowConnectMeansARetransmittedSyn() {
        Truth.Client late = client(connected(1030), REQUEST, FULL_REPLY, List.of(), ClientClose.NORMAL);
        assertRule(5, Verdict.SYN_DROPPED, Outcome.RECOVERED, classify(late, server(10, ServerClose.FIN, 0), QUIET));
        Truth.Client lateNoReply = client(connected(1030), REQUEST, RESET, List.of(), ClientClose.NORMAL);
        assertRule(5, Verdict.SYN_DROPPED, Outcome.FAILED, classify(lateNoReply, null, QUIET));
        Truth.Client justBelow = client(connected(899), REQUEST, FULL_REPLY, List.of(), ClientClose.NORMAL);
        assertRule(14, Verdict.OK, Outcome.OK, classify(justBelow, server(10, ServerClose.FIN, 0), QUIET));
    }

    @Test
    void rule6RequestNeverAcknowledgedWhileTheAcceptQueueOverflowed() {
        Map<String, Long> overflowed = Map.of("TcpExtListenOverflows", 20L);
        Truth.Client recovered = client(connected(1), REQUEST, FULL_REPLY, List.of(info(1, 40, 1)), ClientClose.NORMAL);
        assertRule(6, Verdict.ACK_IGNORED, Outcome.RECOVERED,
                classify(recovered, server(10, ServerClose.FIN, 0), facts(0, overflowed)));
        Truth.Client failed = client(connected(1), REQUEST, RESET, List.of(info(1, 40, 1)), ClientClose.NORMAL);
        assertRule(6, Verdict.ACK_IGNORED, Outcome.FAILED, classify(failed, null, facts(0, overflowed)));
        // The request was acknowledged (bytes_acked counts the SYN: 11 = SYN + 10 bytes).
        Truth.Client acked = client(connected(1), REQUEST, FULL_REPLY, List.of(info(0, 10, 11)), ClientClose.NORMAL);
        assertRule(14, Verdict.OK, Outcome.OK, classify(acked, server(10, ServerClose.FIN, 0), facts(0, overflowed)));
        // No overflow counted: not the accept queue.
        assertRule(14, Verdict.OK, Outcome.OK, classify(recovered, server(10, ServerClose.FIN, 0), QUIET));
    }

    @Test
    void rule6WithAbortOnOverflowOnlyForCookieConnections() {
        Truth.Client recovered = client(connected(1), REQUEST, FULL_REPLY, List.of(info(1, 40, 1)), ClientClose.NORMAL);
        RunFacts abortNoCookies = facts(1, Map.of("TcpExtListenOverflows", 3L));
        assertRule(14, Verdict.OK, Outcome.OK,
                classify(recovered, server(10, ServerClose.FIN, 0), abortNoCookies));
        RunFacts abortWithCookies = facts(1, Map.of("TcpExtListenOverflows", 12L, "TcpExtSyncookiesSent", 3L));
        assertRule(6, Verdict.ACK_IGNORED, Outcome.RECOVERED,
                classify(recovered, server(10, ServerClose.FIN, 0), abortWithCookies));
    }

    @Test
    void rule7UnreadDataOnlyWhenTheCounterSawEveryClose() {
        Truth.Client eof = client(connected(1), REQUEST,
                new Truth.Read(16, 0, null, null, true, 60.0, null, null, false), List.of(), ClientClose.NORMAL);
        Truth.Server unread = server(0, ServerClose.UNREAD, 10);
        assertRule(7, Verdict.RST_UNREAD_DATA, Outcome.FAILED, classify(eof, unread,
                new RunFacts(0, Map.of("TcpExtTCPAbortOnClose", 2L), Set.of(), 2, Map.of())));
        assertRule(17, Verdict.INCOMPLETE, Outcome.UNKNOWN, classify(eof, unread,
                new RunFacts(0, Map.of("TcpExtTCPAbortOnClose", 1L), Set.of(), 2, Map.of())));
    }

    @Test
    void rules8and9AbortiveCloseLosesNothingAfterACompleteExchange() {
        Truth.Client reset = client(connected(1), REQUEST, new Truth.Read(16, 16, 3.0, 3.0, false, null,
                "java.net.SocketException: Connection reset", 110.0, false), List.of(), ClientClose.NORMAL);
        assertRule(8, Verdict.RST_LINGER0, Outcome.OK, classify(reset, server(10, ServerClose.LINGER0, 0), QUIET));
        assertRule(8, Verdict.RST_LINGER0, Outcome.FAILED, classify(reset, server(4, ServerClose.LINGER0, 0), QUIET));
        Truth.Client linger = client(connected(1), REQUEST, FULL_REPLY, List.of(), ClientClose.LINGER0);
        assertRule(9, Verdict.RST_LINGER0, Outcome.OK, classify(linger, server(10, ServerClose.FIN, 0), QUIET));
        Truth.Client lingerEarly = client(connected(1), REQUEST,
                new Truth.Read(16, 4, 3.0, null, false, null, null, null, false), List.of(), ClientClose.LINGER0);
        assertRule(9, Verdict.RST_LINGER0, Outcome.FAILED, classify(lingerEarly, server(10, ServerClose.FIN, 0), QUIET));
    }

    @Test
    void rules10to13ResetsByWhatHappenedAround() {
        Truth.Client reset = client(connected(1), REQUEST, RESET, List.of(), ClientClose.NORMAL);
        RunFacts overflowAbort = facts(1, Map.of("TcpExtListenOverflows", 3L));
        assertRule(10, Verdict.OVERFLOW_RESET, Outcome.FAILED, classify(reset, null, overflowAbort));
        // Accepted by the server: its reset is not the overflow's.
        assertRule(13, Verdict.RESET, Outcome.FAILED,
                classify(reset, server(10, ServerClose.FIN, 0), overflowAbort));
        RunFacts forgotten = new RunFacts(0, Map.of(), Set.of(40001), 0, Map.of());
        assertRule(11, Verdict.HALF_OPEN_RESET, Outcome.FAILED,
                classify(reset, server(10, ServerClose.NONE, 0), forgotten));
        Truth.Client wroteAfterEof = client(connected(1), List.of(REQUEST.get(0),
                        new Truth.Write(60, 7, true, "MORE 1", null),
                        new Truth.Write(260, 7, true, "MORE 2", "java.io.IOException: Broken pipe")),
                new Truth.Read(16, 16, 3.0, 3.0, true, 5.0, null, null, false), List.of(), ClientClose.NORMAL);
        assertRule(12, Verdict.RST_UNREAD_DATA, Outcome.FAILED,
                classify(wroteAfterEof, server(10, ServerClose.FIN, 0), QUIET));
        assertRule(13, Verdict.RESET, Outcome.FAILED, classify(reset, null, QUIET));
    }

    @Test
    void rules14to17TheRest() {
        assertRule(14, Verdict.OK, Outcome.OK, classify(clean(), server(10, ServerClose.FIN, 0), QUIET));
        Truth.Read timedOut = new Truth.Read(16, 0, null, null, false, null, null, null, true);
        Truth.Client stalled = client(connected(1), REQUEST, timedOut,
                List.of(new TcpInfo("read-timeout", 5000, null, 1, 1, 1, 5, 5, 6_400_000, 60, 1, 0)),
                ClientClose.NORMAL);
        assertRule(15, Verdict.STALLED, Outcome.FAILED, classify(stalled, null, QUIET));
        Truth.Client silent = client(connected(1), REQUEST, timedOut, List.of(info(0, 10, 11)), ClientClose.NORMAL);
        assertRule(17, Verdict.INCOMPLETE, Outcome.UNKNOWN, classify(silent, null, QUIET));
    }

    /** The stalled mode's truth: a second request, then the kernel's user timeout. */
    private static Truth.Client abandoned(TcpInfo snapshot) {
        Truth.Read abandoned = new Truth.Read(32, 16, 3.0, null, false, null,
                "java.net.SocketException: Connection timed out", 5020.0, false);
        return client(connected(1), List.of(REQUEST.get(0), new Truth.Write(10, 10, false, "REQ c1 16", null)),
                abandoned, List.of(snapshot), ClientClose.NORMAL);
    }

    @Test
    void rule16AbandonedByTheKernelWithDataUnacknowledged() {
        // 4 retransmissions of the 10 B request; the first request and the SYN were acknowledged.
        TcpInfo retrying = new TcpInfo("no-reply-after-4000ms", 4010, null, 1, 1, 4, 4, 4, 3_200_000, 20, 11, 16);
        assertRule(16, Verdict.STALLED, Outcome.FAILED,
                classify(abandoned(retrying), server(10, ServerClose.NONE, 0), QUIET));
    }

    @Test
    void timedOutWithNothingUnacknowledgedIsNotAStall() {
        // ETIMEDOUT from unanswered keepalives: every byte had been acknowledged.
        TcpInfo idle = new TcpInfo("no-reply-after-4000ms", 4010, null, 1, 0, 0, 0, 0, 200_000, 10, 11, 16);
        assertRule(17, Verdict.INCOMPLETE, Outcome.UNKNOWN,
                classify(abandoned(idle), server(10, ServerClose.NONE, 0), QUIET));
    }

    // ---- rules 18–21: a handshake packet the lossy relay dropped, per capture side ----------

    private static RunFacts relayed(int syns, int synAcks, Truth.FrameKind... dropped) {
        List<Truth.Dropped> drops = new java.util.ArrayList<>();
        for (Truth.FrameKind k : dropped) {
            boolean fromServer = k == Truth.FrameKind.SYN_ACK;
            drops.add(new Truth.Dropped(1_000_100, fromServer ? Truth.Direction.SERVER_TO_CLIENT
                    : Truth.Direction.CLIENT_TO_SERVER, k, fromServer ? "S." : k == Truth.FrameKind.SYN
                    ? "S" : ".", 1, 0, Truth.DropReason.RANDOM));
        }
        return new RunFacts(0, Map.of(), Set.of(), 0,
                Map.of(CLIENT, new Truth.Relayed(CLIENT, SERVER, syns, synAcks, drops)));
    }

    private static Expectation onSide(Truth.Client c, RunFacts run, LabMode.Side side) {
        return TruthRules.classify(c, server(10, ServerClose.FIN, 0), run, side);
    }

    /** Connected after the SYN retransmission, a full reply: what the relay modes' clients see. */
    private static final Truth.Client SLOW_CONNECT = client(connected(1030), REQUEST, FULL_REPLY,
            List.of(), ClientClose.NORMAL);

    /** Read a 32 B banner at 1030 ms, then wrote its request: the server spoke first. */
    private static final Truth.Client BANNER_FIRST = client(connected(31),
            List.of(new Truth.Write(1031, 10, false, "REQ c1 48", null)),
            new Truth.Read(80, 80, 1030.0, 1090.0, false, null, null, null, false), List.of(),
            ClientClose.NORMAL);

    @Test
    void rule18LostSynAckIsOkFromTheServerAndAtMostMediumSynDroppedFromTheClient() {
        RunFacts run = relayed(2, 2, Truth.FrameKind.SYN_ACK);
        assertRule(18, Verdict.OK, Outcome.OK, onSide(SLOW_CONNECT, run, LabMode.Side.SERVER));
        Expectation client = onSide(SLOW_CONNECT, run, LabMode.Side.CLIENT);
        assertEquals(new Expectation(Verdict.SYN_DROPPED, Outcome.RECOVERED, 18,
                Set.of(Confidence.MEDIUM, Confidence.LOW), List.of()), client);
        assertTrue(client.admits(said(Verdict.SYN_DROPPED, Confidence.MEDIUM)));
        assertFalse(client.admits(said(Verdict.SYN_DROPPED, Confidence.HIGH)));
        // The SYN-ACK that crossed the client's ACK is no evidence of an ignored ACK.
        assertFalse(client.admits(said(Verdict.ACK_IGNORED, Confidence.MEDIUM)));
        // Lost SYNs as well as the SYN-ACK: the SYN-ACK's rule, the client sent 3 SYNs.
        Expectation threeSyns = onSide(SLOW_CONNECT, relayed(3, 2, Truth.FrameKind.SYN,
                Truth.FrameKind.SYN_ACK), LabMode.Side.CLIENT);
        assertEquals(18, threeSyns.rule());
        assertTrue(threeSyns.admits(said(Verdict.SYN_DROPPED, Confidence.HIGH)));
    }

    @Test
    void rule19LostSynIsOkFromTheServerAndSynDroppedFromTheClient() {
        RunFacts two = relayed(2, 1, Truth.FrameKind.SYN);
        assertRule(19, Verdict.OK, Outcome.OK, onSide(SLOW_CONNECT, two, LabMode.Side.SERVER));
        Expectation client = onSide(SLOW_CONNECT, two, LabMode.Side.CLIENT);
        assertEquals(19, client.rule());
        assertFalse(client.admits(said(Verdict.SYN_DROPPED, Confidence.HIGH)));
        Expectation three = onSide(SLOW_CONNECT, relayed(3, 1, Truth.FrameKind.SYN,
                Truth.FrameKind.SYN), LabMode.Side.CLIENT);
        assertTrue(three.admits(said(Verdict.SYN_DROPPED, Confidence.HIGH)),
                "three SYNs are plain on the wire");
    }

    @Test
    void rule20LostHandshakeAckToAServerThatSpeaksFirst() {
        RunFacts run = relayed(1, 2, Truth.FrameKind.HANDSHAKE_ACK);
        assertRule(20, Verdict.OK, Outcome.OK, onSide(BANNER_FIRST, run, LabMode.Side.SERVER));
        Expectation client = onSide(BANNER_FIRST, run, LabMode.Side.CLIENT);
        assertEquals(Set.of(Confidence.MEDIUM), client.confidences());
        Comparison.Said withAlternative = new Comparison.Said(Verdict.ACK_IGNORED,
                Outcome.RECOVERED, Confidence.MEDIUM,
                List.of("the handshake ACK was lost on the way (isolated, repaired by a resend)"));
        assertTrue(client.admits(withAlternative));
        assertFalse(client.admits(said(Verdict.ACK_IGNORED, Confidence.MEDIUM)),
                "the alternative is part of the truth");
        assertFalse(client.admits(new Comparison.Said(Verdict.ACK_IGNORED, Outcome.RECOVERED,
                Confidence.HIGH, withAlternative.alternatives())), "never high");
        assertFalse(client.admits(new Comparison.Said(Verdict.ACK_IGNORED, Outcome.RECOVERED,
                Confidence.LOW, withAlternative.alternatives())), "medium exactly");
    }

    @Test
    void rule21LostHandshakeAckRepairedByTheRequestIsOkBothSides() {
        RunFacts run = relayed(1, 1, Truth.FrameKind.HANDSHAKE_ACK);
        assertRule(21, Verdict.OK, Outcome.OK, onSide(clean(), run, LabMode.Side.SERVER));
        assertRule(21, Verdict.OK, Outcome.OK, onSide(clean(), run, LabMode.Side.CLIENT));
    }

    @Test
    void lossOutsideTheHandshakeOrAnIncompleteReplyGoesByTheOtherRules() {
        RunFacts dataLost = relayed(1, 1, Truth.FrameKind.DATA, Truth.FrameKind.ACK);
        assertRule(14, Verdict.OK, Outcome.OK, onSide(clean(), dataLost, LabMode.Side.CLIENT));
        Truth.Client slowAndReset = client(connected(1030), REQUEST, RESET, List.of(),
                ClientClose.NORMAL);
        assertRule(5, Verdict.SYN_DROPPED, Outcome.FAILED, onSide(slowAndReset,
                relayed(2, 1, Truth.FrameKind.SYN), LabMode.Side.SERVER));
    }

    private static Comparison.Said said(Verdict v, Confidence c) {
        return new Comparison.Said(v, Outcome.RECOVERED, c, List.of());
    }

    @Test
    void rowsAreInStartOrderWithSpoofedSynsFirstWhenTheyCameFirst() {
        // Listed late first: only sorting by start time puts each where it belongs.
        Truth.Spoofed late = new Truth.Spoofed(new HostPort("10.77.0.102", 50002), SERVER, 1_000_000, 2_000_000);
        Truth.Spoofed early = new Truth.Spoofed(new HostPort("10.77.0.101", 50001), SERVER, 1_000_000, 500_000);
        List<Expected.Row> rows = Expected.rows(List.of(clean()), List.of(server(10, ServerClose.FIN, 0)),
                List.of(late, early), QUIET, LabMode.Side.SERVER);
        assertEquals(3, rows.size());
        assertEquals(50001, rows.get(0).client().port());
        assertEquals(1, rows.get(0).expectation().rule());
        assertEquals(14, rows.get(1).expectation().rule());
        assertEquals("reply", rows.get(1).saw());
        assertEquals(50002, rows.get(2).client().port(), "the spoofed SYN sent after the client");
    }
}
