package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Full intervals, peaks, limits and caps, from sample sequences made here. */
class ListenerBookTest {
    private static final long MS = 1_000_000;

    private static DiagRow listener(long cookie, int port, int depth, int backlog) {
        DiagRow r = new DiagRow();
        r.family = DiagRow.AF_INET;
        r.state = SockDiag.TCP_LISTEN;
        r.localPort = port;
        r.localAddr[0] = 10;
        r.localAddr[3] = 5;
        r.cookie = cookie;
        r.rqueue = depth;
        r.wqueue = backlog;
        return r;
    }

    private static DiagRow request(int port) {
        DiagRow r = listener(0, port, 0, 0);
        r.state = SockDiag.TCP_SYN_RECV;
        return r;
    }

    /** One sample at {@code ms} with the listener at {@code depth} of backlog 4. */
    private static void sample(ListenerBook book, long ms, int depth) {
        book.begin(ms * MS);
        book.listener(listener(1, 80, depth, 4));
        book.end();
    }

    @Test
    void fullMeansMoreThanTheBacklogAndIntervalsRunFromSampleToSample() {
        ListenerBook book = new ListenerBook(8, 8);
        int[] depths = {0, 4, 5, 5, 5, 2, 5, 5};
        for (int i = 0; i < depths.length; i++) {
            sample(book, 100L * i, depths[i]);
        }
        ListenerStats l = book.stats().get(0);
        assertEquals("10.0.0.5", l.ip());
        assertEquals(5, l.acceptQueuePeak());
        // 4 = backlog is not full; full at 200..400, free at 500, full again from 600 on.
        assertEquals(List.of(new ListenerStats.FullInterval(200 * MS, 500 * MS, false),
                new ListenerStats.FullInterval(600 * MS, 700 * MS, true)), l.fullIntervals());
        assertEquals(300 + 100, l.fullMillis());
        assertEquals(LimitedBy.BACKLOG, l.limitedBy());
    }

    @Test
    void aListenerThatClosesWhileFullEndsItsIntervalAtItsLastSample() {
        ListenerBook book = new ListenerBook(8, 8);
        sample(book, 0, 5);
        sample(book, 100, 5);
        book.begin(200 * MS);
        book.end();
        ListenerStats l = book.stats().get(0);
        assertEquals(false, l.open());
        assertEquals(List.of(new ListenerStats.FullInterval(0, 100 * MS, false)), l.fullIntervals());
        assertEquals(100, l.fullMillis());
    }

    @Test
    void onlyTheLatestIntervalsAreKept() {
        ListenerBook book = new ListenerBook(8, 2);
        for (int i = 0; i < 10; i++) {
            sample(book, 100L * i, i % 2 == 0 ? 5 : 0); // full 0-100, 200-300, ..., 800-900
        }
        ListenerStats l = book.stats().get(0);
        assertEquals(List.of(new ListenerStats.FullInterval(600 * MS, 700 * MS, false),
                new ListenerStats.FullInterval(800 * MS, 900 * MS, false)), l.fullIntervals());
        assertEquals(3, l.droppedFullIntervals());
        assertEquals(500, l.fullMillis(), "dropped intervals still count in the total");
    }

    @Test
    void listenersPastTheCapAreCountedNotKept() {
        ListenerBook book = new ListenerBook(2, 4);
        book.begin(0);
        for (int i = 1; i <= 5; i++) {
            book.listener(listener(i, 80 + i, 0, 4));
        }
        book.end();
        assertEquals(2, book.stats().size());
        assertEquals(3, book.notKeptPeak());
        // Once a sample has found listener 1 closed, a new one takes its place.
        book.begin(100 * MS);
        book.listener(listener(2, 82, 0, 4));
        book.end();
        book.begin(200 * MS);
        book.listener(listener(2, 82, 0, 4));
        book.listener(listener(6, 86, 0, 4));
        book.end();
        assertEquals(List.of(82, 86), book.stats().stream().map(ListenerStats::port).toList());
        assertEquals(1, book.closedDropped());
    }

    @Test
    void requestSocketsGoToTheExactListenerElseTheWildcardOne() {
        ListenerBook book = new ListenerBook(8, 8);
        book.begin(0);
        book.listener(listener(1, 80, 0, 128));
        DiagRow wildcard = listener(2, 443, 0, 128);
        java.util.Arrays.fill(wildcard.localAddr, (byte) 0);
        book.listener(wildcard);
        book.beginSynRecv();
        for (int i = 0; i < 3; i++) {
            book.synRecv(request(80));
        }
        book.synRecv(request(443));
        book.synRecv(request(8080)); // no listener: not counted anywhere
        book.endSynRecv();
        book.end();
        List<ListenerStats> s = book.stats();
        assertEquals(3, s.get(0).synRecvNow());
        assertEquals("0.0.0.0", s.get(1).ip());
        assertEquals(1, s.get(1).synRecvNow());
    }

    @Test
    void somaxconnAndTcpMaxSynBacklogAreNamedWhenTheyAreTheLimit() {
        ListenerBook book = new ListenerBook(8, 8);
        book.limits(new ListenerBook.Limits(128, 100, 0));
        book.begin(0);
        book.listener(listener(1, 80, 0, 128)); // listen(511) capped by somaxconn 128
        book.listener(listener(2, 81, 0, 50));
        book.beginSynRecv();
        for (int i = 0; i < 75; i++) {
            book.synRecv(request(80));
        }
        book.endSynRecv();
        book.end();
        ListenerStats capped = book.stats().get(0);
        assertEquals(LimitedBy.SOMAXCONN, capped.acceptLimitBy());
        // Without cookies, SYNs are dropped once fewer than a quarter of 100 is left.
        assertEquals(75, capped.synQueueLimit());
        assertEquals(LimitedBy.TCP_MAX_SYN_BACKLOG, capped.synQueueLimitBy());
        assertEquals(LimitedBy.TCP_MAX_SYN_BACKLOG, capped.limitedBy(), "the SYN queue reached its limit");
        ListenerStats small = book.stats().get(1);
        assertEquals(LimitedBy.BACKLOG, small.acceptLimitBy());
        assertEquals(50, small.synQueueLimit());
        assertEquals(LimitedBy.BACKLOG, small.synQueueLimitBy());
    }
}
