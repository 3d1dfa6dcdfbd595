package io.synscope.diagnose;

import io.synscope.capture.Addresses;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accumulates a {@link Summary} from diagnoses as connections are decided. Not thread-safe.
 *
 * <p>{@link #add} runs once per connection, a million times in a big capture: a server already
 * seen costs no allocation, and no lambda or record key is used
 * (docs/performance.md#s1-nothing-on-the-first-packets-that-bootstraps-javalanginvoke).
 */
public final class SummaryBuilder {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int VERDICTS = Verdict.values().length;
    private static final int MIN_TABLE = 16;

    /** Most failures first, then most connections, then by address text. */
    private static final Comparator<Summary.ServerSummary> MOST_FAILURES_FIRST =
            new Comparator<>() {
                @Override
                public int compare(Summary.ServerSummary a, Summary.ServerSummary b) {
                    int byFailures = Long.compare(b.failures(), a.failures());
                    if (byFailures != 0) {
                        return byFailures;
                    }
                    int byConnections = Long.compare(b.connections(), a.connections());
                    return byConnections != 0 ? byConnections
                            : a.server().toString().compareTo(b.server().toString());
                }
            };

    private long connections;
    private long oneDirection;
    private final long[] byVerdict = new long[VERDICTS];
    private final long[] byOutcome = new long[Outcome.values().length];
    private final long[] failuresByOutcome = new long[Outcome.values().length];
    /** Servers by address and port: open addressing, linear probing, at most half full. */
    private ServerCounts[] table = new ServerCounts[MIN_TABLE];
    private int serverCount;
    private ServerCounts lastServer;
    private final TreeMap<Long, Long> failuresPerSecond = new TreeMap<>();
    /**
     * Failures of {@link #pendingSecond} not yet in {@link #failuresPerSecond}: connections are
     * decided roughly in time order, so most failures land in the second of the one before.
     */
    private long pendingSecond;
    private long pendingFailures;
    /** Per verdict ordinal, {count, min, max, total} of recovery delays; null before the first. */
    private final long[][] delays = new long[VERDICTS][];

    private static final class ServerCounts {
        final long hi;
        final long lo;
        final int port;
        final HostPort server;
        long connections;
        long failures;
        long answered;
        long worked;
        long healthyWithLoss;
        long ackIgnoredUnconfirmed;
        final long[] byVerdict = new long[VERDICTS];
        final long[] laterByVerdict = new long[VERDICTS];

        ServerCounts(long hi, long lo, int port, HostPort server) {
            this.hi = hi;
            this.lo = lo;
            this.port = port;
            this.server = server;
        }
    }

    /**
     * Counts one connection to server {@code (hi, lo, port)} first seen at {@code firstTsNanos};
     * {@code serverAnswered}: the server sent at least one packet in it;
     * {@code retransmittedBeyondHandshake}: it resent something besides its SYN or SYN-ACK
     * (which, on a connection judged ok, says the path loses packets).
     */
    public void add(long serverHi, long serverLo, int serverPort, Judgement j, long firstTsNanos,
                    boolean serverAnswered, boolean retransmittedBeyondHandshake) {
        connections++;
        if (j.rule() == Rule.ONE_DIRECTION_ONLY) {
            oneDirection++;
        }
        Verdict v = j.verdict();
        Outcome o = j.outcome();
        byVerdict[v.ordinal()]++;
        byOutcome[o.ordinal()]++;
        if (v.isFailure()) {
            failuresByOutcome[o.ordinal()]++;
        }
        ServerCounts sc = server(serverHi, serverLo, serverPort);
        sc.connections++;
        sc.byVerdict[v.ordinal()]++;
        if (serverAnswered) {
            sc.answered++;
        }
        if (retransmittedBeyondHandshake && v == Verdict.OK) {
            sc.healthyWithLoss++;
        }
        if (j.rule() == Rule.SYNACK_RESENT_AFTER_ACK && j.confidence() != Confidence.HIGH) {
            sc.ackIgnoredUnconfirmed++;
        }
        if (j.laterVerdicts() != 0) {
            for (Verdict later : Verdict.values()) {
                if (j.later(later)) {
                    sc.laterByVerdict[later.ordinal()]++;
                }
            }
        }
        if (o == Outcome.OK || o == Outcome.RECOVERED) {
            sc.worked++;
        }
        if (v.isFailure()) {
            failure(sc, firstTsNanos);
        }
        if (o == Outcome.RECOVERED && j.recoveryDelayNanos() >= 0) {
            long[] s = delays(v);
            s[0]++;
            s[1] = Math.min(s[1], j.recoveryDelayNanos());
            s[2] = Math.max(s[2], j.recoveryDelayNanos());
            s[3] += j.recoveryDelayNanos();
        }
    }

    /** The server of the connection {@link #add} counted last (one shared instance per server). */
    public HostPort lastServer() {
        return lastServer.server;
    }

    private void failure(ServerCounts sc, long firstTsNanos) {
        sc.failures++;
        long second = Math.floorDiv(firstTsNanos, NANOS_PER_SECOND);
        if (second != pendingSecond) {
            flushPendingFailures();
            pendingSecond = second;
        }
        pendingFailures++;
    }

    private void flushPendingFailures() {
        if (pendingFailures > 0) {
            addFailures(pendingSecond, pendingFailures);
            pendingFailures = 0;
        }
    }

    private void addFailures(long second, long failures) {
        Long before = failuresPerSecond.get(second);
        failuresPerSecond.put(second, before == null ? failures : before + failures);
    }

    private long[] delays(Verdict v) {
        long[] s = delays[v.ordinal()];
        if (s == null) {
            s = new long[] {0, Long.MAX_VALUE, 0, 0};
            delays[v.ordinal()] = s;
        }
        return s;
    }

    /** Adds everything {@code other} counted (another shard's share of the same capture). */
    public void merge(SummaryBuilder other) {
        connections += other.connections;
        oneDirection += other.oneDirection;
        for (int i = 0; i < VERDICTS; i++) {
            byVerdict[i] += other.byVerdict[i];
        }
        for (int i = 0; i < byOutcome.length; i++) {
            byOutcome[i] += other.byOutcome[i];
            failuresByOutcome[i] += other.failuresByOutcome[i];
        }
        for (ServerCounts theirs : other.table) {
            if (theirs == null) {
                continue;
            }
            ServerCounts mine = server(theirs.hi, theirs.lo, theirs.port);
            mine.connections += theirs.connections;
            mine.failures += theirs.failures;
            mine.answered += theirs.answered;
            mine.worked += theirs.worked;
            mine.healthyWithLoss += theirs.healthyWithLoss;
            mine.ackIgnoredUnconfirmed += theirs.ackIgnoredUnconfirmed;
            for (int i = 0; i < VERDICTS; i++) {
                mine.byVerdict[i] += theirs.byVerdict[i];
                mine.laterByVerdict[i] += theirs.laterByVerdict[i];
            }
        }
        other.flushPendingFailures();
        for (Map.Entry<Long, Long> e : other.failuresPerSecond.entrySet()) {
            addFailures(e.getKey(), e.getValue());
        }
        for (int i = 0; i < VERDICTS; i++) {
            long[] theirs = other.delays[i];
            if (theirs != null) {
                long[] mine = delays(Verdict.values()[i]);
                mine[0] += theirs[0];
                mine[1] = Math.min(mine[1], theirs[1]);
                mine[2] = Math.max(mine[2], theirs[2]);
                mine[3] += theirs[3];
            }
        }
    }

    /**
     * The counts of one server; the last one used is kept at hand, since consecutive connections
     * often go to the same server.
     */
    private ServerCounts server(long hi, long lo, int port) {
        ServerCounts last = lastServer;
        if (last != null && last.port == port && last.lo == lo && last.hi == hi) {
            return last;
        }
        int mask = table.length - 1;
        int i = slot(hi, lo, port) & mask;
        for (ServerCounts sc = table[i]; sc != null; sc = table[i]) {
            if (sc.port == port && sc.lo == lo && sc.hi == hi) {
                lastServer = sc;
                return sc;
            }
            i = (i + 1) & mask;
        }
        ServerCounts sc = new ServerCounts(hi, lo, port, new HostPort(Addresses.format(hi, lo), port));
        table[i] = sc;
        if (++serverCount * 2 > table.length) {
            grow();
        }
        lastServer = sc;
        return sc;
    }

    private static int slot(long hi, long lo, int port) {
        long h = (hi * 31 + lo) * 0x9E37_79B9_7F4A_7C15L + port;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        ServerCounts[] old = table;
        table = new ServerCounts[old.length * 2];
        int mask = table.length - 1;
        for (ServerCounts sc : old) {
            if (sc != null) {
                int i = slot(sc.hi, sc.lo, sc.port) & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = sc;
            }
        }
    }

    /** The summary, with the listener findings {@code config}'s thresholds lead to. */
    /** The verdicts counted more than zero times, in declaration order. */
    private static Map<Verdict, Long> present(long[] counts) {
        Map<Verdict, Long> m = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            if (counts[v.ordinal()] > 0) {
                m.put(v, counts[v.ordinal()]);
            }
        }
        return m;
    }

    public Summary build(ClassifierConfig config) {
        Map<Verdict, Long> verdicts = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            verdicts.put(v, byVerdict[v.ordinal()]);
        }
        Map<Outcome, Long> outcomes = new LinkedHashMap<>();
        Map<Outcome, Long> failureOutcomes = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, byOutcome[o.ordinal()]);
            failureOutcomes.put(o, failuresByOutcome[o.ordinal()]);
        }
        List<Summary.ServerSummary> perServer = new ArrayList<>(serverCount);
        for (ServerCounts sc : table) {
            if (sc == null) {
                continue;
            }
            perServer.add(new Summary.ServerSummary(sc.server, sc.connections,
                    present(sc.byVerdict), sc.failures, sc.answered, sc.worked,
                    present(sc.laterByVerdict), sc.healthyWithLoss, sc.ackIgnoredUnconfirmed));
        }
        perServer.sort(MOST_FAILURES_FIRST);
        Map<Verdict, Summary.DelayStats> delayStats = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            long[] s = delays[v.ordinal()];
            if (s != null) {
                delayStats.put(v, new Summary.DelayStats(s[0], s[1], s[2], s[3]));
            }
        }
        flushPendingFailures();
        return new Summary(connections, oneDirection, verdicts, outcomes, failureOutcomes,
                List.copyOf(perServer),
                new TreeMap<>(failuresPerSecond), delayStats,
                ListenerDiagnosis.findings(perServer, config));
    }
}
