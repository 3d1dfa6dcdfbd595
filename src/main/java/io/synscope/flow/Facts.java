package io.synscope.flow;

/**
 * The facts of one side of a connection that only some connections have, in groups that
 * {@link Endpoint} allocates the first time one of their facts happens (but the SYN group, which
 * nearly every side needs: see {@link Endpoint#syn}): most connections never reset or
 * retransmit, and a flood's half-open connections never send a FIN. Each group resets
 * itself when its connection is reused from the pool; once allocated, a group stays with its
 * endpoint (a pooled connection then costs no allocation the next time).
 */
final class Facts {
    private Facts() {
    }

    /** What every group does: reset itself for a reused connection, and list its fields. */
    abstract static class Group {
        abstract void reset();

        /** Writes or reads every field (see {@link Connection#transfer}). */
        abstract void transfer(StateTransfer t);
    }

    /**
     * Writes or reads the presence of {@code group} (null: never allocated), and resets a
     * pooled connection's group that the record being read has not got: true when the caller is
     * to transfer the group's fields (allocating it if need be) and call
     * {@link StateTransfer#endGroup}. A group is left out when absent or at its defaults. The
     * caller names the group's own type for that transfer: through one call site shared by the
     * four kinds it was a virtual call that C2 could not inline, 4 % of a state-heavy capture's
     * freezing and thawing (bench/README.md, "Fact groups by their own types").
     */
    static boolean present(StateTransfer t, Group group) {
        if (t.group(group != null)) {
            return true;
        }
        if (group != null) {
            group.reset();
        }
        return false;
    }

    /** This side's SYN (or SYN-ACK) and its retransmissions with the same ISN. */
    static final class Syn extends Group {
        long tsNanos;
        long frame;
        long lastTsNanos;
        long lastFrame;
        int count;
        long secondFrame;
        long secondTsNanos;

        @Override
        void reset() {
            tsNanos = 0;
            frame = 0;
            lastTsNanos = 0;
            lastFrame = 0;
            count = 0;
            secondFrame = 0;
            secondTsNanos = 0;
        }

        @Override
        void transfer(StateTransfer t) {
            tsNanos = t.time(tsNanos);
            frame = t.frame(frame);
            lastTsNanos = t.time(lastTsNanos);
            lastFrame = t.frame(lastFrame);
            count = t.num(count);
            secondFrame = t.frame(secondFrame);
            secondTsNanos = t.time(secondTsNanos);
        }
    }

    /** This side's first FIN, and what the peer sent after it. */
    static final class Fin extends Group {
        long tsNanos;
        long frame;
        /** Relative sequence number just past the FIN: the peer's ACK of it reaches this. */
        long endRel;
        /** Payload the peer sent after this side's FIN (the peer wrote to a closed socket). */
        long peerDataAfterFrame;
        long peerDataAfterTsNanos;

        @Override
        void reset() {
            tsNanos = 0;
            frame = 0;
            endRel = 0;
            peerDataAfterFrame = 0;
            peerDataAfterTsNanos = 0;
        }

        @Override
        void transfer(StateTransfer t) {
            tsNanos = t.time(tsNanos);
            frame = t.frame(frame);
            endRel = t.num(endRel);
            peerDataAfterFrame = t.frame(peerDataAfterFrame);
            peerDataAfterTsNanos = t.time(peerDataAfterTsNanos);
        }
    }

    /** This side's first RST, with the facts frozen then that tell which kind of reset it was. */
    static final class Rst extends Group {
        long tsNanos;
        long frame;
        int flags;
        long seqRel;
        int window;
        int ipId;
        boolean afterOwnFin;
        long peerBytes;
        boolean answeredPeer;
        boolean peerAckedAll;
        /** The peer's last packet before this side's first RST: the segment a stateless RST answers. */
        long answersFrame;
        long answersTsNanos;

        @Override
        void reset() {
            tsNanos = 0;
            frame = 0;
            flags = 0;
            seqRel = 0;
            window = 0;
            ipId = 0;
            afterOwnFin = false;
            peerBytes = 0;
            answeredPeer = false;
            peerAckedAll = false;
            answersFrame = 0;
            answersTsNanos = 0;
        }

        @Override
        void transfer(StateTransfer t) {
            tsNanos = t.time(tsNanos);
            frame = t.frame(frame);
            flags = t.num(flags);
            seqRel = t.num(seqRel);
            window = t.num(window);
            ipId = t.num(ipId);
            afterOwnFin = t.flag(afterOwnFin);
            peerBytes = t.num(peerBytes);
            answeredPeer = t.flag(answeredPeer);
            peerAckedAll = t.flag(peerAckedAll);
            answersFrame = t.frame(answersFrame);
            answersTsNanos = t.time(answersTsNanos);
        }
    }

    /** Segments that re-sent sequence space this side had already sent. */
    static final class Retrans extends Group {
        long count;
        long firstFrame;
        long firstTsNanos;
        long runFrame;
        long runTsNanos;
        long lastFrame;
        long lastTsNanos;
        /** The retransmission before the last one (0 when there was none): the RTO backoff. */
        long previousTsNanos;

        @Override
        void reset() {
            count = 0;
            firstFrame = 0;
            firstTsNanos = 0;
            runFrame = 0;
            runTsNanos = 0;
            lastFrame = 0;
            lastTsNanos = 0;
            previousTsNanos = 0;
        }

        @Override
        void transfer(StateTransfer t) {
            count = t.num(count);
            firstFrame = t.frame(firstFrame);
            firstTsNanos = t.time(firstTsNanos);
            runFrame = t.frame(runFrame);
            runTsNanos = t.time(runTsNanos);
            lastFrame = t.frame(lastFrame);
            lastTsNanos = t.time(lastTsNanos);
            previousTsNanos = t.time(previousTsNanos);
        }
    }
}
