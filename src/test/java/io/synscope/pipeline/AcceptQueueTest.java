package io.synscope.pipeline;

import io.synscope.capture.Addresses;
import io.synscope.diagnose.HostPort;
import io.synscope.kernel.KernelConfig;
import io.synscope.kernel.KernelSampler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listener that never accepts, in a namespace of its own, and more clients than its backlog,
 * sampled into a {@link KernelLog} as a live capture samples: the listener summary the reports
 * show (backlog, peak, full time, which limit) and the counters' rises against what the test set
 * up and what {@code ss} and {@code nstat} (the kernel's own tools) say.
 */
class AcceptQueueTest {
    private static final int PORT = 8080;
    private static final HostPort LISTENER = new HostPort("127.0.0.1", PORT);
    private static final long LOOPBACK_HI = Addresses.hi(new byte[] {127, 0, 0, 1});
    private static final long LOOPBACK_LO = Addresses.lo(new byte[] {127, 0, 0, 1});
    private static final long INTERVAL_MILLIS = 50;
    private static final long HOLD_MILLIS = 1_000;

    @Test
    void backlogPeakFullTimeAndCountersMatchTheKernelsTools() throws Exception {
        try (TestNetns ns = TestNetns.open("aq")) {
            Run run = fill(ns, 5, false);
            KernelSummary.Listener l = run.listener;
            assertEquals(5, l.backlog(), "listen(5)");
            assertEquals("listen() backlog", l.acceptQueueLimitBy());
            assertEquals("listen() backlog", l.limitedBy());
            assertEquals(6, l.peakDepth(), "the kernel queues one past the backlog");
            assertEquals(run.ssRecvQ, l.peakDepth(), "ss -lnt Recv-Q while full");
            assertEquals(run.ssSendQ, l.backlog(), "ss -lnt Send-Q");
            assertFullFor(run);
            assertCountersMatchNstat(run);
            assertTrue(run.summary.counters().get("ListenOverflows") > 0,
                    "the clients past the backlog overflowed: " + run.summary.counters());
        }
    }

    @Test
    void aSomaxconnBelowTheBacklogIsTheLimitAndSaysSo() throws Exception {
        try (TestNetns ns = TestNetns.open("smc")) {
            ns.exec("sysctl", "-qw", "net.core.somaxconn=3");
            Run run = fill(ns, 8, true);
            KernelSummary.Listener l = run.listener;
            assertEquals(3, l.backlog(), "min(listen(8), somaxconn 3)");
            assertEquals(3L, run.summary.sysctls().get("net.core.somaxconn"),
                    "the namespace's somaxconn, not the host's");
            assertEquals("net.core.somaxconn", l.acceptQueueLimitBy());
            assertEquals("net.core.somaxconn", l.limitedBy());
            assertEquals(4, l.peakDepth());
            assertEquals(run.ssRecvQ, l.peakDepth());
            assertEquals(run.ssSendQ, l.backlog());
            assertFullFor(run);
            assertCountersMatchNstat(run);
        }
    }

    /**
     * Two SO_REUSEPORT sockets on one address and port, listen(2) each, as two workers of one
     * server: one accepts, the other is stuck and never does. 20 clients: the kernel spreads
     * them by a hash of their addresses, so the stuck one gets more than it admits (but for a
     * chance of 211 in 2^20) and stays full while the clients wait. The summary's one listener
     * is as deep as the stuck socket as {@code ss} lists it, and full as long as the clients held
     * it full, though the other socket had room all along.
     */
    @Test
    void reusePortSocketsAreOneListenerFullWhileOneOfThemIs() throws Exception {
        try (TestNetns ns = TestNetns.open("rport")) {
            KernelLog log = new KernelLog();
            KernelSampler sampler = KernelSources.startSampler(log, KernelConfig.defaults()
                    .withNetns(ns.name).withIntervals(INTERVAL_MILLIS, 1000));
            List<ServerSocket> servers = ns.call(() -> {
                List<ServerSocket> list = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    ServerSocket server = new ServerSocket();
                    server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 2);
                    list.add(server);
                }
                return list;
            });
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread worker = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(servers.get(1).accept());
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            }, "accepting-worker");
            worker.setDaemon(true);
            worker.start();
            List<SocketChannel> clients = ns.call(() -> {
                List<SocketChannel> list = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT));
                    list.add(c);
                }
                return list;
            });
            // Full once ss shows a socket holding more than its backlog.
            int[] deepest = {0, 0};
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (deepest[0] <= deepest[1] && System.nanoTime() < deadline) {
                deepest = deepestBySs(ns);
            }
            long fullFrom = KernelSampler.realtimeNanos();
            assertTrue(deepest[0] > deepest[1], "a socket over its backlog, as ss shows it");
            Thread.sleep(HOLD_MILLIS / 2);
            int[] held = deepestBySs(ns);
            Thread.sleep(HOLD_MILLIS / 2);
            long fullTo = KernelSampler.realtimeNanos();
            for (SocketChannel c : clients) {
                c.close();
            }
            for (ServerSocket server : servers) {
                server.close();
            }
            for (Socket a : accepted) {
                a.close();
            }
            Thread.sleep(300);
            sampler.close();
            List<KernelSummary.Listener> found = log.summary().listeners().stream()
                    .filter(l -> l.listener().equals(LISTENER)).toList();
            assertEquals(1, found.size(), "one listener " + LISTENER + " in " + log.summary().listeners());
            KernelSummary.Listener l = found.get(0);
            assertEquals(2, l.backlog());
            assertEquals(3, held[0], "the stuck socket as ss lists it: one past its backlog");
            assertEquals(held[0], l.peakDepth());
            long truthMillis = (fullTo - fullFrom) / 1_000_000;
            long fullMillis = l.fullNanos() / 1_000_000;
            assertTrue(Math.abs(fullMillis - truthMillis) <= 2 * INTERVAL_MILLIS + 60,
                    "full " + fullMillis + " ms, the clients held a socket full " + truthMillis + " ms");
            assertEquals(1, l.fullIntervals().size(), l.fullIntervals().toString());
        }
    }

    /** {Recv-Q, Send-Q} of the deepest socket listening on PORT, from {@code ss -lntH}. */
    private static int[] deepestBySs(TestNetns ns) {
        int[] deepest = {0, 0};
        for (String line : ns.exec("ss", "-lntH", "sport = :" + PORT).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && Integer.parseInt(f[1]) - Integer.parseInt(f[2]) > deepest[0] - deepest[1]) {
                deepest = new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[2])};
            }
        }
        return deepest;
    }

    /**
     * What one run saw: the log the sampler fed, its summary and the kernel tools' numbers.
     * Times are CLOCK_REALTIME, the samples' clock: {@code startNanos} after the first sample,
     * {@code endNanos} before the last.
     */
    private record Run(KernelLog log, KernelSummary summary, KernelSummary.Listener listener,
                       long startNanos, long beforeNanos, long fullFromNanos, long fullToNanos,
                       long endNanos, int ssRecvQ, int ssSendQ, Map<String, Long> nstatBefore,
                       Map<String, Long> nstatAfter) {
    }

    /**
     * listen({@code backlog}) on 127.0.0.1 and never accept; connect backlog+3 clients; hold
     * the queue full for a second; close everything; the counters are quiet before and after.
     */
    private static Run fill(TestNetns ns, int backlog, boolean limitedBySomaxconn) throws Exception {
        Map<String, Long> before = nstat(ns);
        KernelLog log = new KernelLog();
        KernelSampler sampler = KernelSources.startSampler(log, KernelConfig.defaults()
                .withNetns(ns.name).withIntervals(INTERVAL_MILLIS, 1000));
        long startNanos = KernelSampler.realtimeNanos();
        ServerSocket server = ns.call(() -> new ServerSocket(PORT, backlog, InetAddress.getLoopbackAddress()));
        long beforeNanos = KernelSampler.realtimeNanos();
        // A sample after this moment and before the clients: what the log says of "before".
        long sampledBy = System.nanoTime() + 5_000_000_000L;
        while (log.acceptQueue(LOOPBACK_HI, LOOPBACK_LO, PORT, beforeNanos, beforeNanos) == null) {
            assertTrue(System.nanoTime() < sampledBy, "the listener sampled within 5 s");
            Thread.sleep(INTERVAL_MILLIS / 5);
        }
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
        long endNanos = KernelSampler.realtimeNanos();
        sampler.close();
        Map<String, Long> after = nstat(ns);
        KernelSummary summary = log.summary();
        assertEquals(Map.of(), summary.missing(), "every source worked");
        List<KernelSummary.Listener> found = summary.listeners().stream()
                .filter(l -> l.listener().equals(LISTENER)).toList();
        assertEquals(1, found.size(), "one listener " + LISTENER + " in " + summary.listeners());
        // ss -lntH: State Recv-Q Send-Q Local Peer
        return new Run(log, summary, found.get(0), startNanos, beforeNanos, fullFrom, fullTo,
                endNanos, Integer.parseInt(ss[1]), Integer.parseInt(ss[2]), before, after);
    }

    private static void assertFullFor(Run run) {
        KernelSummary.Listener l = run.listener;
        long truthMillis = (run.fullToNanos - run.fullFromNanos) / 1_000_000;
        long fullMillis = l.fullNanos() / 1_000_000;
        // Sampled: each end is known to one interval; the machine may delay a sample further.
        long slack = 2 * INTERVAL_MILLIS + 60;
        assertTrue(Math.abs(fullMillis - truthMillis) <= slack,
                "full " + fullMillis + " ms, the clients held it full " + truthMillis + " ms");
        assertTrue(l.acceptQueueFull());
        assertEquals(1, l.fullIntervals().size(), l.fullIntervals().toString());
        KernelSummary.Interval full = l.fullIntervals().get(0);
        long middle = (run.fullFromNanos + run.fullToNanos) / 2;
        assertTrue(full.fromNanos() > run.beforeNanos, "not full before the clients came: " + full);
        assertTrue(full.fromNanos() <= middle && middle < full.toNanos(),
                "full while the clients held it: " + full);
        assertTrue(run.log.now().listeners().stream().noneMatch(n -> n.listener().equals(LISTENER)),
                "the listener was closed before the last sample");
        assertTrue(run.log.acceptQueue(LOOPBACK_HI, LOOPBACK_LO, PORT, run.fullFromNanos,
                run.fullToNanos).full(),
                "full, as the verdicts ask it");
    }

    /** Every Tcp and TcpExt counter rose by what nstat says over the same quiet window. */
    private static void assertCountersMatchNstat(Run run) {
        int compared = 0;
        Map<String, Long> rises = run.log.now().counterRises();
        for (Map.Entry<String, Long> e : rises.entrySet()) {
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
        rises.forEach((name, rise) -> assertEquals(rise == 0 ? null : rise,
                run.summary.counters().get(name), "the summary has the counters that moved"));
        long drops = run.nstatAfter.get("TcpExtListenDrops") - run.nstatBefore.get("TcpExtListenDrops");
        assertTrue(drops > 0, "SYNs past the full queue were dropped");
        // As the verdicts ask it, between samples: nothing before the clients came, every drop
        // after.
        assertEquals(0, run.log.counterRise("ListenDrops", run.startNanos, run.beforeNanos),
                "ListenDrops before the clients");
        assertEquals(drops, run.log.counterRise("ListenDrops", run.beforeNanos, run.endNanos),
                "ListenDrops after them");
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
