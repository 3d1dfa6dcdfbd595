package io.synscope.diagnose;

import io.synscope.testutil.Conversation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one listener's verdicts, taken together, are allowed to blame. The counts are built the
 * way the pipeline builds them, one connection at a time; the situations are those of
 * docs/verdicts.md's "Per-listener findings" (lossy paths as measured through a lossy relay).
 */
class ListenerFindingsTest {
    private static final long SERVER_LO = 0x0000_FFFF_0A00_0002L; // 10.0.0.2
    private final SummaryBuilder summary = new SummaryBuilder();

    private void add(Verdict v, Rule r, Confidence c, Outcome o, boolean lostPackets, int times) {
        for (int i = 0; i < times; i++) {
            summary.add(0, SERVER_LO, 8080, new Judgement(v, r, c, o, -1, 0), 1_000_000_000L * i,
                    true, lostPackets);
        }
    }

    private String finding() {
        List<Summary.ListenerFinding> findings = summary.build(ClassifierConfig.defaults()).listenerFindings();
        assertEquals(1, findings.size(), findings.toString());
        return findings.get(0).rule();
    }

    @Test
    void aLoneRetriedSynIsNotAListenQueue() {
        add(Verdict.OK, Rule.CLOSED_IN_ORDER, Confidence.HIGH, Outcome.OK, false, 4);
        add(Verdict.SYN_DROPPED, Rule.SYN_RETRANSMITTED, Confidence.MEDIUM, Outcome.RECOVERED,
                false, 1);
        assertEquals("lone-syn-retry", finding());
    }

    @Test
    void retriedSynsOnAPathThatLosesDataAreThePath() {
        add(Verdict.OK, Rule.CLOSED_IN_ORDER, Confidence.HIGH, Outcome.OK, true, 3);
        add(Verdict.SYN_DROPPED, Rule.SYN_RETRANSMITTED, Confidence.MEDIUM, Outcome.RECOVERED,
                false, 2);
        assertEquals("lossy-path", finding());
    }

    @Test
    void manyRetriedSynsWithoutOtherLossAreAListenQueue() {
        add(Verdict.OK, Rule.CLOSED_IN_ORDER, Confidence.HIGH, Outcome.OK, false, 3);
        add(Verdict.SYN_DROPPED, Rule.SYN_RETRANSMITTED, Confidence.HIGH, Outcome.RECOVERED,
                false, 5);
        assertEquals("listen-queue-overflow", finding());
    }

    @Test
    void oneIgnoredAckWithoutUnansweredDataIsNotEnoughToBlameTheAcceptQueue() {
        add(Verdict.OK, Rule.CLOSED_IN_ORDER, Confidence.HIGH, Outcome.OK, false, 3);
        add(Verdict.ACK_IGNORED, Rule.SYNACK_RESENT_AFTER_ACK, Confidence.MEDIUM,
                Outcome.RECOVERED, false, 1);
        assertEquals("handshake-ack-ignored-or-lost", finding());
    }

    @Test
    void synsDroppedThenAcksIgnoredAreTheAcceptQueueNotThePath() {
        // What a full accept queue does to its clients: their SYNs dropped first, then, once
        // in, their handshake ACK ignored and their request retransmitted. Judged by the
        // classifier itself, so the later failure is counted as the pipeline counts it.
        Judgement overflowClient = new Conversation("10.0.0.1", 40000, "10.0.0.2", 8080)
                .client("S").at(1).clientSynAgain().at(2).clientSynAgain().at(3).clientSynAgain()
                .at(3.0001).server("SA").client("A").client("PA", 100)
                .at(3.2).clientRetransmits(100, 100).at(3.6).clientRetransmits(100, 100)
                .at(4.0001).serverSynAckAgain().client("A").at(4.4).clientRetransmits(100, 100)
                .at(30).single().diagnosis().judgement();
        assertEquals(Verdict.SYN_DROPPED, overflowClient.verdict());
        assertTrue(overflowClient.later(Verdict.ACK_IGNORED), overflowClient.toString());
        for (int i = 0; i < 4; i++) {
            summary.add(0, SERVER_LO, 8080, overflowClient, 1_000_000_000L * i, true, true);
        }
        add(Verdict.OK, Rule.CLOSED_IN_ORDER, Confidence.HIGH, Outcome.OK, true, 4);
        assertEquals("accept-queue-overflow", finding());
    }

    @Test
    void aCookieConnectionsIgnoredAckIsNotCalledPossibleLoss() {
        add(Verdict.OK, Rule.CLOSED_IN_ORDER, Confidence.HIGH, Outcome.OK, false, 3);
        add(Verdict.ACK_IGNORED, Rule.DATA_NEVER_ACKED, Confidence.MEDIUM, Outcome.RECOVERED,
                false, 1);
        assertEquals("accept-queue-overflow", finding());
    }

    @Test
    void ignoredAcksWithDataLeftUnansweredAreTheAcceptQueue() {
        add(Verdict.ACK_IGNORED, Rule.SYNACK_RESENT_AFTER_ACK, Confidence.HIGH, Outcome.FAILED,
                false, 1);
        add(Verdict.ACK_IGNORED, Rule.SYNACK_RESENT_AFTER_ACK, Confidence.MEDIUM,
                Outcome.RECOVERED, false, 1);
        assertEquals("accept-queue-overflow", finding());
    }
}
