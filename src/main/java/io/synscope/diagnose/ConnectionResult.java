package io.synscope.diagnose;

import io.synscope.flow.Connection;
import io.synscope.flow.Decision;
import io.synscope.flow.Endpoint;
import io.synscope.flow.RoleBasis;

import java.util.List;

/**
 * Everything reported about one connection: an immutable summary that outlives the tracker's
 * pooled {@link Connection}. The ladder is kept only for connections whose verdict is a failure,
 * so healthy connections cost a few hundred bytes.
 *
 * @param decidedBy   why the tracker stopped following it
 * @param ladder      packets for the ladder diagram (failures only, bounded); empty otherwise
 * @param ladderOmitted packets of this connection not in {@code ladder}
 */
public record ConnectionResult(
        HostPort client,
        HostPort server,
        int ipVersion,
        long firstSeenNanos,
        long lastSeenNanos,
        long firstFrame,
        long lastFrame,
        Traffic fromClient,
        Traffic fromServer,
        String history,
        RoleBasis roleBasis,
        Decision decidedBy,
        Diagnosis diagnosis,
        Explanation explanation,
        List<LadderStep> ladder,
        long ladderOmitted) {

    public ConnectionResult {
        ladder = List.copyOf(ladder);
    }

    /** The connection's first frame number: unique, and growing with start order. */
    public long id() {
        return firstFrame;
    }

    public Verdict verdict() {
        return diagnosis.verdict();
    }

    public Outcome outcome() {
        return diagnosis.outcome();
    }

    /**
     * Builds the result while {@code c} is still valid (inside the listener call);
     * {@code server} is its server's address, shared by all its connections.
     */
    public static ConnectionResult of(Connection c, Decision decidedBy, Diagnosis diagnosis,
                               HostPort server) {
        Endpoint cl = c.client();
        Endpoint sv = c.server();
        List<LadderStep> ladder = List.of();
        long omitted = 0;
        if (diagnosis.verdict().isFailure()) {
            ladder = ladder(c);
            omitted = c.eventsOmitted();
        }
        return new ConnectionResult(new HostPort(cl.ip(), cl.port()), server, c.ipVersion(),
                c.firstTsNanos(), c.lastTsNanos(), c.firstFrame(), c.lastFrame(),
                new Traffic(cl.packets(), cl.payloadBytes(), cl.retransmissions()),
                new Traffic(sv.packets(), sv.payloadBytes(), sv.retransmissions()),
                c.history(), c.roleBasis(), decidedBy, diagnosis,
                diagnosis.rule().explanation(), ladder, omitted);
    }

    /** Already immutable, so the constructor keeps it without a copy. */
    private static List<LadderStep> ladder(Connection c) {
        LadderStep[] steps = new LadderStep[c.eventCount()];
        for (int i = 0; i < steps.length; i++) {
            int marks = c.eventMarks(i);
            steps[i] = new LadderStep(c.eventFrame(i), c.eventTsNanos(i),
                    (marks & Connection.MARK_FROM_CLIENT) != 0, c.eventFlags(i),
                    c.eventRelSeq(i), (marks & Connection.MARK_ACK_VALID) != 0 ? c.eventRelAck(i) : -1,
                    c.eventPayloadLength(i), c.eventWindow(i),
                    (marks & Connection.MARK_RETRANSMISSION) != 0);
        }
        return List.of(steps);
    }
}
