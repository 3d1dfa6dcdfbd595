package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the book tells the sink of each sample: the cap on listeners, SYN_RECV per listener. */
class ListenerBookTest {

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

    /** A listener as told: its address, port, queue, backlog and SYN_RECV count. */
    private record Told(List<Byte> address, int port, int acceptQueue, int backlog, int synRecv) {
    }

    private static List<Told> told(ListenerBook book) {
        List<Told> told = new ArrayList<>();
        book.tellSeen(new SampleSink() {
            @Override
            public void listener(byte[] address, int port, int acceptQueue, int backlog, int synRecv) {
                List<Byte> a = new ArrayList<>();
                for (byte b : address) {
                    a.add(b);
                }
                told.add(new Told(a, port, acceptQueue, backlog, synRecv));
            }
        });
        return told;
    }

    @Test
    void eachSampleTellsItsListenersWithTheirQueues() {
        ListenerBook book = new ListenerBook(8);
        book.begin();
        book.listener(listener(1, 80, 5, 4));
        book.end();
        assertEquals(List.of(new Told(List.of((byte) 10, (byte) 0, (byte) 0, (byte) 5), 80, 5, 4, 0)),
                told(book));
        book.begin();
        book.end();
        assertEquals(List.of(), told(book), "closed: no longer told");
    }

    @Test
    void listenersPastTheCapAreCountedNotKept() {
        ListenerBook book = new ListenerBook(2);
        book.begin();
        for (int i = 1; i <= 5; i++) {
            book.listener(listener(i, 80 + i, 0, 4));
        }
        book.end();
        assertEquals(2, told(book).size());
        assertEquals(3, book.notKeptPeak());
        // Once a sample has found listener 1 closed, a new one takes its place.
        book.begin();
        book.listener(listener(2, 82, 0, 4));
        book.end();
        book.begin();
        book.listener(listener(2, 82, 0, 4));
        book.listener(listener(6, 86, 0, 4));
        book.end();
        assertEquals(List.of(82, 86), told(book).stream().map(Told::port).toList());
        assertEquals(1, book.closedDropped());
    }

    @Test
    void requestSocketsGoToTheExactListenerElseTheWildcardOne() {
        ListenerBook book = new ListenerBook(8);
        book.begin();
        book.listener(listener(1, 80, 0, 128));
        DiagRow wildcard = listener(2, 443, 0, 128);
        Arrays.fill(wildcard.localAddr, (byte) 0);
        book.listener(wildcard);
        book.beginSynRecv();
        for (int i = 0; i < 3; i++) {
            book.synRecv(request(80));
        }
        book.synRecv(request(443));
        book.synRecv(request(8080)); // no listener: not counted anywhere
        book.endSynRecv();
        book.end();
        List<Told> t = told(book);
        assertEquals(3, t.get(0).synRecv());
        assertEquals(List.of((byte) 0, (byte) 0, (byte) 0, (byte) 0), t.get(1).address());
        assertEquals(1, t.get(1).synRecv());
    }
}
