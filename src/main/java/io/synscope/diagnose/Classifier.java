package io.synscope.diagnose;

import io.synscope.decode.TcpSegment;
import io.synscope.flow.Connection;
import io.synscope.flow.Decision;
import io.synscope.flow.Endpoint;
import io.synscope.flow.KernelTimers;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Names what happened to a connection: a pure function of its endpoint states and handshake
 * facts (docs/verdicts.md describes each wire pattern and each {@link Rule}), the reason it was
 * decided and the capture time at the decision. The rules run in the order of a connection's
 * life (SYN, SYN-ACK, handshake ACK, data, close). The verdict is the first failure in time;
 * later failures go into {@link Diagnosis#also()} and decide the outcome. A failure that the
 * connection got over (a dropped SYN answered later) is {@link Outcome#RECOVERED} with its
 * delay.
 */
public final class Classifier {
    private final ClassifierConfig config;

    public Classifier(ClassifierConfig config) {
        this.config = config;
    }

    /** A connection with nothing to say: most of them, so they share one result. */
    private static final Diagnosis CLEAN_CLOSE = new Diagnosis(Verdict.OK, Outcome.OK, -1, null,
            Rule.CLOSED_IN_ORDER, Confidence.HIGH, List.of(), List.of(), List.of(), List.of(),
            List.of());

    private static final Judgement CLEAN_CLOSE_JUDGEMENT = CLEAN_CLOSE.judgement();

    /**
     * Classifies {@code c} and explains it: evidence, alternatives, notes. Reads {@code c} only
     * during the call (see the tracker's reuse contract).
     */
    public Diagnosis classify(Connection c, Decision decidedBy, long nowNanos, KernelView kernel) {
        return isCleanClose(c) ? CLEAN_CLOSE
                : byRules(c, decidedBy, nowNanos, kernel, true).build();
    }

    /** {@link #classify(Connection, Decision, long, KernelView)} from the packets alone. */
    public Diagnosis classify(Connection c, Decision decidedBy, long nowNanos) {
        return classify(c, decidedBy, nowNanos, KernelView.NONE);
    }

    /**
     * What {@link #classify} would say of {@code c}, without the explanation: the same rules, but
     * no evidence, note or alternative is built. Every connection is judged (a big capture has
     * millions); only the few a report shows are explained.
     */
    public Judgement judge(Connection c, Decision decidedBy, long nowNanos, KernelView kernel) {
        return isCleanClose(c) ? CLEAN_CLOSE_JUDGEMENT
                : byRules(c, decidedBy, nowNanos, kernel, false).judgement();
    }

    /** {@link #judge(Connection, Decision, long, KernelView)} from the packets alone. */
    public Judgement judge(Connection c, Decision decidedBy, long nowNanos) {
        return judge(c, decidedBy, nowNanos, KernelView.NONE);
    }

    /**
     * The rules themselves, without the clean-close shortcut (tests check they agree), in the
     * order of a connection's life: one method from the SYN to the teardown, compiled once
     * (docs/performance.md#j4-the-classifiers-rules-one-method-compiled-once-text-built-only-when-shown).
     * With {@code explain} false the finding carries the verdict only (see {@link Finding}).
     */
    Finding byRules(Connection c, Decision decidedBy, long nowNanos, KernelView kernel,
                    boolean explain) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        Finding f;
        if (!client.synSeen() && c.synAckCount() == 0) {
            f = midStream(c, explain, kernel);
        } else if (client.packets() == 0) {
            f = serverSideOnly(c, explain);
        } else if (c.rstAnsweredSyn()) {
            f = refused(c, explain);
            KernelView.KernelReset sent = kernel.resetSent(server.addrHi(), server.addrLo(),
                    server.port(), client.addrHi(), client.addrLo(), client.port(),
                    server.rstTsNanos());
            if (sent != null) {
                f = settledByKernel(f, server, "server", sent);
            }
        } else if (c.synAckCount() == 0) {
            f = unansweredSyn(c, nowNanos, explain);
            if (f.rule == Rule.SYN_RETRANSMITTED) {
                f = synDropCause(f, c, client.lastSynTsNanos(), kernel);
            }
        } else {
            // SYN-ACK onwards.
            boolean established = c.handshakeAckFrame() != 0 || client.payloadBytes() > 0
                    || server.payloadBytes() > 0;
            if (!established) {
                f = handshakeUnfinished(c, nowNanos, explain);
            } else if (isOverflowReset(c)) {
                f = overflowReset(c, explain);
                acceptQueueEvidence(f, c, c.handshakeAckTsNanos(), server.rstTsNanos(), kernel);
            } else if (c.handshakeAckFrame() != 0 && (c.synAcksAfterHandshakeAck() > 0
                    || c.clientRetransBeforeProgress() >= config.ackIgnoredMinRetrans())) {
                f = ackIgnored(c, explain, kernel);
                acceptQueueEvidence(f, c, c.handshakeAckTsNanos(), c.serverProgressFrame() != 0
                        ? c.serverProgressTsNanos() : c.lastTsNanos(), kernel);
            } else {
                f = resetAfterBothFins(c) ? null : resetOf(c, explain, kernel);
                if (f != null) {
                    f = stallThen(c, f);
                }
            }
            if (f == null) {
                Finding ok = new Finding(explain, Outcome.OK, closedInOrder(c)
                        ? Rule.CLOSED_IN_ORDER : Rule.OPEN_AT_END, Confidence.HIGH);
                if (client.rstSeen() || server.rstSeen()) {
                    ok.note("RST after both sides had sent FIN: both applications had closed"
                            + " (typically a last write such as a TLS close_notify crossing the"
                            + " peer's FIN); harmless");
                }
                f = stalled(c, nowNanos, decidedBy, ok);
                if (f == null) {
                    if (c.handshakeAckFrame() == 0) {
                        ok.note("the handshake's ACK was not captured; data shows it completed");
                    }
                    long retrans = client.retransmissions() + server.retransmissions();
                    if (retrans > 0 && explain) {
                        ok.note(retrans + " ordinary retransmission" + (retrans == 1 ? "" : "s")
                                + ", recovered");
                    }
                    noteCrossingSynAcks(c, ok);
                    f = ok;
                }
            }
            if (client.synSeen() && c.synsBeforeSynAck() >= 2) {
                f = synDropCause(synDroppedThen(c, f), c, c.synAckTsNanos(), kernel);
            }
        }
        if (decidedBy == Decision.MEMORY_CAP && explain) {
            f.note("decided early, " + seconds(nowNanos - c.lastTsNanos()) + " after its last"
                    + " packet: synscope followed as many connections at once as its heap holds"
                    + " (SYNSCOPE_JAVA_OPTS=-Xmx4g follows more)");
        }
        return f;
    }

    /**
     * One SYN, one SYN-ACK, the handshake's ACK, no retransmission, no RST, FIN both ways: what
     * every rule below would call {@code closed-in-order} with no note, decided without them.
     */
    private static boolean isCleanClose(Connection c) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        return client.synSeen() && c.synsBeforeSynAck() == 1 && c.synAckCount() == 1
                && c.handshakeAckFrame() != 0 && client.finSeen() && server.finSeen()
                && !client.rstSeen() && !server.rstSeen() && client.retransmissions() == 0
                && server.retransmissions() == 0;
    }

    // ---- SYN ----------------------------------------------------------------------------

    private static Finding refused(Connection c, boolean explain) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        Finding f = new Finding(explain, Outcome.FAILED, Rule.SYN_ANSWERED_BY_RST,
                Confidence.HIGH);
        f.resetBy = Side.SERVER;
        if (explain) {
            f.evidence(client.synFrame(), client.synTsNanos(), "client SYN");
            f.evidence(server.rstFrame(), server.rstTsNanos(), "server RST"
                    + ((server.rstFlags() & TcpSegment.ACK) != 0 ? "+ACK" : "")
                    + " answering the SYN: nothing accepts connections on this port");
            if (client.synCount() > 1) {
                f.note("the SYN was sent " + client.synCount() + " times before the RST");
            }
        }
        return f;
    }

    private Finding unansweredSyn(Connection c, long nowNanos, boolean explain) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        if (client.ackFlagSeen() || client.payloadBytes() > 0 || server.packets() > 0) {
            // The client acknowledged something it must have received: the server's half is
            // missing from the capture, not from the wire.
            Finding f = new Finding(explain, Outcome.UNKNOWN,
                    Rule.ONE_DIRECTION_ONLY, Confidence.LOW);
            f.evidence(client.synFrame(), client.synTsNanos(), "client SYN");
            f.note(client.ackFlagSeen() || client.payloadBytes() > 0
                    ? "no SYN-ACK in the capture, yet the client went on as if it got one:"
                    + " only the client's direction was captured"
                    : "the server sent packets but neither a SYN-ACK nor a RST: the SYN-ACK is"
                    + " missing from the capture");
            return f;
        }
        if (client.synCount() >= 2) {
            Finding f = new Finding(explain, Outcome.FAILED,
                    Rule.SYN_RETRANSMITTED,
                    client.synCount() >= 3 ? Confidence.HIGH : Confidence.MEDIUM);
            if (explain) {
                addSynEvidence(f, c);
                long quietNanos = nowNanos - client.lastSynTsNanos();
                if (quietNanos < config.synRetryWindowNanos()) {
                    f.note("the capture ends " + seconds(quietNanos)
                            + " after the last SYN: the client may still have been retrying");
                }
            }
            return f;
        }
        long quietNanos = nowNanos - client.synTsNanos();
        if (quietNanos >= config.synRetryWindowNanos()) {
            Finding f = new Finding(explain, Outcome.FAILED,
                    Rule.SYN_UNANSWERED_ONCE, Confidence.LOW);
            if (explain) {
                f.evidence(client.synFrame(), client.synTsNanos(), "client SYN, never answered");
                f.note("the SYN was not retransmitted in the " + seconds(quietNanos)
                        + " that followed: a one-way capture, a scanner, or a client that gave"
                        + " up");
            }
            return f;
        }
        Finding f = new Finding(explain, Outcome.UNKNOWN, Rule.SYN_AT_CAPTURE_END,
                Confidence.LOW);
        if (explain) {
            f.evidence(client.synFrame(), client.synTsNanos(), "client SYN");
            f.note("a single SYN " + seconds(quietNanos) + " before the capture ends");
        }
        return f;
    }

    /**
     * The client had to resend its SYN before the server answered: the connection's first
     * failure, whatever came after it ({@code rest}). A later failure goes into {@code also} and
     * decides the outcome; a connection that then worked has recovered.
     */
    private static Finding synDroppedThen(Connection c, Finding rest) {
        Endpoint client = c.client();
        boolean laterFailure = rest.verdict.isFailure();
        // A later failure that lost nothing (an abortive close after the exchange) leaves the
        // connection recovered from its dropped SYNs, as a clean end does.
        Outcome outcome = laterFailure && rest.outcome != Outcome.OK ? rest.outcome
                : rest.verdict == Verdict.INCOMPLETE ? Outcome.UNKNOWN : Outcome.RECOVERED;
        Finding f = new Finding(rest.explain, outcome, Rule.SYN_RETRANSMITTED,
                c.synsBeforeSynAck() >= 3 ? Confidence.HIGH : Confidence.MEDIUM);
        f.atNanos = client.synTsNanos();
        f.resetBy = rest.resetBy;
        if (outcome == Outcome.RECOVERED) {
            // Until it worked: the SYN-ACK, or the later failure's own recovery.
            f.recoveryDelayNanos = (rest.outcome == Outcome.RECOVERED
                    ? rest.atNanos + rest.recoveryDelayNanos : c.synAckTsNanos())
                    - client.synTsNanos();
        }
        if (f.explain) {
            addSynEvidence(f, c);
            f.evidence(c.synAckFrame(), c.synAckTsNanos(), "server SYN-ACK at last");
            f.notesOf(rest);
        }
        if (laterFailure) {
            f.also(rest);
        }
        return f;
    }

    private static void addSynEvidence(Finding f, Connection c) {
        Endpoint client = c.client();
        f.evidence(client.synFrame(), client.synTsNanos(), "client SYN");
        f.evidence(client.secondSynFrame(), client.secondSynTsNanos(),
                "client SYN again, same ISN: no SYN-ACK came");
        if (client.synCount() > 2) {
            f.evidence(client.lastSynFrame(), client.lastSynTsNanos(),
                    "last of " + client.synCount() + " SYNs");
        }
    }

    // ---- SYN-ACK onwards ----------------------------------------------------------------

    private static boolean closedInOrder(Connection c) {
        return c.client().finSeen() && c.server().finSeen();
    }

    /** Both FINs were sent before the first RST: the applications had finished. */
    private static boolean resetAfterBothFins(Connection c) {
        Endpoint x = firstResetter(c);
        return x != null && closedInOrder(c) && c.client().finFrame() < x.rstFrame()
                && c.server().finFrame() < x.rstFrame();
    }

    private Finding handshakeUnfinished(Connection c, long nowNanos, boolean explain) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        if (client.rstSeen() || server.rstSeen()) {
            Endpoint r = firstResetter(c);
            boolean byClient = r == client;
            Finding f = new Finding(explain, Outcome.FAILED,
                    byClient ? Rule.CLIENT_RESET_IN_HANDSHAKE : Rule.SERVER_RESET_IN_HANDSHAKE,
                    Confidence.MEDIUM);
            f.resetBy = byClient ? Side.CLIENT : Side.SERVER;
            f.atNanos = r.rstTsNanos();
            if (explain) {
                f.evidence(client.synFrame(), client.synTsNanos(), "client SYN");
                f.evidence(c.synAckFrame(), c.synAckTsNanos(), "server SYN-ACK");
                f.evidence(r.rstFrame(), r.rstTsNanos(), (byClient ? "client" : "server")
                        + " RST instead of completing the handshake");
                if (byClient) {
                    f.note("a client that resets a SYN-ACK is typically a port scanner"
                            + " (SYN scan) or a client that had already given up");
                }
            }
            return f;
        }
        long quietNanos = nowNanos - c.lastSynAckTsNanos();
        // A live client answers a SYN-ACK within a round trip, and the server resends it after
        // its first RTO: silence past both is an unanswered SYN-ACK. The round trip is the
        // SYN to SYN-ACK delay next to the client; next to the server that delay is tiny and
        // the RTO decides.
        long unansweredAfterNanos = Math.max(KernelTimers.INITIAL_RTO_NANOS,
                config.synAckUnansweredRtts() * Math.max(0, c.synToSynAckNanos()));
        if (c.synAckCount() >= 2 || quietNanos >= unansweredAfterNanos) {
            Finding f = new Finding(explain, Outcome.FAILED,
                    c.synAckCount() >= 2 ? Rule.SYNACK_RETRANSMITTED : Rule.SYNACK_UNANSWERED_ONCE,
                    c.synAckCount() >= 2 ? Confidence.HIGH : Confidence.MEDIUM);
            f.atNanos = c.synAckTsNanos();
            if (explain) {
                f.evidence(client.synFrame(), client.synTsNanos(), "client SYN");
                f.evidence(c.synAckFrame(), c.synAckTsNanos(), "server SYN-ACK");
                if (c.synAckCount() >= 2) {
                    f.evidence(c.lastSynAckFrame(), c.lastSynAckTsNanos(), "SYN-ACK sent "
                            + c.synAckCount() + " times, never acknowledged");
                } else {
                    f.note("sent once only: typical of a SYN cookie (cookies are not resent)");
                }
            }
            return f;
        }
        Finding f = new Finding(explain, Outcome.UNKNOWN,
                Rule.SYNACK_AT_CAPTURE_END, Confidence.LOW);
        if (explain) {
            f.evidence(c.synAckFrame(), c.synAckTsNanos(), "server SYN-ACK");
            f.note("the SYN-ACK came " + seconds(quietNanos) + " before the capture ends");
        }
        return f;
    }

    /** A stateless server RST (no ACK flag, seq = ISN_s+1) right after the handshake's ACK. */
    private boolean isOverflowReset(Connection c) {
        Endpoint server = c.server();
        if (c.handshakeAckFrame() == 0 || !server.rstSeen()
                || (server.rstFlags() & TcpSegment.ACK) != 0 || server.payloadBytes() > 0) {
            return false;
        }
        boolean beforeProgress = c.serverProgressFrame() == 0
                || c.serverProgressFrame() > server.rstFrame();
        boolean firstReset = firstResetter(c) == server;
        long delay = server.rstTsNanos() - c.handshakeAckTsNanos();
        return beforeProgress && firstReset && server.rstSeqRel() == 1 && delay >= 0
                && delay <= config.overflowResetMaxNanos();
    }

    private static Finding overflowReset(Connection c, boolean explain) {
        Endpoint server = c.server();
        Finding f = new Finding(explain, Outcome.FAILED,
                Rule.STATELESS_RST_AFTER_ACK,
                server.rstWindow() == 0 ? Confidence.HIGH : Confidence.MEDIUM);
        f.resetBy = Side.SERVER;
        f.atNanos = server.rstTsNanos();
        if (explain) {
            f.evidence(c.synAckFrame(), c.synAckTsNanos(), "server SYN-ACK");
            f.evidence(c.handshakeAckFrame(), c.handshakeAckTsNanos(),
                    "client ACK completes the handshake");
            f.evidence(server.rstFrame(), server.rstTsNanos(), "server RST (no ACK flag, seq"
                    + " ISN+1, win " + server.rstWindow() + ") "
                    + micros(server.rstTsNanos() - c.handshakeAckTsNanos())
                    + " after the ACK: the kernel refused to queue it");
        }
        return f;
    }

    /**
     * The handshake's ACK was not taken. A SYN-ACK resent after it is the kernel's own sign, but
     * one that a lost ACK gives too (the server's SYN-ACK timer fires either way; next to the
     * client the two are the same packets). What only a full accept queue gives is the client's
     * <em>data</em> going unacknowledged: a lost ACK is repaired by the first data segment, which
     * carries the ACK. So high confidence needs that data; without it (a server that speaks
     * first, a client that waits) the reading stays medium, with the lost ACK as alternative.
     * Several connections of one listener at once say more: that is the listener finding's
     * job (see ListenerDiagnosis).
     */
    private static Finding ackIgnored(Connection c, boolean explain, KernelView kernel) {
        Endpoint client = c.client();
        boolean synAckAgain = c.synAcksAfterHandshakeAck() > 0;
        boolean dataIgnored = c.clientRetransBeforeProgress() > 0;
        boolean progressed = c.serverProgressFrame() != 0;
        Finding f = new Finding(explain, progressed ? Outcome.RECOVERED : Outcome.FAILED,
                synAckAgain ? Rule.SYNACK_RESENT_AFTER_ACK : Rule.DATA_NEVER_ACKED,
                synAckAgain && dataIgnored ? Confidence.HIGH : Confidence.MEDIUM);
        f.atNanos = c.handshakeAckTsNanos();
        if (progressed) {
            f.recoveryDelayNanos = c.serverProgressTsNanos() - c.handshakeAckTsNanos();
        }
        Endpoint resetter = firstResetter(c);
        // A reset after the server finally took the connection is a failure of its own.
        boolean resetLater = resetter != null && progressed
                && resetter.rstFrame() > c.serverProgressFrame();
        if (resetter != null && !resetLater) {
            f.resetBy = resetter == client ? Side.CLIENT : Side.SERVER;
            if (progressed) {
                f.outcome = Outcome.FAILED;
                f.recoveryDelayNanos = -1;
            }
        }
        if (explain) {
            f.evidence(c.handshakeAckFrame(), c.handshakeAckTsNanos(), "client ACK completes"
                    + " the handshake (the client now thinks it is connected)");
            if (synAckAgain) {
                f.evidence(c.firstSynAckAfterAckFrame(), c.firstSynAckAfterAckTsNanos(),
                        "server SYN-ACK again after that ACK (" + c.synAcksAfterHandshakeAck()
                                + "×): it did not take the ACK");
                if (!dataIgnored) {
                    f.alternative(new Alternative(Verdict.OK, "the handshake ACK lost on the"
                            + " way: the server resends its SYN-ACK just the same, and with no"
                            + " client data to go unacknowledged the packets cannot tell; a"
                            + " full accept queue shows on other connections of the listener"
                            + " at the same time (ss -lnt, nstat TcpExtListenOverflows)"));
                }
            }
            if (dataIgnored) {
                f.evidence(c.firstClientRetransBeforeProgressFrame(),
                        c.firstClientRetransBeforeProgressTsNanos(),
                        "client data retransmitted (" + c.clientRetransBeforeProgress()
                                + "×), never acknowledged");
            }
            if (!synAckAgain) {
                f.note("no SYN-ACK retransmission: the SYN-ACK was probably a SYN cookie"
                        + " (cookies keep no state to resend)");
                f.alternative(new Alternative(Verdict.STALLED, "a server or path that died"
                        + " right after the handshake looks the same"));
            }
            noteCrossingSynAcks(c, f);
            if (progressed) {
                f.evidence(c.serverProgressFrame(), c.serverProgressTsNanos(), "server finally"
                        + " acknowledges / answers: the application accepted it late");
            }
            if (resetter != null && !resetLater) {
                f.evidence(resetter.rstFrame(), resetter.rstTsNanos(), (resetter == client
                        ? "client" : "server") + " RST ends it");
            }
        }
        if (resetLater) {
            Finding reset = resetOf(c, explain, kernel);
            f.outcome = Outcome.FAILED;
            f.recoveryDelayNanos = -1;
            f.resetBy = reset.resetBy;
            f.also(reset);
        }
        return f;
    }

    /** Says why SYN-ACKs seen after the handshake ACK were not taken as evidence. */
    private static void noteCrossingSynAcks(Connection c, Finding f) {
        if (f.explain && c.synAcksCrossingAck() > 0) {
            f.note(c.synAcksCrossingAck() + " SYN-ACK" + (c.synAcksCrossingAck() == 1 ? "" : "s")
                    + " after the handshake ACK had left the server before that ACK reached it"
                    + " (crossed in flight, answering a retransmitted SYN): no sign of an"
                    + " ignored ACK");
        }
    }

    // ---- resets -------------------------------------------------------------------------

    private static Endpoint firstResetter(Connection c) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        if (client.rstSeen() && (!server.rstSeen() || client.rstFrame() < server.rstFrame())) {
            return client;
        }
        return server.rstSeen() ? server : null;
    }

    /**
     * Names the first RST of an established connection, or null when there is none: from the
     * packets, then settled by the kernel's reason for it when the kernel recorded one.
     */
    private static Finding resetOf(Connection c, boolean explain, KernelView kernel) {
        Endpoint x = firstResetter(c);
        if (x == null) {
            return null;
        }
        boolean byClient = x == c.client();
        Endpoint peer = byClient ? c.server() : c.client();
        String who = byClient ? "client" : "server";
        String peerName = byClient ? "server" : "client";
        boolean stateless = (x.rstFlags() & TcpSegment.ACK) == 0;
        Finding f;
        if (x.rstAfterOwnFin() && x.peerDataAfterFinFrame() != 0
                && x.peerDataAfterFinFrame() <= x.rstFrame()) {
            f = new Finding(explain, Outcome.FAILED, Rule.DATA_AFTER_CLOSE,
                    Confidence.HIGH);
            if (explain) {
                f.evidence(x.finFrame(), x.finTsNanos(), who + " FIN: it closed its socket");
                f.evidence(x.peerDataAfterFinFrame(), x.peerDataAfterFinTsNanos(),
                        peerName + " data after that FIN");
                f.evidence(x.rstFrame(), x.rstTsNanos(), who + " RST: the " + peerName
                        + " wrote to a closed socket");
            }
        } else if (stateless) {
            // Linux builds a stateless RST with window 0 and (IPv4) IP ID 0: tcp_v4_send_reset.
            boolean linuxSignature = x.rstWindow() == 0 && x.rstIpId() == 0;
            f = new Finding(explain, Outcome.FAILED, Rule.STATELESS_RST,
                    linuxSignature ? Confidence.HIGH : Confidence.MEDIUM);
            if (explain) {
                if (x.rstAnswersFrame() != 0) {
                    f.evidence(x.rstAnswersFrame(), x.rstAnswersTsNanos(),
                            peerName + " segment");
                }
                f.evidence(x.rstFrame(), x.rstTsNanos(), who + " RST without ACK, win "
                        + x.rstWindow() + ": built from the segment it answers, by a host with"
                        + " no socket for this connection");
            }
        } else if (x.peerBytesAtRst() > 0 && !x.answeredPeerAtRst()
                && !(byClient && x.lastPayloadFrame() != 0
                && x.lastPayloadFrame() < peer.lastPayloadFrame())) {
            f = new Finding(explain, Outcome.FAILED,
                    Rule.ACTIVE_RST_AFTER_UNANSWERED_DATA, Confidence.MEDIUM);
            if (explain) {
                f.evidence(peer.lastPayloadFrame(), peer.lastPayloadTsNanos(), peerName
                        + " data, acknowledged but never answered");
                f.evidence(x.rstFrame(), x.rstTsNanos(), who + " RST+ACK instead of FIN: closed"
                        + " with that data unread");
                f.alternative(new Alternative(Verdict.RST_LINGER0, "SO_LINGER 0 sends the same"
                        + " RST; on the " + who + " nstat TcpExtTCPAbortOnClose (unread data) vs"
                        + " TcpExtTCPAbortOnData (linger 0) tells them apart"));
            }
        } else {
            f = new Finding(explain, Outcome.FAILED,
                    Rule.ACTIVE_RST_NOTHING_UNREAD,
                    x.peerBytesAtRst() == 0 || x.answeredPeerAtRst() ? Confidence.HIGH
                            : Confidence.MEDIUM);
            if (x.peerAckedAllAtRst()) {
                // Everything the aborting side sent had arrived: the exchange itself worked.
                f.outcome = Outcome.OK;
            }
            if (explain) {
                String why = x.peerBytesAtRst() == 0 ? "the " + peerName + " had sent no data"
                        : byClient && !x.answeredPeerAtRst() ? "the client had its reply"
                        : "the " + who + " had answered the " + peerName + "'s data";
                if (peer.lastPayloadFrame() != 0) {
                    f.evidence(peer.lastPayloadFrame(), peer.lastPayloadTsNanos(), "last "
                            + peerName + " data");
                }
                f.evidence(x.rstFrame(), x.rstTsNanos(), who + " RST+ACK instead of FIN (" + why
                        + "): an abortive close");
                if (!x.answeredPeerAtRst() && x.peerBytesAtRst() > 0) {
                    f.alternative(new Alternative(Verdict.RST_UNREAD_DATA, "if the client had"
                            + " not read all of its reply, the kernel sends the same RST"));
                }
                if (x.peerAckedAllAtRst()) {
                    f.note("the " + peerName + " had acknowledged all the " + who
                            + " sent before the RST: nothing was lost");
                }
            }
        }
        f.resetBy = byClient ? Side.CLIENT : Side.SERVER;
        f.atNanos = x.rstTsNanos();
        KernelView.KernelReset sent = kernel.resetSent(x.addrHi(), x.addrLo(), x.port(),
                peer.addrHi(), peer.addrLo(), peer.port(), x.rstTsNanos());
        if (sent == null) {
            return f;
        }
        if (!byClient && "TCP_STATE".equals(sent.reason()) && x.payloadBytes() == 0
                && kernel.listenerClosed(x.addrHi(), x.addrLo(), x.port(), x.rstTsNanos())) {
            // The same reason as linger 0, but the server never took the connection.
            Finding closed = f.replacedBy(Rule.KERNEL_LISTENER_CLOSED, Outcome.FAILED,
                    Confidence.HIGH);
            if (explain) {
                closed.kernel("tcp_send_reset", sent.reason(), sent.tsNanos(), "server's kernel"
                        + " reset it as its listener closed");
                closed.kernel("sock_diag", null, x.rstTsNanos(), "the listener on port "
                        + x.port() + " was gone from the next sample");
            }
            return closed;
        }
        return settledByKernel(f, x, who, sent);
    }

    // ---- kernel evidence ---------------------------------------------------------------

    /** What each reset reason means, in words a report prints (include/net/rstreason.h). */
    private static final Map<String, String> RESET_REASONS = Map.of(
            "TCP_ABORT_ON_CLOSE", "the application closed the socket with data it had not read",
            "TCP_STATE", "the connection was aborted: close() with SO_LINGER 0, a disconnect, or"
                    + " its listener closed while it still waited to be accepted",
            "TCP_ABORT_ON_DATA", "data arrived for a socket the application had closed",
            "NO_SOCKET", "no socket had this connection (a closed port, or one already gone)",
            "TCP_TIMEWAIT_SOCKET", "the connection was already in TIME-WAIT",
            "TCP_ABORT_ON_LINGER", "the closed socket's FIN-WAIT-2 time (tcp_fin_timeout) ran out",
            "TCP_ABORT_ON_MEMORY", "the kernel was short of memory for orphaned sockets",
            "TCP_KEEPALIVE_TIMEOUT", "keepalive probes went unanswered");

    /**
     * The wire cannot tell a close with unread data from an abort with SO_LINGER 0 (the same
     * RST+ACK); the kernel's reason for the RST can. A reason that names the cause settles the
     * verdict with high confidence and leaves no alternative; any other reason is kept as
     * evidence and, when it agrees with the packets (NO_SOCKET for a stateless RST), raises
     * the confidence.
     */
    private static Finding settledByKernel(Finding wire, Endpoint x, String who,
                                           KernelView.KernelReset sent) {
        String reason = sent.reason();
        Rule settled = reason == null ? null : switch (reason) {
            case "TCP_ABORT_ON_CLOSE" -> Rule.KERNEL_ABORT_ON_CLOSE;
            case "TCP_STATE" -> Rule.KERNEL_ABORT_BY_DISCONNECT;
            case "TCP_ABORT_ON_DATA" -> Rule.DATA_AFTER_CLOSE;
            default -> null;
        };
        Finding f = wire;
        if (settled != null && settled != wire.rule) {
            Outcome outcome = settled.verdict() == Verdict.RST_LINGER0 && x.peerAckedAllAtRst()
                    ? Outcome.OK : Outcome.FAILED;
            f = wire.replacedBy(settled, outcome, Confidence.HIGH);
        } else if (settled != null || "NO_SOCKET".equals(reason)
                && (wire.rule == Rule.STATELESS_RST || wire.rule == Rule.SYN_ANSWERED_BY_RST)) {
            f.confidence = Confidence.HIGH;
            f.dropAlternatives();
        }
        if (f.explain) {
            String meaning = reason == null ? "this kernel gives no reason (before Linux 6.10)"
                    : RESET_REASONS.getOrDefault(reason, "the kernel's reason");
            f.kernel("tcp_send_reset", reason, sent.tsNanos(), who + "'s kernel sent the RST"
                    + (sent.state() != null ? " from state " + sent.state() : "") + ": "
                    + meaning);
        }
        return f;
    }

    /**
     * An accept queue's sample around the failure confirms it (full: high confidence) or
     * contradicts it (room to spare and ListenOverflows flat: low, the packets' reading stands
     * alone); no sample leaves the finding as the packets made it.
     */
    private static void acceptQueueEvidence(Finding f, Connection c, long fromNanos, long toNanos,
                                            KernelView kernel) {
        Endpoint server = c.server();
        KernelView.QueueReading q = kernel.acceptQueue(server.addrHi(), server.addrLo(),
                server.port(), fromNanos, toNanos);
        if (q == null) {
            return;
        }
        long overflows = kernel.counterRise("ListenOverflows", fromNanos, toNanos);
        if (q.full()) {
            f.confidence = Confidence.HIGH;
            f.dropAlternatives();
        } else if (overflows == 0) {
            f.confidence = Confidence.LOW;
        }
        if (f.explain) {
            f.kernel("sock_diag", null, fromNanos, q.full()
                    ? "accept queue full: " + q.peakDepth() + " waiting, backlog " + q.backlog()
                    : "accept queue had room: at most " + q.peakDepth() + " waiting, backlog "
                    + q.backlog() + (overflows == 0 ? ", and ListenOverflows did not move: not"
                    + " the accept queue" : ""));
            if (overflows > 0) {
                f.kernel("ListenOverflows", null, fromNanos, "ListenOverflows +" + overflows
                        + " meanwhile (the whole namespace)");
            }
        }
    }

    /**
     * Which queue dropped the SYNs, or none: the listener's accept queue full, the SYN queue
     * full (TCPReqQFullDrop), or both with room and no listen drop counted, which puts the loss
     * before the listener ({@link Rule#SYN_DROPPED_BEFORE_LISTENER}). Unknown without samples.
     */
    private static Finding synDropCause(Finding f, Connection c, long untilNanos,
                                        KernelView kernel) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        long from = client.synTsNanos();
        KernelView.QueueReading q = kernel.acceptQueue(server.addrHi(), server.addrLo(),
                server.port(), from, untilNanos);
        if (q == null) {
            return f;
        }
        long listenDrops = kernel.counterRise("ListenDrops", from, untilNanos);
        long synQueueDrops = kernel.counterRise("TCPReqQFullDrop", from, untilNanos);
        String rise = "ListenDrops +" + Math.max(0, listenDrops) + ", TCPReqQFullDrop +"
                + Math.max(0, synQueueDrops) + " meanwhile";
        if (q.full() || synQueueDrops > 0) {
            f.confidence = Confidence.HIGH;
            if (f.explain) {
                f.kernel("sock_diag", null, from, (q.full() ? "accept queue full: "
                        + q.peakDepth() + " waiting, backlog " + q.backlog()
                        : "SYN queue full") + "; " + rise);
            }
            return f;
        }
        if (listenDrops != 0 || synQueueDrops != 0) {
            // A drop counted somewhere in the namespace, or a counter not read: no conclusion.
            return f;
        }
        Finding before = f.replacedBy(Rule.SYN_DROPPED_BEFORE_LISTENER, f.outcome,
                Confidence.HIGH);
        if (before.explain) {
            before.kernel("sock_diag", null, from, "accept queue had room (at most "
                    + q.peakDepth() + " waiting, backlog " + q.backlog() + "); " + rise);
        }
        return before;
    }

    // ---- stalls -------------------------------------------------------------------------

    /**
     * A stall, or null; data left unacknowledged after the peer had closed is no failure but a
     * note on {@code ok}, the finding that stands when there is none.
     */
    private Finding stalled(Connection c, long nowNanos, Decision decidedBy, Finding ok) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        Endpoint x = client.retransRun() >= server.retransRun() ? client : server;
        if (x.retransRun() < config.stallMinRetrans()) {
            return null;
        }
        Endpoint peer = x == client ? server : client;
        if (peer.finSeen() && peer.finFrame() < x.retransRunFrame()) {
            // The peer had closed before: its last data went unacknowledged during teardown,
            // after the peer's application was done. Not a failure the user would see.
            if (ok.explain) {
                ok.note((x == client ? "client" : "server") + " data sent after the "
                        + (x == client ? "server" : "client") + " closed was never"
                        + " acknowledged (" + x.retransRun() + " retransmissions): the peer was"
                        + " gone");
            }
            return null;
        }
        boolean byClient = x == client;
        String who = byClient ? "client" : "server";
        if (decidedBy == Decision.CAPTURE_END && stillRetrying(x, nowNanos)) {
            Finding f = new Finding(ok.explain, Outcome.UNKNOWN, Rule.RETRANSMITTING_AT_END,
                    Confidence.LOW);
            if (f.explain) {
                f.evidence(x.retransRunFrame(), x.retransRunTsNanos(), who + " retransmits; "
                        + x.retransRun() + " retransmissions, none acknowledged yet");
                f.evidence(x.lastRetransFrame(), x.lastRetransTsNanos(), "last retransmission, "
                        + seconds(nowNanos - x.lastRetransTsNanos()) + " before the capture"
                        + " ends: the next was not due yet (the sender doubles its wait)");
                f.note("still recovering when the capture ends: a stall only if it never got"
                        + " through, which the capture cannot tell");
            }
            return f;
        }
        Finding f = new Finding(ok.explain, Outcome.FAILED, Rule.RETRANSMITTED_UNACKED,
                Confidence.MEDIUM);
        if (f.explain) {
            f.evidence(x.retransRunFrame(), x.retransRunTsNanos(), who + " retransmits; "
                    + x.retransRun() + " retransmissions, none acknowledged");
            f.evidence(x.lastRetransFrame(), x.lastRetransTsNanos(), "last retransmission");
        }
        return f;
    }

    /**
     * A reset that ended a run of unacknowledged retransmissions (a sender that gave up and
     * aborted, a peer that came back without the connection): the stall came first, so it is
     * the verdict and the reset follows in {@code also}; otherwise {@code reset} alone.
     */
    private Finding stallThen(Connection c, Finding reset) {
        Endpoint client = c.client();
        Endpoint server = c.server();
        Endpoint x = client.retransRun() >= server.retransRun() ? client : server;
        Endpoint resetter = firstResetter(c);
        Endpoint peer = x == client ? server : client;
        if (x.retransRun() < config.stallMinRetrans() || resetter == null
                || x.retransRunFrame() > resetter.rstFrame()
                || (peer.finSeen() && peer.finFrame() < x.retransRunFrame())) {
            return reset;
        }
        Finding f = new Finding(reset.explain, reset.outcome, Rule.RETRANSMITTED_UNACKED,
                Confidence.MEDIUM);
        f.atNanos = x.retransRunTsNanos();
        f.resetBy = reset.resetBy;
        if (f.explain) {
            f.evidence(x.retransRunFrame(), x.retransRunTsNanos(), (x == client ? "client"
                    : "server") + " retransmits; " + x.retransRun() + " retransmissions, none"
                    + " acknowledged before the RST");
        }
        f.also(reset);
        return f;
    }

    /**
     * True when {@code x}'s next retransmission was not yet due at {@code nowNanos}: the kernel
     * doubles the wait after each one (up to TCP_RTO_MAX), so the last gap, doubled, is when the
     * next would come; a quarter more allows for timer slack.
     */
    private boolean stillRetrying(Endpoint x, long nowNanos) {
        long gapNanos = x.previousRetransTsNanos() == 0 ? KernelTimers.INITIAL_RTO_NANOS
                : x.lastRetransTsNanos() - x.previousRetransTsNanos();
        long nextDueNanos = Math.min(2 * gapNanos, KernelTimers.RTO_MAX_NANOS);
        return nowNanos - x.lastRetransTsNanos() < nextDueNanos + nextDueNanos / 4;
    }

    // ---- one direction -----------------------------------------------------------------

    /**
     * Only the server's packets: a SYN-ACK answers a SYN the capture does not hold, so the
     * client's direction is missing (asymmetric routing, a tap on one port), not silent.
     */
    private static Finding serverSideOnly(Connection c, boolean explain) {
        Finding f = new Finding(explain, Outcome.UNKNOWN, Rule.ONE_DIRECTION_ONLY, Confidence.LOW);
        if (explain) {
            f.evidence(c.synAckFrame(), c.synAckTsNanos(), "server SYN-ACK, answering a SYN not"
                    + " in the capture");
            f.note("no packet from the client at all, yet the server answered its SYN: only the"
                    + " server's direction was captured");
        }
        return f;
    }

    // ---- mid-stream ---------------------------------------------------------------------

    private static Finding midStream(Connection c, boolean explain, KernelView kernel) {
        Finding reset = c.client().payloadBytes() + c.server().payloadBytes() > 0
                ? resetOf(c, explain, kernel) : null;
        Finding f = reset;
        if (reset == null) {
            f = new Finding(explain, Outcome.UNKNOWN, Rule.MID_STREAM, Confidence.LOW);
            f.evidence(c.firstFrame(), c.firstTsNanos(), "first packet seen");
        } else if (reset.rule != Rule.KERNEL_ABORT_ON_CLOSE
                && reset.rule != Rule.KERNEL_ABORT_BY_DISCONNECT) {
            // Without the handshake the packets' reading of a reset is weaker; the kernel's,
            // which named the reset's reason, is not.
            reset.confidence = reset.confidence == Confidence.HIGH ? Confidence.MEDIUM
                    : Confidence.LOW;
        }
        if (explain) {
            f.note("no handshake captured; client inferred: " + c.roleBasis().description());
        }
        return f;
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Seconds with one decimal, as {@code "%.1f s"} prints {@code nanos / 1e9}. */
    static String seconds(long nanos) {
        return FixedPoint.append(new StringBuilder(12), nanos, 9, 1).append(" s").toString();
    }

    /** Whole microseconds below a millisecond, else milliseconds with one decimal ({@code "%.1f ms"}). */
    static String micros(long nanos) {
        if (nanos < 1_000_000) {
            return (nanos / 1000) + " µs";
        }
        return FixedPoint.append(new StringBuilder(12), nanos, 6, 1).append(" ms").toString();
    }

    /**
     * Mutable working copy of a diagnosis while rules fill it in. Plain arrays, grown on first
     * use: this runs for every connection that is not a clean close (a hundred thousand in a big
     * capture), and its small methods are inlined into every rule.
     *
     * <p>Unless {@link #explain} is set, evidence, alternatives and notes are dropped: a rule
     * still says what it would explain, and text that costs something to build (concatenation,
     * formatting) is built only inside an {@code if (explain)} at the rule
     * (docs/performance.md#j4-the-classifiers-rules-one-method-compiled-once-text-built-only-when-shown).
     */
    static final class Finding {
        private static final Evidence[] NO_EVIDENCE = {};
        private static final Alternative[] NO_ALTERNATIVES = {};
        private static final String[] NO_NOTES = {};
        private static final Finding[] NO_FINDINGS = {};
        private static final KernelEvidence[] NO_KERNEL = {};

        final boolean explain;
        final Verdict verdict;
        Outcome outcome;
        final Rule rule;
        Confidence confidence;
        long recoveryDelayNanos = -1;
        Side resetBy;
        /** When the failure showed (its first evidence packet): orders a connection's failures. */
        long atNanos;
        /** Failures after this one, explained only (see {@link #also}). */
        private Finding[] later = NO_FINDINGS;
        private int laterCount;
        /** The verdicts of the failures after this one, a bit per ordinal, judged or explained. */
        private int laterVerdicts;
        private Evidence[] evidence = NO_EVIDENCE;
        private int evidenceCount;
        private Alternative[] alternatives = NO_ALTERNATIVES;
        private int alternativeCount;
        private String[] notes = NO_NOTES;
        private int noteCount;
        private KernelEvidence[] kernel = NO_KERNEL;
        private int kernelCount;

        Finding(boolean explain, Outcome outcome, Rule rule, Confidence confidence) {
            this.explain = explain;
            this.verdict = rule.verdict();
            this.outcome = outcome;
            this.rule = rule;
            this.confidence = confidence;
        }

        /**
         * Records {@code next}, a failure after this one, with the failures after it. Judging
         * needs only their verdicts (the listener findings count them), so the failures
         * themselves are kept only when explaining.
         */
        void also(Finding next) {
            laterVerdicts |= 1 << next.verdict.ordinal() | next.laterVerdicts;
            if (!explain) {
                return;
            }
            if (laterCount + 1 + next.laterCount > later.length) {
                later = Arrays.copyOf(later, laterCount + 1 + next.laterCount + 1);
            }
            later[laterCount++] = next;
            for (int i = 0; i < next.laterCount; i++) {
                later[laterCount++] = next.later[i];
            }
        }

        void evidence(long frame, long tsNanos, String note) {
            if (!explain) {
                return;
            }
            if (evidenceCount == evidence.length) {
                evidence = Arrays.copyOf(evidence, evidenceCount + 4);
            }
            evidence[evidenceCount++] = new Evidence(frame, tsNanos, note);
        }

        void alternative(Alternative a) {
            if (!explain) {
                return;
            }
            if (alternativeCount == alternatives.length) {
                alternatives = Arrays.copyOf(alternatives, alternativeCount + 1);
            }
            alternatives[alternativeCount++] = a;
        }

        void note(String note) {
            if (!explain) {
                return;
            }
            if (noteCount == notes.length) {
                notes = Arrays.copyOf(notes, noteCount + 2);
            }
            notes[noteCount++] = note;
        }

        void kernel(String event, String reason, long tsNanos, String note) {
            if (!explain) {
                return;
            }
            if (kernelCount == kernel.length) {
                kernel = Arrays.copyOf(kernel, kernelCount + 2);
            }
            kernel[kernelCount++] = new KernelEvidence(event, reason, tsNanos, note);
        }

        /** Evidence that settled the verdict leaves the packets' other readings no room. */
        void dropAlternatives() {
            alternativeCount = 0;
        }

        /**
         * This finding under another rule, when evidence beyond the packets (the kernel's)
         * names the cause: the same packets' evidence, notes, later failures, reset and times;
         * alternatives are not carried, the new rule having settled them.
         */
        Finding replacedBy(Rule rule, Outcome outcome, Confidence confidence) {
            Finding f = new Finding(explain, outcome, rule, confidence);
            f.resetBy = resetBy;
            f.atNanos = atNanos;
            f.recoveryDelayNanos = outcome == Outcome.RECOVERED ? recoveryDelayNanos : -1;
            f.laterVerdicts = laterVerdicts;
            if (explain) {
                f.evidence = Arrays.copyOf(evidence, evidenceCount);
                f.evidenceCount = evidenceCount;
                f.notes = Arrays.copyOf(notes, noteCount);
                f.noteCount = noteCount;
                // Already flat: each later failure once, its own later ones after it.
                f.later = Arrays.copyOf(later, laterCount);
                f.laterCount = laterCount;
            }
            return f;
        }

        /** Adds the notes of {@code other}, in order. */
        void notesOf(Finding other) {
            for (int i = 0; i < other.noteCount; i++) {
                note(other.notes[i]);
            }
        }

        Judgement judgement() {
            return new Judgement(verdict, rule, confidence, outcome, recoveryDelayNanos,
                    laterVerdicts);
        }

        /** The diagnosis, explained when {@link #explain} was set. */
        Diagnosis build() {
            Failure[] also = new Failure[laterCount];
            for (int i = 0; i < laterCount; i++) {
                Finding f = later[i];
                List<Evidence> evidence = f.sortedEvidence();
                long at = f.atNanos != 0 || evidence.isEmpty() ? f.atNanos
                        : evidence.get(0).tsNanos();
                also[i] = new Failure(f.verdict, f.rule, f.confidence, at, evidence);
            }
            // A few items: an insertion sort, stable as List.sort.
            for (int i = 1; i < also.length; i++) {
                Failure x = also[i];
                int j = i;
                for (; j > 0 && also[j - 1].atNanos() > x.atNanos(); j--) {
                    also[j] = also[j - 1];
                }
                also[j] = x;
            }
            return new Diagnosis(verdict, outcome, recoveryDelayNanos, resetBy, rule, confidence,
                    sortedEvidence(), list(alternatives, alternativeCount),
                    list(notes, noteCount), List.of(also), sortedKernel());
        }

        /** Rules add evidence in the order they reason; readers follow the capture's order. */
        private List<Evidence> sortedEvidence() {
            for (int i = 1; i < evidenceCount; i++) {
                Evidence e = evidence[i];
                int j = i;
                for (; j > 0 && evidence[j - 1].frame() > e.frame(); j--) {
                    evidence[j] = evidence[j - 1];
                }
                evidence[j] = e;
            }
            return list(evidence, evidenceCount);
        }

        private List<KernelEvidence> sortedKernel() {
            KernelEvidence[] k = Arrays.copyOf(kernel, kernelCount);
            Arrays.sort(k, Comparator.comparingLong(KernelEvidence::tsNanos));
            return List.of(k);
        }

        /** Already immutable: the Diagnosis keeps it without another copy. */
        private static <T> List<T> list(T[] items, int count) {
            return count == 0 ? List.of() : List.of(Arrays.copyOf(items, count));
        }
    }
}
