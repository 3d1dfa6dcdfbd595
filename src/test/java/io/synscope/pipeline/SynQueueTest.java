package io.synscope.pipeline;

import io.synscope.diagnose.HostPort;
import io.synscope.kernel.KernelConfig;
import io.synscope.kernel.KernelSampler;
import io.synscope.lab.SpoofedSyns;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request sockets made by SYNs that are never completed: raw SYNs from addresses whose
 * neighbour entries point at a MAC nobody has, so the SYN-ACKs leave and nothing answers. The
 * per-listener counts of the listener summary the reports show, sampled as a live capture
 * samples, against {@code ss -tn state syn-recv} and against what was sent.
 */
class SynQueueTest {
    private static final String SERVER = "10.199.0.2";
    private static final long INTERVAL_MILLIS = 50;
    private static final long SYN_RECV_INTERVAL_MILLIS = 200;

    @Test
    void synRecvSocketsAreCountedPerListenerLikeSs() throws Exception {
        try (TestNetns ns = TestNetns.open("syn")) {
            ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
            ns.ip("addr", "add", SERVER + "/24", "dev", "v0");
            ns.ip("link", "set", "v0", "up");
            ns.ip("link", "set", "v1", "up");
            for (int i = 0; i < 8; i++) {
                ns.ip("neigh", "replace", "10.199.0." + (100 + i), "lladdr", "02:00:00:00:00:01",
                        "dev", "v0", "nud", "permanent");
            }
            KernelLog log = new KernelLog();
            try (KernelSampler sampler = KernelSources.startSampler(log, KernelConfig.defaults()
                    .withNetns(ns.name).withIntervals(INTERVAL_MILLIS, SYN_RECV_INTERVAL_MILLIS));
                 ServerSocket specific = ns.call(() -> new ServerSocket(8080, 64, InetAddress.getByName(SERVER)));
                 ServerSocket wildcard = ns.call(() -> new ServerSocket(8081, 64))) {
                // 5 half-open connections on the address-bound listener, 3 on the wildcard one.
                ns.call(() -> {
                    sendSyns(0, 5, 8080);
                    sendSyns(5, 3, 8081);
                    return null;
                });
                Thread.sleep(300);
                Map<String, Integer> ss = synRecvByLocal(ns);
                Thread.sleep(2 * SYN_RECV_INTERVAL_MILLIS);
                KernelSummary.Listener bound = only(log, new HostPort(SERVER, 8080));
                KernelSummary.Listener any = only(log, new HostPort("::", 8081));
                assertEquals(5, ss.get(SERVER + ":8080"), "ss -tn state syn-recv: " + ss);
                assertEquals(3, ss.get(SERVER + ":8081"), "ss -tn state syn-recv: " + ss);
                assertEquals(5, bound.synRecvPeak(), bound.toString());
                assertEquals(3, any.synRecvPeak(), any.toString());
                assertEquals(64, bound.backlog());
                assertEquals(0, bound.peakDepth(), "half-open connections are not in the accept queue");
                assertEquals(64, bound.synQueueLimit(), "tcp_syncookies=1: the backlog");
                assertEquals("listen() backlog", bound.limitedBy(), "no queue reached a limit");
            }
        }
    }

    /** Local address:port → sockets, from {@code ss -tnH state syn-recv}. */
    private static Map<String, Integer> synRecvByLocal(TestNetns ns) {
        Map<String, Integer> m = new HashMap<>();
        for (String line : ns.exec("ss", "-tnH", "state", "syn-recv").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4) {
                // Recv-Q Send-Q Local Peer; IPv4-mapped addresses as [::ffff:a.b.c.d]:port.
                m.merge(f[2].replace("[::ffff:", "").replace("]", ""), 1, Integer::sum);
            }
        }
        return m;
    }

    /** The one listener {@code at} in the summary, still listening at the latest sample. */
    private static KernelSummary.Listener only(KernelLog log, HostPort at) {
        List<KernelSummary.Listener> found = log.summary().listeners().stream()
                .filter(l -> l.listener().equals(at)).toList();
        assertEquals(1, found.size(), at + " in " + log.summary().listeners());
        assertTrue(log.now().listeners().stream().anyMatch(n -> n.listener().equals(at)),
                at + " listening");
        return found.get(0);
    }

    /** The libc calls a raw socket needs, which Java lacks. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, @In byte[] buf, long len, int flags, @In byte[] addr, int addrLen);

        int close(int fd);
    }

    /** {@code count} SYNs from 10.199.0.(100+first...) to {@code port}, on a raw socket of this thread's namespace. */
    private static void sendSyns(int first, int count, int port) throws Exception {
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        int fd = libc.socket(2 /* AF_INET */, 3 /* SOCK_RAW */, 255 /* IPPROTO_RAW */);
        assertTrue(fd >= 0, "raw socket");
        try {
            Inet4Address server = (Inet4Address) InetAddress.getByName(SERVER);
            ByteBuffer to = ByteBuffer.allocate(16);
            to.order(ByteOrder.nativeOrder()).putShort((short) 2);
            to.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).put(server.getAddress());
            for (int i = first; i < first + count; i++) {
                Inet4Address from = (Inet4Address) InetAddress.getByName("10.199.0." + (100 + i));
                byte[] syn = SpoofedSyns.syn(from, server, 40000 + i, port, 1_000_000L * (i + 1), i);
                long sent = libc.sendto(fd, syn, syn.length, 0, to.array(), 16);
                assertEquals(syn.length, sent, "sendto");
            }
        } finally {
            libc.close(fd);
        }
    }
}
