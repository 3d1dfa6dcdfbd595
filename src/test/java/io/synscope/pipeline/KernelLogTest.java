package io.synscope.pipeline;

import io.synscope.diagnose.KernelView;
import io.synscope.capture.Addresses;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's evidence as the classifier asks it: a listener's queue over a window, a counter's
 * rise, the reset nearest a packet; the same answers after a trip through the document
 * {@code live -w} attaches; and a hostile document refused.
 */
class KernelLogTest {
    private static final byte[] SERVER = {10, 77, 0, 2};
    private static final byte[] CLIENT = {10, 77, 0, 1};
    private static final byte[] ANY = {0, 0, 0, 0};
    private static final long MS = 1_000_000;
    private static final long T0 = 1_765_000_000_000_000_000L;

    /** A listener (backlog 4) that fills at 300 ms and drains at 700 ms; counters alongside. */
    private static KernelLog filling() {
        return filling(T0);
    }

    /** As {@link #filling()}, its first sample at {@code t0}. */
    private static KernelLog filling(long t0) {
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        log.sysctl("net.core.somaxconn", 4096);
        for (int k = 0; k <= 10; k++) {
            log.sample(t0 + k * 100 * MS);
            int depth = k < 3 ? k : k < 7 ? 5 : 0;
            log.listener(ANY, 8080, depth, 4, k == 5 ? 2 : 0);
            log.counter("ListenOverflows", k < 3 ? 0 : k < 7 ? 10L * (k - 2) : 40);
            log.endSample(true);
        }
        log.reset(t0 + 500 * MS, SERVER, 8080, CLIENT, 40001, "TCP_CLOSE", "TCP_ABORT_ON_CLOSE");
        return log;
    }

    private static void assertAnswers(KernelView k) {
        assertAnswers(k, T0);
    }

    /** What {@link #filling(long)} of {@code t0} must answer. */
    private static void assertAnswers(KernelView k, long t0) {
        long hi = Addresses.hi(SERVER);
        long lo = Addresses.lo(SERVER);
        assertEquals(new KernelView.QueueReading(4, 5, true),
                k.acceptQueue(hi, lo, 8080, t0 + 350 * MS, t0 + 420 * MS), "wildcard listener");
        assertEquals(new KernelView.QueueReading(4, 2, false),
                k.acceptQueue(hi, lo, 8080, t0 + 150 * MS, t0 + 190 * MS));
        assertNull(k.acceptQueue(hi, lo, 9090, t0, t0 + MS), "no such listener");
        assertNull(k.acceptQueue(hi, lo, 8080, t0 + 900 * MS, t0 + 1100 * MS), "not sampled");
        assertEquals(10, k.counterRise("ListenOverflows", t0 + 250 * MS, t0 + 300 * MS));
        assertEquals(20, k.counterRise("ListenOverflows", t0 + 250 * MS, t0 + 310 * MS),
                "widened to the sample after");
        assertEquals(0, k.counterRise("ListenOverflows", t0 + 800 * MS, t0 + 900 * MS));
        assertEquals(-1, k.counterRise("ListenDrops", t0, t0 + MS));
        KernelView.KernelReset r = k.resetSent(hi, lo, 8080, Addresses.hi(CLIENT),
                Addresses.lo(CLIENT), 40001, t0 + 520 * MS);
        assertEquals("TCP_ABORT_ON_CLOSE", r.reason());
        assertNull(k.resetSent(hi, lo, 8080, Addresses.hi(CLIENT), Addresses.lo(CLIENT), 40001,
                t0 + 900 * MS), "too far from the packet");
        assertNull(k.resetSent(Addresses.hi(CLIENT), Addresses.lo(CLIENT), 40001, hi, lo, 8080,
                t0 + 500 * MS), "the other direction");
    }

    @Test
    void answersWhatTheSamplesShow() {
        assertAnswers(filling());
    }

    @Test
    void theListenersSummarySaysWhenItWasFullAndWhatLimitedIt() {
        KernelSummary s = filling().summary();
        KernelSummary.Listener l = s.listeners().get(0);
        assertEquals(4, l.backlog());
        assertEquals(5, l.peakDepth());
        assertEquals(2, l.synRecvPeak());
        assertEquals(List.of(new KernelSummary.Interval(T0 + 300 * MS, T0 + 700 * MS)),
                l.fullIntervals());
        assertEquals(400 * MS, l.fullNanos());
        assertEquals("listen() backlog", l.limitedBy());
        assertEquals(40L, s.counters().get("ListenOverflows"));
    }

    /** A log of one listener (wildcard :80, backlog 4) sampled every 100 ms at these depths. */
    private static KernelLog depths(int... depths) {
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        for (int k = 0; k < depths.length; k++) {
            log.sample(T0 + k * 100 * MS);
            log.listener(ANY, 80, depths[k], 4, 0);
            log.endSample(true);
        }
        return log;
    }

    @Test
    void fullMeansMoreThanTheBacklogAndIntervalsRunFromSampleToSample() {
        KernelSummary.Listener l = depths(0, 4, 5, 5, 5, 2, 5, 5).summary().listeners().get(0);
        assertEquals(5, l.peakDepth());
        // 4 = backlog is not full; full at 200..400, free at 500, full again from 600 to the end.
        assertEquals(List.of(new KernelSummary.Interval(T0 + 200 * MS, T0 + 500 * MS),
                new KernelSummary.Interval(T0 + 600 * MS, T0 + 700 * MS)), l.fullIntervals());
        assertEquals(400 * MS, l.fullNanos());
        assertTrue(l.acceptQueueFull());
    }

    @Test
    void theFirstIntervalsAreKeptAndTheRestStillCountInTheTotal() {
        int n = KernelSummary.Listener.MAX_INTERVALS + 5;
        int[] d = new int[2 * n];
        for (int k = 0; k < n; k++) {
            d[2 * k] = 5; // full for 100 ms, then free
        }
        KernelSummary.Listener l = depths(d).summary().listeners().get(0);
        assertEquals(KernelSummary.Listener.MAX_INTERVALS, l.fullIntervals().size());
        assertEquals(new KernelSummary.Interval(T0, T0 + 100 * MS), l.fullIntervals().get(0));
        assertEquals(n * 100 * MS, l.fullNanos(), "the intervals not kept still count");
    }

    @Test
    void aQueueFullOnlyAtTheLastSampleWasFullAndThatLimitedIt() {
        KernelLog log = sampling(Map.of("net.ipv4.tcp_syncookies", 1L));
        log.listener(ANY, 80, 0, 4, 4);
        log.endSample(true);
        log.sample(T0 + 100 * MS);
        log.listener(ANY, 80, 5, 4, 4);
        log.endSample(true);
        KernelSummary.Listener l = log.summary().listeners().get(0);
        assertEquals(0, l.fullNanos(), "known full at one sample only");
        assertEquals(List.of(new KernelSummary.Interval(T0 + 100 * MS, T0 + 100 * MS)),
                l.fullIntervals());
        assertTrue(l.acceptQueueFull(), "5 waiting with a backlog of 4 is full");
        assertTrue(l.synQueueFull());
        assertEquals("listen() backlog", l.limitedBy(),
                "the accept queue's limit: it was full, not only the SYN queue");
    }

    /** A log whose listeners were read, with these sysctls, at its first sample (T0). */
    private static KernelLog sampling(Map<String, Long> sysctls) {
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        sysctls.forEach(log::sysctl);
        log.sample(T0);
        return log;
    }

    /** The summary's listeners by port. */
    private static Map<Integer, KernelSummary.Listener> summaryByPort(KernelLog log) {
        Map<Integer, KernelSummary.Listener> byPort = new LinkedHashMap<>();
        log.summary().listeners().forEach(l -> byPort.put(l.listener().port(), l));
        return byPort;
    }

    /**
     * listen() stores min(backlog, somaxconn): a backlog equal to somaxconn is its doing, one
     * below is the application's, and one above was set before somaxconn was lowered.
     */
    @Test
    void somaxconnIsTheLimitWhenTheBacklogEqualsIt() {
        KernelLog log = sampling(Map.of("net.core.somaxconn", 128L));
        log.listener(ANY, 80, 129, 128, 0); // listen(511) capped by somaxconn 128
        log.listener(ANY, 81, 51, 50, 0);
        log.listener(ANY, 82, 201, 200, 0); // listen(200) before somaxconn went down to 128
        Map<Integer, KernelSummary.Listener> byPort = summaryByPort(log);
        assertEquals("net.core.somaxconn", byPort.get(80).limitedBy());
        assertEquals("listen() backlog", byPort.get(81).limitedBy());
        assertEquals("listen() backlog", byPort.get(82).limitedBy());
    }

    @Test
    void withoutCookiesTheSynQueueStopsAtThreeQuartersOfTcpMaxSynBacklog() {
        KernelLog log = sampling(Map.of("net.core.somaxconn", 128L,
                "net.ipv4.tcp_max_syn_backlog", 100L, "net.ipv4.tcp_syncookies", 0L));
        log.listener(ANY, 80, 0, 128, 75);
        log.listener(ANY, 81, 0, 50, 3);
        Map<Integer, KernelSummary.Listener> byPort = summaryByPort(log);
        KernelSummary.Listener capped = byPort.get(80);
        assertEquals("net.core.somaxconn", capped.acceptQueueLimitBy());
        // Without cookies, SYNs are dropped once fewer than a quarter of 100 is left.
        assertEquals(75, capped.synQueueLimit());
        assertEquals("net.ipv4.tcp_max_syn_backlog", capped.synQueueLimitBy());
        assertTrue(capped.synQueueFull());
        assertEquals("net.ipv4.tcp_max_syn_backlog", capped.limitedBy(),
                "the SYN queue reached its limit");
        KernelSummary.Listener small = byPort.get(81);
        assertEquals(50, small.synQueueLimit());
        assertEquals("listen() backlog", small.synQueueLimitBy());
        assertEquals("listen() backlog", small.limitedBy(), "no queue reached a limit");
    }

    @Test
    void aCountersRiseIsItsLatestValueMinusItsFirst() {
        KernelLog log = new KernelLog();
        log.sourceAvailable("counters");
        long[][] samples = {{10, 0, 4}, {12, 0, 4}, {15, 1, 2}};
        for (int k = 0; k < samples.length; k++) {
            log.sample(T0 + k * 100 * MS);
            log.counter("ListenDrops", samples[k][0]);
            log.counter("ListenOverflows", samples[k][1]);
            log.counter("CurrEstab", samples[k][2]);
            log.endSample(false);
        }
        assertEquals(Map.of("ListenDrops", 5L, "ListenOverflows", 1L, "CurrEstab", -2L),
                log.now().counterRises(), "gauges such as CurrEstab may fall");
        assertEquals(List.of("ListenDrops", "ListenOverflows", "CurrEstab"),
                List.copyOf(log.summary().counters().keySet()), "those that moved, most first");
    }

    /**
     * Two SO_REUSEPORT sockets on one address and port, each with its own accept queue: a
     * connection meets one of them, so the listener is as full as its fullest socket, whichever
     * that is at each sample; the request sockets are counted on one of them and add up.
     */
    @Test
    void reusePortSocketsAreOneListenerAsFullAsItsFullestSocket() throws IOException {
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        int[][] depths = {{0, 0}, {5, 0}, {5, 1}, {0, 5}, {1, 2}, {1, 2}};
        for (int k = 0; k < depths.length; k++) {
            log.sample(T0 + k * 100 * MS);
            log.listener(ANY, 80, depths[k][0], 4, 0);
            log.listener(ANY, 80, depths[k][1], 4, k >= 4 ? 3 : 0);
            log.endSample(true);
        }
        KernelSummary.Listener l = log.summary().listeners().get(0);
        assertEquals(List.of(new KernelSummary.Interval(T0 + 100 * MS, T0 + 400 * MS)),
                l.fullIntervals(), "one socket or the other full from 100 to 400 ms");
        assertEquals(300 * MS, l.fullNanos());
        assertEquals(5, l.peakDepth());
        assertEquals(3, l.synRecvPeak());
        assertEquals(List.of(new KernelSummary.Depth(T0, 0), new KernelSummary.Depth(T0 + 100 * MS, 5),
                new KernelSummary.Depth(T0 + 400 * MS, 2)), l.depth(), "one value per sample, when it changed");
        long hi = Addresses.hi(SERVER);
        long lo = Addresses.lo(SERVER);
        assertEquals(new KernelView.QueueReading(4, 5, true),
                log.acceptQueue(hi, lo, 80, T0 + 310 * MS, T0 + 390 * MS));
        assertEquals(new KernelView.QueueReading(4, 2, false),
                log.acceptQueue(hi, lo, 80, T0 + 410 * MS, T0 + 490 * MS));
        assertEquals(log.summary(), KernelDocument.read(KernelDocument.write(log)).summary());
    }

    @Test
    void aListenerThatGoesAwayIsNoLongerFull() {
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        log.sample(T0);
        log.listener(ANY, 80, 5, 4, 0);
        log.endSample(true);
        log.sample(T0 + 100 * MS);
        log.endSample(true);
        log.sample(T0 + 200 * MS);
        log.endSample(true);
        assertEquals(100 * MS, log.summary().listeners().get(0).fullNanos());
        long hi = Addresses.hi(SERVER);
        long lo = Addresses.lo(SERVER);
        assertTrue(log.listenerClosed(hi, lo, 80, T0 + 50 * MS), "closed between the samples");
        assertFalse(log.listenerClosed(hi, lo, 80, T0 + 150 * MS), "long gone by then");
        assertFalse(log.listenerClosed(hi, lo, 81, T0 + 50 * MS));
    }

    @Test
    void listenersNotReadAreNotClosedButUnknown() {
        // sock_diag stopped after the first sample: the samples go on, the listeners unread.
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        log.sample(T0);
        log.listener(ANY, 80, 5, 4, 0);
        log.endSample(true);
        for (int k = 1; k <= 3; k++) {
            log.sample(T0 + k * 100 * MS);
            log.counter("ListenOverflows", k);
            log.endSample(false);
        }
        long hi = Addresses.hi(SERVER);
        long lo = Addresses.lo(SERVER);
        assertNull(log.acceptQueue(hi, lo, 80, T0 + 150 * MS, T0 + 250 * MS), "unknown, not room");
        assertFalse(log.listenerClosed(hi, lo, 80, T0 + 50 * MS));
        assertEquals(2, log.counterRise("ListenOverflows", T0 + 100 * MS, T0 + 300 * MS),
                "the counters still count");
    }

    @Test
    void anIpv6ConnectionIsNeverTheIpv4WildcardsBusiness() {
        // nginx: listen 80; listen [::]:80; the IPv4 socket full, the IPv6 one empty.
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        byte[] any6 = new byte[16];
        for (int k = 0; k < 2; k++) {
            log.sample(T0 + k * 100 * MS);
            log.listener(ANY, 80, 6, 5, 0);
            log.listener(any6, 80, 0, 5, 0);
            log.endSample(true);
        }
        byte[] v6 = new byte[16];
        v6[0] = (byte) 0xfd;
        v6[15] = 1;
        assertEquals(new KernelView.QueueReading(5, 0, false), log.acceptQueue(Addresses.hi(v6),
                Addresses.lo(v6), 80, T0 + 10 * MS, T0 + 90 * MS));
        assertEquals(new KernelView.QueueReading(5, 6, true), log.acceptQueue(
                Addresses.hi(SERVER), Addresses.lo(SERVER), 80, T0 + 10 * MS, T0 + 90 * MS));
    }

    @Test
    void theDocumentBringsBackTheSameAnswers() throws IOException {
        String text = KernelDocument.write(filling());
        KernelLog back = KernelDocument.read(text);
        assertAnswers(back);
        assertEquals(filling().summary(), back.summary());
        assertEquals(text, KernelDocument.write(back));
    }

    /**
     * Two recordings ten seconds apart (two {@code live -w} files) read as one: each answers as
     * it does alone, no window spans the gap between them, the counters rise by each one's
     * rise, a full queue lasts to the end of its own recording, and the merge survives a trip
     * through the document.
     */
    @Test
    void recordingsMergedAnswerAsEachDoesAlone() throws IOException {
        long t1 = T0 + 10_000 * MS;
        Map<String, String> problems = new LinkedHashMap<>();
        KernelDocument.Doc merged = KernelDocument.merge(List.of(
                KernelDocument.parse(KernelDocument.write(filling(t1))),
                KernelDocument.parse(KernelDocument.write(filling(T0)))), List.of("b", "a"),
                problems);
        assertEquals(Map.of(), problems);
        KernelLog log = KernelDocument.read(KernelDocument.write(KernelDocument.read(
                KernelDocument.write(readBack(merged)))));
        assertAnswers(log, T0);
        assertAnswers(log, t1);
        long hi = Addresses.hi(SERVER);
        long lo = Addresses.lo(SERVER);
        assertNotNull(filling(T0).acceptQueue(hi, lo, 8080, T0 + 950 * MS, T0 + 999 * MS),
                "the first recording's last samples alone");
        assertNull(log.acceptQueue(hi, lo, 8080, T0 + 950 * MS, t1 + 50 * MS),
                "nothing was sampled between the recordings");
        assertEquals(-1, log.counterRise("ListenOverflows", T0 + 950 * MS, t1 + 50 * MS));
        KernelSummary s = log.summary();
        assertEquals(80L, s.counters().get("ListenOverflows"), "40 in each recording");
        KernelSummary.Listener l = s.listeners().get(0);
        assertEquals(List.of(new KernelSummary.Interval(T0 + 300 * MS, T0 + 700 * MS),
                new KernelSummary.Interval(t1 + 300 * MS, t1 + 700 * MS)), l.fullIntervals());
        assertEquals(800 * MS, l.fullNanos());

        // A recording of the same period (another host's, say) adds its resets only.
        KernelDocument.Doc overlapping = KernelDocument.merge(List.of(
                KernelDocument.parse(KernelDocument.write(filling(T0))),
                KernelDocument.parse(KernelDocument.write(filling(T0 + 50 * MS)))),
                List.of("a", "c"), problems);
        assertTrue(problems.containsKey("recorded evidence of c"), problems.toString());
        KernelLog both = readBack(overlapping);
        assertAnswers(both, T0);
        assertEquals(40L, both.summary().counters().get("ListenOverflows"));
        assertNotNull(both.resetSent(hi, lo, 8080, Addresses.hi(CLIENT), Addresses.lo(CLIENT),
                40001, T0 + 550 * MS), "c's reset");
    }

    /**
     * One recording of {@code live -w}: 11 samples 100 ms apart from {@code t0}, each listing
     * the listeners {@code listening} says listen at that sample, as {address, port, depth,
     * backlog}.
     */
    private static KernelLog recording(long t0,
                                       java.util.function.IntFunction<List<Object[]>> listening) {
        KernelLog log = new KernelLog();
        log.sourceAvailable("sock_diag");
        for (int k = 0; k <= 10; k++) {
            log.sample(t0 + k * 100 * MS);
            for (Object[] l : listening.apply(k)) {
                log.listener((byte[]) l[0], (int) l[1], (int) l[2], (int) l[3], 0);
            }
            log.endSample(true);
        }
        return log;
    }

    /**
     * Two recordings with different listeners read as one: a window of each is answered by
     * what that recording's sock_diag listed, never by a listener the other listed. The
     * first: 10.77.0.2:8080 full all along (5 waiting, backlog 4), :7070 until its fifth
     * sample, the wildcard :443 idle. The second, 10 s later: the service on 8080 moved to the
     * wildcard (1 waiting, backlog 16), :7070 gone, :9090 from its fifth sample, :443 as before.
     */
    @Test
    void aListenerOfOneRecordingSaysNothingOfAnother() throws IOException {
        long t1 = T0 + 10_000 * MS;
        KernelLog first = recording(T0, k -> k < 5
                ? List.of(new Object[] {SERVER, 8080, 5, 4}, new Object[] {SERVER, 7070, 1, 8},
                        new Object[] {ANY, 443, 0, 128})
                : List.of(new Object[] {SERVER, 8080, 5, 4}, new Object[] {ANY, 443, 0, 128}));
        KernelLog second = recording(t1, k -> k < 4
                ? List.of(new Object[] {ANY, 8080, 1, 16}, new Object[] {ANY, 443, 0, 128})
                : List.of(new Object[] {ANY, 8080, 1, 16}, new Object[] {ANY, 443, 0, 128},
                        new Object[] {SERVER, 9090, 2, 32}));
        Map<String, String> problems = new LinkedHashMap<>();
        KernelLog log = readBack(KernelDocument.merge(List.of(
                KernelDocument.parse(KernelDocument.write(second)),
                KernelDocument.parse(KernelDocument.write(first))), List.of("b", "a"),
                problems));
        assertEquals(Map.of(), problems);
        long hi = Addresses.hi(SERVER);
        long lo = Addresses.lo(SERVER);

        assertEquals(new KernelView.QueueReading(4, 5, true),
                log.acceptQueue(hi, lo, 8080, T0 + 950 * MS, T0 + 990 * MS), "8080, first");
        assertEquals(new KernelView.QueueReading(16, 1, false),
                log.acceptQueue(hi, lo, 8080, t1 + 10 * MS, t1 + 90 * MS),
                "8080 in the second: its wildcard, not the first's full queue");
        assertEquals(new KernelView.QueueReading(16, 1, false),
                log.acceptQueue(hi, lo, 8080, t1 + 950 * MS, t1 + 990 * MS));
        assertEquals(new KernelView.QueueReading(8, 1, false),
                log.acceptQueue(hi, lo, 7070, T0 + 110 * MS, T0 + 190 * MS), "7070, first");
        assertTrue(log.listenerClosed(hi, lo, 7070, T0 + 450 * MS), "closed in the first");
        assertNull(log.acceptQueue(hi, lo, 9090, T0 + 110 * MS, T0 + 190 * MS),
                "9090 only in the second");
        assertNull(log.acceptQueue(hi, lo, 9090, t1 + 110 * MS, t1 + 190 * MS),
                "9090 not yet in the second");
        assertEquals(new KernelView.QueueReading(32, 2, false),
                log.acceptQueue(hi, lo, 9090, t1 + 410 * MS, t1 + 490 * MS));
        assertEquals(new KernelView.QueueReading(128, 0, false),
                log.acceptQueue(hi, lo, 443, t1 + 10 * MS, t1 + 90 * MS),
                "listed by both alike: still listed in the second");
        for (int k = 0; k < 10; k++) {
            long from = t1 + k * 100 * MS + 10 * MS;
            long to = from + 80 * MS;
            assertNull(log.acceptQueue(hi, lo, 7070, from, to), "7070 in the second, " + k);
            assertFalse(log.listenerClosed(hi, lo, 7070, from), "7070 in the second, " + k);
            assertFalse(log.listenerClosed(hi, lo, 8080, from), "8080 in the second, " + k);
        }
        // Each file alone answers the same for every sample gap of its own.
        for (KernelLog alone : List.of(first, second)) {
            long t = alone == first ? T0 : t1;
            for (int k = 0; k < 10; k++) {
                long from = t + k * 100 * MS + 10 * MS;
                for (int port : new int[] {8080, 7070, 9090, 443}) {
                    String where = port + " at " + k + (alone == first ? ", first" : ", second");
                    assertEquals(alone.acceptQueue(hi, lo, port, from, from + 80 * MS),
                            log.acceptQueue(hi, lo, port, from, from + 80 * MS), where);
                    assertEquals(alone.listenerClosed(hi, lo, port, from),
                            log.listenerClosed(hi, lo, port, from), where);
                }
            }
        }
    }

    private static KernelLog readBack(KernelDocument.Doc d) throws IOException {
        return KernelDocument.read(new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(d));
    }

    @Test
    void aHostileDocumentIsRefusedWithWhatIsWrong() {
        String good = KernelDocument.write(filling());
        for (String[] bad : new String[][] {
                {"not json", "{"},
                {"other version", good.replace("\"version\":1", "\"version\":9")},
                {"a name, not an address", good.replace("\"10.77.0.2\"", "\"example.com\"")},
                // Not a dotted quad to InetAddress, so a host name to look up: never here.
                {"an octet over 255", good.replace("\"10.77.0.2\"", "\"999.77.0.2\"")},
                {"index out of range", good.replace("\"samples\":[0,", "\"samples\":[99,")},
                {"times backwards", good.replaceFirst("\"sample_times_ns\":\\[(\\d+),",
                        "\"sample_times_ns\":[" + (T0 + 999 * MS) + ",")},
                {"port out of range", good.replace("\"port\":8080", "\"port\":70000")}}) {
            assertFalse(bad[1].equals(good), bad[0] + ": the test's edit did not apply");
            IOException e = assertThrows(IOException.class, () -> KernelDocument.read(bad[1]),
                    bad[0]);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), bad[0]);
        }
    }
}
