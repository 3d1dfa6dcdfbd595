package io.synscope.diagnose;

import io.synscope.flow.Addresses;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Accumulates a {@link Summary} from diagnoses as connections are decided. Not thread-safe. */
public final class SummaryBuilder {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private long connections;
    private final long[] byVerdict = new long[Verdict.values().length];
    private final long[] byOutcome = new long[Outcome.values().length];
    private final Map<ServerKey, ServerCounts> servers = new HashMap<>();
    private final TreeMap<Long, Long> failuresPerSecond = new TreeMap<>();
    private final Map<Verdict, long[]> delays = new EnumMap<>(Verdict.class);
    private ServerCounts lastServer;

    private record ServerKey(long hi, long lo, int port) {
    }

    private static final class ServerCounts {
        final long hi;
        final long lo;
        final int port;
        final HostPort server;
        long connections;
        long failures;
        long answered;
        long worked;
        long firstFailureNanos;
        long lastFailureNanos;
        final long[] byVerdict = new long[Verdict.values().length];

        ServerCounts(ServerKey key, HostPort server) {
            this.hi = key.hi;
            this.lo = key.lo;
            this.port = key.port;
            this.server = server;
        }
    }

    /**
     * Counts one connection to server {@code (hi, lo, port)} first seen at {@code firstTsNanos};
     * {@code serverAnswered}: the server sent at least one packet in it.
     */
    public void add(long serverHi, long serverLo, int serverPort, Diagnosis d, long firstTsNanos,
                    boolean serverAnswered) {
        connections++;
        Verdict v = d.verdict();
        byVerdict[v.ordinal()]++;
        byOutcome[d.outcome().ordinal()]++;
        ServerCounts sc = server(serverHi, serverLo, serverPort);
        sc.connections++;
        sc.byVerdict[v.ordinal()]++;
        if (serverAnswered) {
            sc.answered++;
        }
        if (d.outcome() == Outcome.OK || d.outcome() == Outcome.RECOVERED) {
            sc.worked++;
        }
        if (v.isFailure()) {
            sc.failures++;
            if (sc.firstFailureNanos == 0 || firstTsNanos < sc.firstFailureNanos) {
                sc.firstFailureNanos = firstTsNanos;
            }
            sc.lastFailureNanos = Math.max(sc.lastFailureNanos, firstTsNanos);
            failuresPerSecond.merge(Math.floorDiv(firstTsNanos, NANOS_PER_SECOND), 1L, Long::sum);
        }
        if (d.outcome() == Outcome.RECOVERED && d.recoveryDelayNanos() >= 0) {
            long[] s = delays.computeIfAbsent(v, k -> new long[] {0, Long.MAX_VALUE, 0, 0});
            s[0]++;
            s[1] = Math.min(s[1], d.recoveryDelayNanos());
            s[2] = Math.max(s[2], d.recoveryDelayNanos());
            s[3] += d.recoveryDelayNanos();
        }
    }

    /** Adds everything {@code other} counted (another shard's share of the same capture). */
    public void merge(SummaryBuilder other) {
        connections += other.connections;
        for (int i = 0; i < byVerdict.length; i++) {
            byVerdict[i] += other.byVerdict[i];
        }
        for (int i = 0; i < byOutcome.length; i++) {
            byOutcome[i] += other.byOutcome[i];
        }
        other.servers.forEach((key, theirs) -> {
            ServerCounts mine = servers.computeIfAbsent(key, k -> new ServerCounts(k, theirs.server));
            mine.connections += theirs.connections;
            mine.failures += theirs.failures;
            mine.answered += theirs.answered;
            mine.worked += theirs.worked;
            if (theirs.firstFailureNanos != 0 && (mine.firstFailureNanos == 0
                    || theirs.firstFailureNanos < mine.firstFailureNanos)) {
                mine.firstFailureNanos = theirs.firstFailureNanos;
            }
            mine.lastFailureNanos = Math.max(mine.lastFailureNanos, theirs.lastFailureNanos);
            for (int i = 0; i < mine.byVerdict.length; i++) {
                mine.byVerdict[i] += theirs.byVerdict[i];
            }
        });
        other.failuresPerSecond.forEach((sec, n) -> failuresPerSecond.merge(sec, n, Long::sum));
        other.delays.forEach((v, theirs) -> {
            long[] mine = delays.computeIfAbsent(v, k -> new long[] {0, Long.MAX_VALUE, 0, 0});
            mine[0] += theirs[0];
            mine[1] = Math.min(mine[1], theirs[1]);
            mine[2] = Math.max(mine[2], theirs[2]);
            mine[3] += theirs[3];
        });
    }

    /**
     * The counts of one server; the last one used is kept at hand, since consecutive connections
     * often go to the same server and a map lookup would box a key each time.
     */
    private ServerCounts server(long hi, long lo, int port) {
        ServerCounts last = lastServer;
        if (last != null && last.port == port && last.lo == lo && last.hi == hi) {
            return last;
        }
        last = servers.computeIfAbsent(new ServerKey(hi, lo, port),
                k -> new ServerCounts(k, new HostPort(Addresses.format(k.hi, k.lo), k.port)));
        lastServer = last;
        return last;
    }

    public Summary build() {
        Map<Verdict, Long> verdicts = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, byVerdict[v.ordinal()]);
        }
        Map<Outcome, Long> outcomes = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, byOutcome[o.ordinal()]);
        }
        List<Summary.ServerSummary> perServer = new ArrayList<>(servers.size());
        for (ServerCounts sc : servers.values()) {
            Map<Verdict, Long> m = new LinkedHashMap<>();
            for (Verdict v : Verdict.values()) {
                if (sc.byVerdict[v.ordinal()] > 0) {
                    m.put(v, sc.byVerdict[v.ordinal()]);
                }
            }
            perServer.add(new Summary.ServerSummary(sc.server, sc.connections, m, sc.failures,
                    sc.answered, sc.worked, sc.firstFailureNanos, sc.lastFailureNanos));
        }
        perServer.sort(Comparator.comparingLong(Summary.ServerSummary::failures).reversed()
                .thenComparing(Comparator.comparingLong(Summary.ServerSummary::connections)
                        .reversed())
                .thenComparing(s -> s.server().toString()));
        Map<Verdict, Summary.DelayStats> delayStats = new EnumMap<>(Verdict.class);
        delays.forEach((v, s) -> delayStats.put(v, new Summary.DelayStats(s[0], s[1], s[2], s[3])));
        return new Summary(connections, verdicts, outcomes, List.copyOf(perServer),
                new TreeMap<>(failuresPerSecond), delayStats,
                ListenerDiagnosis.findings(perServer));
    }
}
