package io.synscope.diagnose;

import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One scenario per verdict rule, written as the kernel behaves (docs/verdicts.md). The
 * expected verdict is the failure the scenario was built to show.
 */
class ClassifierTest {

    private static Conversation conv() {
        return new Conversation("10.0.0.1", 40000, "10.0.0.2", 8080);
    }

    /** SYN, SYN-ACK, ACK, request, reply, FIN both ways. */
    private static Conversation cleanExchange(Conversation c) {
        return c.client("S").at(0.001).server("SA").client("A")
                .at(0.002).client("PA", 100).at(0.003).server("A").server("PA", 500)
                .at(0.004).client("A").client("FA").at(0.005).server("FA").client("A");
    }

    private static void assertVerdict(ConnectionResult r, Verdict v, Outcome o) {
        assertEquals(v, r.verdict(), () -> "diagnosis " + r.diagnosis());
        assertEquals(o, r.outcome(), () -> "diagnosis " + r.diagnosis());
    }

    private static void assertNote(ConnectionResult r, String part) {
        assertTrue(r.diagnosis().notes().stream().anyMatch(n -> n.contains(part)),
                () -> "no note with '" + part + "': " + r.diagnosis().notes());
    }

    @Test
    void cleanConnectionIsOk() {
        ConnectionResult r = cleanExchange(conv()).single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertEquals("closed-in-order", r.diagnosis().rule().key());
        assertEquals(100, r.fromClient().payloadBytes());
        assertEquals(500, r.fromServer().payloadBytes());
        assertEquals("ShADadFf", r.history());
        assertTrue(r.ladder().isEmpty(), "healthy connections keep no ladder");
    }

    @Test
    void ordinaryRetransmissionIsStillOk() {
        Conversation c = conv().client("S").at(0.001).server("SA").client("A")
                .client("PA", 100).at(0.21).clientRetransmits(100, 100)
                .at(0.22).server("A").server("PA", 50).client("A");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertEquals("open-at-end", r.diagnosis().rule().key());
        assertEquals(1, r.fromClient().retransmissions());
        assertEquals(100, r.fromClient().payloadBytes(), "retransmitted bytes count once");
    }

    @Test
    void synAnsweredByRstIsRefused() {
        ConnectionResult r = conv().client("S").at(0.0001).server("RA").single();
        assertVerdict(r, Verdict.REFUSED, Outcome.FAILED);
        assertEquals(Side.SERVER, r.diagnosis().resetBy());
        assertEquals(List.of(1L, 2L), r.diagnosis().evidence().stream().map(Evidence::frame).toList());
    }

    @Test
    void synRetriedWithoutAnswerIsDropped() {
        ConnectionResult r = conv().client("S").at(1).clientSynAgain().at(2).clientSynAgain()
                .at(3).clientSynAgain().at(8).single();
        assertVerdict(r, Verdict.SYN_DROPPED, Outcome.FAILED);
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
        assertEquals(1, r.diagnosis().evidence().get(0).frame());
        assertEquals(2, r.diagnosis().evidence().get(1).frame());
    }

    @Test
    void synDroppedThenAnsweredRecoversWithTheDelay() {
        Conversation c = conv().client("S").at(1).clientSynAgain().at(1.0005).server("SA")
                .client("A").client("PA", 10).at(1.001).server("PA", 10).client("A");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.SYN_DROPPED, Outcome.RECOVERED);
        assertEquals(1_000_500_000L, r.diagnosis().recoveryDelayNanos());
    }

    @Test
    void synDropIsTheVerdictAndALaterResetComesAlso() {
        Conversation c = conv().client("S").at(1).clientSynAgain().at(1.001).server("SA")
                .client("A").client("PA", 10);
        c.at(1.0011).serverStatelessRst(c.serverSeq(1));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.SYN_DROPPED, Outcome.FAILED);
        assertEquals(Side.SERVER, r.diagnosis().resetBy());
        assertEquals(1, r.diagnosis().also().size());
        Failure later = r.diagnosis().also().get(0);
        assertEquals(Verdict.OVERFLOW_RESET, later.verdict());
        assertEquals(Rule.STATELESS_RST_AFTER_ACK, later.rule());
        assertEquals(Conversation.EPOCH_NANOS + 1_001_100_000L, later.atNanos());
        assertFalse(later.evidence().isEmpty());
    }

    @Test
    void ackIgnoredThenAResetOnceItWorkedComesAlso() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 100).at(0.2).clientRetransmits(100, 100)
                .at(1.0).serverSynAckAgain().client("A")
                .at(1.6).clientRetransmits(100, 100).at(1.6001).server("A")
                .server("PA", 20).client("A").at(2).client("PA", 30);
        c.at(2.0001).send("server", "RA", 0, c.serverSeq(21));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.ACK_IGNORED, Outcome.FAILED);
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
        assertEquals(List.of(Verdict.RST_UNREAD_DATA),
                r.diagnosis().also().stream().map(Failure::verdict).toList());
        assertEquals(Side.SERVER, r.diagnosis().resetBy());
    }

    @Test
    void loneSynAtTheCaptureEndIsIncomplete() {
        ConnectionResult r = conv().client("S").single();
        assertVerdict(r, Verdict.INCOMPLETE, Outcome.UNKNOWN);
    }

    @Test
    void loneSynFollowedByLongCaptureIsALowConfidenceDrop() {
        List<ConnectionResult> rs = conv().client("S").at(10).otherClientSyn(40001).analyze();
        assertEquals(2, rs.size());
        assertVerdict(rs.get(0), Verdict.SYN_DROPPED, Outcome.FAILED);
        assertEquals(Confidence.LOW, rs.get(0).diagnosis().confidence());
        assertVerdict(rs.get(1), Verdict.INCOMPLETE, Outcome.UNKNOWN);
    }

    @Test
    void synAckRetransmittedWithoutAckIsUnanswered() {
        ConnectionResult r = conv().client("S").server("SA").at(1).serverSynAckAgain()
                .at(3).serverSynAckAgain().single();
        assertVerdict(r, Verdict.SYNACK_UNANSWERED, Outcome.FAILED);
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
    }

    @Test
    void synAckResentAfterTheClientsAckIsAckIgnored() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 100).at(0.2).clientRetransmits(100, 100)
                .at(1.0).serverSynAckAgain().client("A")
                .at(1.2).clientRetransmits(100, 100).at(3.0).serverSynAckAgain().client("A");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.ACK_IGNORED, Outcome.FAILED);
        assertEquals("synack-resent-after-ack", r.diagnosis().rule().key());
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
        assertNull(r.diagnosis().resetBy());
    }

    @Test
    void ackIgnoredThenAcceptedRecovers() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 100).at(1.0).serverSynAckAgain().client("A")
                .at(1.6).clientRetransmits(100, 100).at(1.6001).server("A")
                .server("PA", 20).client("A");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.ACK_IGNORED, Outcome.RECOVERED);
        assertEquals(1_600_000_000L, r.diagnosis().recoveryDelayNanos());
    }

    @Test
    void cookieVariantShowsOnlyDataRetransmissions() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 100).at(0.2).clientRetransmits(100, 100)
                .at(0.6).clientRetransmits(100, 100).at(1.4).clientRetransmits(100, 100)
                .at(3.0).clientRetransmits(100, 100);
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.ACK_IGNORED, Outcome.FAILED);
        assertEquals("data-never-acked", r.diagnosis().rule().key());
        assertEquals(Confidence.MEDIUM, r.diagnosis().confidence());
        assertFalse(r.diagnosis().alternatives().isEmpty());
    }

    @Test
    void statelessRstRightAfterTheHandshakeIsOverflowReset() {
        Conversation c = conv().client("S").at(0.0001).server("SA").at(0.0002).client("A")
                .client("PA", 100);
        c.at(0.00021).serverStatelessRst(c.serverSeq(1)).serverStatelessRst(c.serverSeq(1));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.OVERFLOW_RESET, Outcome.FAILED);
        assertEquals(Side.SERVER, r.diagnosis().resetBy());
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
    }

    @Test
    void activeRstAfterUnansweredRequestIsUnreadData() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 9).at(0.0002).server("A").at(0.5).server("RA");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.RST_UNREAD_DATA, Outcome.FAILED);
        assertEquals(Side.SERVER, r.diagnosis().resetBy());
        assertEquals(Verdict.RST_LINGER0, r.diagnosis().alternatives().get(0).verdict());
    }

    @Test
    void dataAfterCloseIsAnsweredByStatelessRst() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("A").server("PA", 10).server("FA")
                .at(0.001).client("A").at(0.1).client("PA", 10);
        c.at(0.1001).serverStatelessRst(c.serverSeq(12));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.RST_UNREAD_DATA, Outcome.FAILED);
        assertEquals("data-after-close", r.diagnosis().rule().key());
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
    }

    @Test
    void serverAbortAfterReplyIsLinger0() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("A").server("PA", 10).at(0.001).client("A")
                .server("RA");
        ConnectionResult r = c.single();
        // The client had acknowledged the whole reply: the exchange itself worked.
        assertVerdict(r, Verdict.RST_LINGER0, Outcome.OK);
        assertEquals(Confidence.HIGH, r.diagnosis().confidence());
        assertTrue(r.diagnosis().alternatives().isEmpty(), "unread data is impossible here");
    }

    @Test
    void abortBeforeTheReplyWasAcknowledgedFails() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("A").server("PA", 10).server("RA");
        assertVerdict(c.single(), Verdict.RST_LINGER0, Outcome.FAILED);
    }

    @Test
    void clientAbortAfterItsReplyIsLinger0WithTheAlternative() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("A").server("PA", 10).at(0.001).client("RA");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.RST_LINGER0, Outcome.OK);
        assertEquals(Side.CLIENT, r.diagnosis().resetBy());
        assertEquals(Verdict.RST_UNREAD_DATA, r.diagnosis().alternatives().get(0).verdict());
    }

    @Test
    void statelessRstMidConnectionIsHalfOpen() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("A").server("PA", 10).client("A")
                .at(60).client("PA", 10);
        c.at(60.0001).serverStatelessRst(c.serverSeq(11));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.HALF_OPEN_RESET, Outcome.FAILED);
        assertEquals(Side.SERVER, r.diagnosis().resetBy());
    }

    @Test
    void unacknowledgedRetransmissionsToTheEndAreStalled() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("A").server("PA", 1000).client("A")
                .server("PA", 1000).at(0.3).serverRetransmits(1000, 1000)
                .at(0.9).serverRetransmits(1000, 1000).at(2.1).serverRetransmits(1000, 1000)
                .at(4.5).serverRetransmits(1000, 1000).at(60);
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.STALLED, Outcome.FAILED);
    }

    @Test
    void midStreamConnectionIsIncompleteWithInferredRoles() {
        // Capture starts after the handshake: the server's port is the low one.
        Conversation c = new Conversation("10.0.0.2", 443, "10.0.0.1", 51000)
                .client("PA", 100).server("A");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.INCOMPLETE, Outcome.UNKNOWN);
        assertEquals(443, r.server().port(), "the well-known port is the server");
        assertEquals("10.0.0.2", r.server().ip());
    }

    @Test
    void clientOnlyCaptureIsNotMistakenForADroppedSyn() {
        Conversation c = conv().client("S");
        // The client acknowledges a SYN-ACK the capture does not hold.
        c.at(0.001).clientAckingUnseen(0x70000001).client("PA", 10).at(5).client("FA");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.INCOMPLETE, Outcome.UNKNOWN);
        assertEquals("one-direction-only", r.diagnosis().rule().key());
    }

    @Test
    void newSynWithAnotherIsnStartsANewConnection() {
        Conversation c = cleanExchange(conv()).at(5).clientSynAgainWithNewIsn().at(5.001)
                .server("SA").client("A");
        List<ConnectionResult> rs = c.analyze();
        assertEquals(2, rs.size());
        assertVerdict(rs.get(0), Verdict.OK, Outcome.OK);
        assertVerdict(rs.get(1), Verdict.OK, Outcome.OK);
    }

    @Test
    void sequenceNumbersWrapAround() {
        Conversation c = new Conversation("10.0.0.1", 40000, 0xFFFF_FF00, "10.0.0.2", 80,
                0xFFFF_FFF0);
        c.client("S").server("SA").client("A");
        for (int i = 0; i < 10; i++) {
            c.client("PA", 100).server("A");
        }
        c.server("PA", 300).client("A").client("FA").server("FA").client("A");
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertEquals(1000, r.fromClient().payloadBytes());
        assertEquals(0, r.fromClient().retransmissions());
        assertEquals(0, r.fromServer().retransmissions());
    }

    @Test
    void ipv6ConnectionsAreTracked() {
        ConnectionResult r = cleanExchange(new Conversation("fd77::1", 40000, "fd77::2", 80))
                .single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertEquals("fd77::2", r.server().ip());
        assertEquals(6, r.ipVersion());
    }

    @Test
    void everyPacketCapturedTwiceGivesTheSameVerdicts() {
        // tcpdump -i any on a host with a bridge or veth sees each packet twice, microseconds apart.
        Conversation once = cleanExchange(conv());
        Conversation twice = conv().doubled(once);
        ConnectionResult r = twice.single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertEquals(0, r.fromClient().retransmissions());
        assertEquals(once.single().fromClient().packets(), r.fromClient().packets());
    }

    @Test
    void missingHandshakeAckStillCountsAsEstablished() {
        // A capture that lost the bare ACK: the client's data acknowledges the SYN-ACK anyway.
        Conversation c = conv().client("S").at(0.001).server("SA").at(0.002).client("PA", 10)
                .server("A").server("PA", 10).client("A").client("FA").server("FA").client("A");
        assertVerdict(c.single(), Verdict.OK, Outcome.OK);
    }

    @Test
    void resetAfterBothFinsIsAnOrderlyClose() {
        // TLS close_notify crossing the peer's FIN: both applications had closed (Zeek: SF).
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("PA", 10).client("A").server("FA").client("A")
                .client("PA", 31).client("FA");
        c.at(0.2).serverStatelessRst(c.serverSeq(12));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertNote(r, "both sides had sent FIN");
    }

    @Test
    void finRetransmittedToAGonePeerIsNotAStall() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("PA", 10).client("A").server("FA").client("A")
                .client("FA");
        for (int i = 1; i <= 5; i++) {
            c.at(i * 20.0).send("client", "FA", 0, c.clientSeq(11));
        }
        assertVerdict(c.single(), Verdict.OK, Outcome.OK);
    }

    @Test
    void dataUnacknowledgedAfterThePeerClosedIsNotAStall() {
        Conversation c = conv().client("S").at(0.0001).server("SA").client("A")
                .client("PA", 10).server("PA", 10).client("A").client("FA").at(0.01)
                .server("PA", 31);
        for (int i = 1; i <= 4; i++) {
            c.at(i * 0.5).serverRetransmits(31, 31);
        }
        c.at(60);
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.OK, Outcome.OK);
        assertNote(r, "never acknowledged");
    }

    @Test
    void clientResettingTheSynAckIsAResetByTheClient() {
        // A SYN scan: SYN, SYN-ACK, and the scanner's RST instead of the ACK.
        Conversation c = conv().client("S").at(0.0001).server("SA");
        c.at(0.0002).clientStatelessRst(c.clientSeq(1));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.RESET, Outcome.FAILED);
        assertEquals("client-reset-in-handshake", r.diagnosis().rule().key());
        assertEquals(Side.CLIENT, r.diagnosis().resetBy());
    }

    @Test
    void serverResettingItsOwnHandshakeIsAResetByTheServer() {
        Conversation c = conv().client("S").at(0.0001).server("SA");
        c.at(0.5).serverStatelessRst(c.serverSeq(1));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.RESET, Outcome.FAILED);
        assertEquals("server-reset-in-handshake", r.diagnosis().rule().key());
    }

    @Test
    void synAckSentOnceAndNeverAnsweredIsACookieLikeUnanswered() {
        ConnectionResult r = conv().client("S").at(0.0001).server("SA").at(5)
                .otherClientSyn(40001).analyze().get(0);
        assertVerdict(r, Verdict.SYNACK_UNANSWERED, Outcome.FAILED);
        assertEquals("synack-unanswered-once", r.diagnosis().rule().key());
        assertEquals(Confidence.MEDIUM, r.diagnosis().confidence());
    }

    @Test
    void synAckRightAtTheCaptureEndIsIncomplete() {
        ConnectionResult r = conv().client("S").at(0.0001).server("SA").single();
        assertVerdict(r, Verdict.INCOMPLETE, Outcome.UNKNOWN);
        assertEquals("synack-at-capture-end", r.diagnosis().rule().key());
    }

    @Test
    void resetSeenMidStreamIsNamedWithLowerConfidence() {
        // Capture starts mid-connection; the server answers data with a stateless RST.
        Conversation c = new Conversation("10.0.0.1", 51000, "10.0.0.2", 443)
                .client("PA", 100).server("A").at(30).client("PA", 100);
        c.at(30.0001).serverStatelessRst(c.serverSeq(0));
        ConnectionResult r = c.single();
        assertVerdict(r, Verdict.HALF_OPEN_RESET, Outcome.FAILED);
        assertEquals(Confidence.MEDIUM, r.diagnosis().confidence(), "one step below high");
        assertNote(r, "no handshake");
    }
}
