package io.synscope.kernel;

import java.io.IOException;

/**
 * A child process for {@link TraceLifecycleTest}: opens kernel tracing, says
 * {@code OPEN <instance dir>} (or {@code NONE} and each status, one a line), then waits for
 * its stdin to end and closes, unless it is killed first.
 */
public final class TraceProbe {
    private TraceProbe() {
    }

    public static void main(String[] args) throws IOException {
        TraceEvents t = TraceEvents.open(TraceConfig.defaults(), e -> true);
        System.out.println(t.running() ? "OPEN " + t.instanceDir() : "NONE");
        t.statuses().forEach(s -> System.out.println(s.describe()));
        System.out.println("END");
        System.out.flush();
        System.in.readAllBytes();
        t.close();
    }
}
