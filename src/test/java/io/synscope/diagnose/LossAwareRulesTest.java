package io.synscope.diagnose;

import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What packet loss looks like, as docs/verdicts.md ("What packet loss looks like") describes
 * it, measured through a lossy relay, and what it must not be called: a
 * listen queue's failure. Each scenario is the packet sequence seen next to the client unless
 * said otherwise; times are those of a 30 ms path.
 */
class LossAwareRulesTest {
    private static Conversation conv() {
        return new Conversation("10.0.0.1", 40000, "10.0.0.2", 8080);
    }

    private static void assertVerdict(ConnectionResult r, Verdict v, Outcome o, Confidence c) {
        String d = "diagnosis " + r.diagnosis();
        assertEquals(v, r.verdict(), d);
        assertEquals(o, r.outcome(), d);
        assertEquals(c, r.diagnosis().confidence(), d);
    }

    @Test
    void synAckThatCrossedTheAckIsNoEvidence() {
        // The first SYN-ACK was lost: the client resends its SYN at 1 s, the server its SYN-ACK;
        // the client gets one, ACKs, and the other arrives right behind.
        ConnectionResult r = conv().timestamps().client("S").at(1).clientSynAgain()
                .at(1.030).serverSynAckAgain().client("A")
                .at(1.032).serverSynAckAgainEchoingTheSyn()
                .at(1.040).client("PA", 50).at(1.070).server("PA", 200).client("A")
                .at(1.1).client("FA").at(1.13).server("FA").client("A").single();
        assertVerdict(r, Verdict.SYN_DROPPED, Outcome.RECOVERED, Confidence.MEDIUM);
        assertTrue(r.diagnosis().also().isEmpty(), "no ack-ignored after it: " + r.diagnosis());
        assertTrue(r.diagnosis().notes().stream().anyMatch(n -> n.contains("crossed in flight")),
                r.diagnosis().notes().toString());
    }

    @Test
    void synAckResentOnTheServersTimerAfterTheAckIsEvidenceWhateverItEchoes() {
        // A second after the ACK, on the SYN-ACK timer: the server had the ACK and refused it,
        // though the SYN-ACK echoes the SYN's TSval (Linux 6.18 does not take the ACK's).
        ConnectionResult r = conv().timestamps().client("S").at(0.030).server("SA").client("A")
                .at(0.031).client("PA", 100).at(0.25).clientRetransmits(100, 100)
                .at(1.030).serverSynAckAgainEchoingTheSyn().client("A").single();
        assertVerdict(r, Verdict.ACK_IGNORED, Outcome.FAILED, Confidence.HIGH);
    }

    @Test
    void synAckArrivingRightBehindAnotherWithoutTimestampsIsNoEvidence() {
        ConnectionResult r = conv().client("S").at(1).clientSynAgain()
                .at(1.030).serverSynAckAgain().client("A").at(1.034).serverSynAckAgain()
                .at(1.040).client("PA", 50).at(1.070).server("PA", 200).client("A")
                .single();
        assertVerdict(r, Verdict.SYN_DROPPED, Outcome.RECOVERED, Confidence.MEDIUM);
    }

    @Test
    void lostHandshakeAckToAServerThatSpeaksFirstIsAtMostMedium() {
        // SMTP-like: the client waits for the greeting; its ACK is lost, the server's SYN-ACK
        // timer fires at 1 s, the client ACKs again and the greeting follows. Packet for packet
        // what a full accept queue gives, for a single connection.
        ConnectionResult r = conv().timestamps().client("S").at(0.030).server("SA").client("A")
                .at(1.030).serverSynAckAgain().at(1.060).client("A")
                .at(1.061).server("PA", 40).client("A").single();
        assertVerdict(r, Verdict.ACK_IGNORED, Outcome.RECOVERED, Confidence.MEDIUM);
        assertTrue(r.diagnosis().alternatives().stream()
                        .anyMatch(a -> a.reason().contains("handshake ACK lost")),
                r.diagnosis().alternatives().toString());
    }

    /** An exchange, then a request retransmitted at 0.28, 0.68 and 1.48 s, never acknowledged. */
    private static Conversation requestRetransmittedUntil1480ms() {
        return conv().client("S").at(0.030).server("SA").client("A")
                .client("PA", 100).at(0.060).server("A").server("PA", 10).client("A")
                .client("PA", 100).at(0.28).clientRetransmits(100, 100)
                .at(0.68).clientRetransmits(100, 100).at(1.48).clientRetransmits(100, 100);
    }

    @Test
    void dataStillRetransmittedOnItsBackoffAtTheEndIsOpenNotStalled() {
        // The next retransmission is due at about 3.1 s: at 2.0 s the sender is still trying.
        ConnectionResult r = requestRetransmittedUntil1480ms().at(2.0).single();
        assertVerdict(r, Verdict.OK, Outcome.UNKNOWN, Confidence.LOW);
        assertEquals(Rule.RETRANSMITTING_AT_END, r.diagnosis().rule());
    }

    @Test
    void retransmissionsThatStoppedLongBeforeTheEndAreStalled() {
        ConnectionResult r = requestRetransmittedUntil1480ms().at(10).single();
        assertVerdict(r, Verdict.STALLED, Outcome.FAILED, Confidence.MEDIUM);
    }

    @Test
    void synAckUnansweredForSecondsOnAFastPathIsUnanswered() {
        // Next to the server: the SYN-ACK left 20 µs after the SYN; 3 s of silence is a hundred
        // thousand round trips and three of the kernel's retransmission timeouts.
        ConnectionResult r = conv().client("S").at(0.00002).server("SA").at(3)
                .otherClientSyn(40001).analyze().get(0);
        assertEquals(Verdict.SYNACK_UNANSWERED, r.verdict(), r.diagnosis().toString());
    }

    @Test
    void onlyTheServersDirectionIsOneDirectionNotOk() {
        Conversation c = conv();
        ConnectionResult r = c.send("server", "SA", 0, c.serverSeq(0)).at(0.1)
                .send("server", "PA", 300, c.serverSeq(1)).at(0.2)
                .send("server", "FA", 0, c.serverSeq(301)).single();
        assertVerdict(r, Verdict.INCOMPLETE, Outcome.UNKNOWN, Confidence.LOW);
        assertEquals(Rule.ONE_DIRECTION_ONLY, r.diagnosis().rule());
    }

    @Test
    void retransmissionsEndedByAResetAreAStallThenTheReset() {
        // The request goes unacknowledged four times; then the client gives up and aborts.
        Conversation c = requestRetransmittedUntil1480ms().at(3.08).clientRetransmits(100, 100);
        ConnectionResult r = c.at(5).send("client", "RA", 0, c.clientSeq(211)).single();
        assertVerdict(r, Verdict.STALLED, Outcome.FAILED, Confidence.MEDIUM);
        assertEquals(1, r.diagnosis().also().size(), r.diagnosis().toString());
        assertEquals(Side.CLIENT, r.diagnosis().resetBy());
        assertTrue(r.diagnosis().also().get(0).atNanos() > Conversation.EPOCH_NANOS + 3_000_000_000L);
    }
}
