package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listener that never accepts, in a namespace of its own, and more clients than its backlog:
 * the sampler's backlog, peak and full time against what the test set up and what {@code ss}
 * and {@code nstat} (the kernel's own tools) say.
 */
class AcceptQueueTest {
    private static final int PORT = 8080;
    private static final long INTERVAL_MILLIS = 50;
    private static final long HOLD_MILLIS = 1_000;

    @Test
    void backlogPeakFullTimeAndCountersMatchTheKernelsTools() throws Exception {
        try (TestNetns ns = TestNetns.open("aq")) {
            Run run = fill(ns, 5, false);
            ListenerStats l = run.listener;
            assertEquals(5, l.backlog(), "listen(5)");
            assertEquals(LimitedBy.BACKLOG, l.acceptLimitBy());
            assertEquals(LimitedBy.BACKLOG, l.limitedBy());
            assertEquals(6, l.acceptQueuePeak(), "the kernel queues one past the backlog");
            assertEquals(run.ssRecvQ, l.acceptQueuePeak(), "ss -lnt Recv-Q while full");
            assertEquals(run.ssSendQ, l.backlog(), "ss -lnt Send-Q");
            assertFullFor(run);
            assertCountersMatchNstat(run);
            assertTrue(run.report.counters().get("ListenOverflows") > 0,
                    "the clients past the backlog overflowed: " + run.report.counters());
        }
    }

    @Test
    void aSomaxconnBelowTheBacklogIsTheLimitAndSaysSo() throws Exception {
        try (TestNetns ns = TestNetns.open("smc")) {
            ns.exec("sysctl", "-qw", "net.core.somaxconn=3");
            Run run = fill(ns, 8, true);
            ListenerStats l = run.listener;
            assertEquals(3, l.backlog(), "min(listen(8), somaxconn 3)");
            assertEquals(3L, run.report.sysctls().get("net.core.somaxconn"),
                    "the namespace's somaxconn, not the host's");
            assertEquals(LimitedBy.SOMAXCONN, l.acceptLimitBy());
            assertEquals(LimitedBy.SOMAXCONN, l.limitedBy());
            assertEquals(4, l.acceptQueuePeak());
            assertEquals(run.ssRecvQ, l.acceptQueuePeak());
            assertEquals(run.ssSendQ, l.backlog());
            assertFullFor(run);
            assertCountersMatchNstat(run);
        }
    }

    /** What one run saw: the sampler's report and the kernel tools' numbers. */
    private record Run(KernelReport report, ListenerStats listener, long fullFromNanos,
                       long fullToNanos, long beforeNanos, int ssRecvQ, int ssSendQ,
                       Map<String, Long> nstatBefore, Map<String, Long> nstatAfter,
                       NavigableMap<Long, Long> listenDrops) {
        /** ListenDrops as told at the last sample at or before {@code tsNanos}. */
        long listenDropsAt(long tsNanos) {
            Map.Entry<Long, Long> e = listenDrops.floorEntry(tsNanos);
            assertTrue(e != null, "a sample at or before " + tsNanos);
            return e.getValue();
        }
    }

    /**
     * listen({@code backlog}) on 127.0.0.1 and never accept; connect backlog+3 clients; hold
     * the queue full for a second; close everything; the counters are quiet before and after.
     */
    private static Run fill(TestNetns ns, int backlog, boolean limitedBySomaxconn) throws Exception {
        Map<String, Long> before = nstat(ns);
        RecordingSink sink = new RecordingSink();
        KernelSampler sampler = KernelSampler.start(KernelConfig.defaults().withNetns(ns.name)
                .withIntervals(INTERVAL_MILLIS, 1000), status -> { }, sink);
        ServerSocket server = ns.call(() -> new ServerSocket(PORT, backlog, InetAddress.getLoopbackAddress()));
        Thread.sleep(3 * INTERVAL_MILLIS);
        long beforeNanos = KernelSampler.realtimeNanos();
        int queued = limitedBySomaxconn ? 4 : backlog + 1;
        List<SocketChannel> clients = ns.call(() -> {
            List<SocketChannel> list = new ArrayList<>();
            for (int i = 0; i < queued + 2; i++) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT));
                list.add(c);
            }
            return list;
        });
        // The queue is full once `queued` handshakes have completed, as the clients see it.
        int connected = 0;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            connected = 0;
            for (SocketChannel c : clients) {
                if (c.isConnected() || c.finishConnect()) {
                    connected++;
                }
            }
            if (connected >= queued) {
                break;
            }
            Thread.sleep(1);
        }
        long fullFrom = KernelSampler.realtimeNanos();
        assertEquals(queued, connected, "clients whose handshake completed");
        Thread.sleep(HOLD_MILLIS / 2);
        String[] ss = ns.exec("ss", "-lntH", "sport = :" + PORT).trim().split("\\s+");
        Thread.sleep(HOLD_MILLIS / 2);
        long fullTo = KernelSampler.realtimeNanos();
        for (SocketChannel c : clients) {
            c.close();
        }
        server.close();
        // Let the resets and FINs of the closes pass, then take the last sample: quiet from here.
        Thread.sleep(300);
        sampler.close();
        Map<String, Long> after = nstat(ns);
        KernelReport report = sampler.snapshot();
        List<ListenerStats> found = report.listeners("127.0.0.1", PORT);
        assertEquals(1, found.size(), "one listener on 127.0.0.1:" + PORT + " in " + report.listeners());
        assertTrue(report.sources().stream().allMatch(SourceStatus::available), report.sources().toString());
        // The sink was told what the sampler kept, sample by sample.
        assertEquals(report.samples(), sink.samples);
        assertEquals(found.get(0).acceptQueuePeak(), sink.peakDepth);
        assertEquals(found.get(0).backlog(), sink.backlog);
        assertEquals(report.counters().get("ListenOverflows"),
                sink.lastListenOverflows - sink.firstListenOverflows);
        // ss -lntH: State Recv-Q Send-Q Local Peer
        return new Run(report, found.get(0), fullFrom, fullTo, beforeNanos,
                Integer.parseInt(ss[1]), Integer.parseInt(ss[2]), before, after, sink.listenDrops);
    }

    private static void assertFullFor(Run run) {
        ListenerStats l = run.listener;
        long truthMillis = (run.fullToNanos - run.fullFromNanos) / 1_000_000;
        // Sampled: each end is known to one interval; the machine may delay a sample further.
        long slack = 2 * INTERVAL_MILLIS + 60;
        assertTrue(Math.abs(l.fullMillis() - truthMillis) <= slack,
                "full " + l.fullMillis() + " ms, the clients held it full " + truthMillis + " ms");
        assertEquals(1, l.fullIntervals().size(), l.fullIntervals().toString());
        ListenerStats.FullInterval full = l.fullIntervals().get(0);
        long middle = (run.fullFromNanos + run.fullToNanos) / 2;
        assertTrue(full.startNanos() > run.beforeNanos, "not full before the clients came: " + full);
        assertTrue(full.startNanos() <= middle && middle < full.endNanos(),
                "full while the clients held it: " + full);
        assertTrue(!l.open(), "the listener was closed before the last sample");
    }

    /** Every Tcp and TcpExt counter moved by what nstat says over the same quiet window. */
    private static void assertCountersMatchNstat(Run run) {
        int compared = 0;
        for (Map.Entry<String, Long> e : run.report.counters().entrySet()) {
            String nstatName = run.nstatAfter.containsKey("TcpExt" + e.getKey()) ? "TcpExt" + e.getKey()
                    : "Tcp" + e.getKey();
            Long a = run.nstatAfter.get(nstatName);
            Long b = run.nstatBefore.get(nstatName);
            if (a == null || b == null) {
                continue;
            }
            assertEquals(a - b, (long) e.getValue(), nstatName);
            compared++;
        }
        assertTrue(compared > 100, "compared " + compared + " counters with nstat");
        long drops = run.nstatAfter.get("TcpExtListenDrops") - run.nstatBefore.get("TcpExtListenDrops");
        assertTrue(drops > 0, "SYNs past the full queue were dropped");
        // As the sink was told them, sample by sample: nothing before the clients came, every
        // drop after.
        long atBefore = run.listenDropsAt(run.beforeNanos);
        assertEquals(run.listenDrops.firstEntry().getValue(), atBefore, "ListenDrops before the clients");
        assertEquals(drops, run.listenDrops.lastEntry().getValue() - atBefore, "ListenDrops after them");
    }

    /** Keeps what a pipeline's store would need of the 127.0.0.1:PORT listener and two counters. */
    private static final class RecordingSink implements SampleSink {
        long samples;
        int peakDepth = -1;
        int backlog = -1;
        long firstListenOverflows = -1;
        long lastListenOverflows = -1;
        /** ListenDrops by sample time. */
        final NavigableMap<Long, Long> listenDrops = new TreeMap<>();
        private boolean open;
        private long sampleNanos;

        @Override
        public void sample(long tsNanos) {
            assertTrue(!open, "samples do not overlap");
            open = true;
            sampleNanos = tsNanos;
        }

        @Override
        public void listener(byte[] address, int port, int acceptQueue, int backlog, int synRecv) {
            if (port == PORT && address.length == 16 && address[15] == 1 && address[12] == 127) {
                peakDepth = Math.max(peakDepth, acceptQueue);
                this.backlog = backlog;
            }
        }

        @Override
        public void counter(String name, long value) {
            if (name.equals("ListenDrops")) {
                listenDrops.put(sampleNanos, value);
            }
            if (name.equals("ListenOverflows")) {
                if (firstListenOverflows < 0) {
                    firstListenOverflows = value;
                }
                lastListenOverflows = value;
            }
        }

        @Override
        public void sampled(long tsNanos) {
            open = false;
            samples++;
        }
    }

    /** {@code nstat -asz} in the namespace: absolute values, history untouched, zeros too. */
    static Map<String, Long> nstat(TestNetns ns) {
        Map<String, Long> m = new HashMap<>();
        for (String line : ns.exec("nstat", "-asz").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].matches("-?\\d+")) {
                m.put(f[0], Long.parseLong(f[1]));
            }
        }
        return m;
    }
}
