package io.synscope.pipeline;

import io.synscope.diagnose.ConnectionResult;
import io.synscope.diagnose.HostPort;
import io.synscope.diagnose.Judgement;
import io.synscope.diagnose.Summary;
import io.synscope.diagnose.Verdict;
import java.io.IOException;

/**
 * Where results go: a report renderer, a live stream, a test. Connections arrive as they are
 * decided (not in start order); {@link #onFinish} comes once, last.
 */
public interface AnalysisSink {

    /**
     * Whether this sink wants connections with verdict {@code v} one by one. Connections nobody
     * wants are only counted in the {@link Summary}, which saves building their results: a
     * capture of a million healthy connections should cost nothing per healthy connection.
     */
    boolean wants(Verdict v);

    /**
     * Asked before a wanted connection's result is built: false when {@link #onConnection}
     * would drop that result at once, so it is not built at all (the text report keeps only the
     * earliest few failures of each verdict, of a hundred thousand in a big capture). The
     * connection is known here by its verdict, the capture time of its first packet and its
     * {@link ConnectionResult#id()}.
     *
     * <p>An answer may be stale, never wrong: once false for a connection it stays false for it
     * however many results arrive after, and a true may still end in a drop. Calls come from
     * the threads that call {@link #onConnection}, serialised with it in the same way. The
     * default keeps every wanted connection.
     */
    default boolean keeps(Verdict v, long firstSeenNanos, long id) {
        return true;
    }

    /**
     * The capture's first frame's time, once, from the reading thread before that frame is
     * tracked, so before any other call. For a selection relative to the capture's start.
     * Ignored by default.
     */
    default void onCaptureStart(long firstFrameNanos) throws IOException {
    }

    void onConnection(ConnectionResult result) throws IOException;

    /**
     * Every decided connection, wanted or not, as the {@link Summary} counts it: its server and
     * what was judged, before (and whether or not) a result is built. For sinks that only count
     * (live metrics): a healthy connection costs them a call, not a {@link ConnectionResult}.
     * {@code server} is shared by all connections to that server on one tracking thread (equal,
     * not identical, across threads). Calls come from the threads that call
     * {@link #onConnection}, serialised with it in the same way. Ignored by default.
     */
    default void onJudged(HostPort server, Judgement judgement) throws IOException {
    }

    /**
     * Whether this sink wants {@link #onJudged}: asked once, before any connection. A sink that
     * says no is spared a call per decided connection, and with several tracking threads the
     * lock that serialises it (a million of each on the bench capture). False by default; a
     * sink that overrides {@link #onJudged} says true.
     */
    default boolean judges() {
        return false;
    }

    /**
     * A live capture's periodic state (see {@link Analyzer#statusEveryNanos}); files never send
     * one. Called from the reading thread, serialised with the other calls. Ignored by default.
     */
    default void onStatus(LiveStatus status) throws IOException {
    }

    void onFinish(CaptureInfo capture, Summary summary) throws IOException;
}
