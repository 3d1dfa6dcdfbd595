package io.synscope.diagnose;

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

    void onConnection(ConnectionResult result) throws IOException;

    void onFinish(CaptureInfo capture, Summary summary) throws IOException;
}
