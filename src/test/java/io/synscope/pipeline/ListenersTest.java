package io.synscope.pipeline;

import io.synscope.diagnose.HostPort;
import io.synscope.kernel.KernelConfig;
import io.synscope.kernel.KernelSampler;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Listeners on IPv6, wildcard and IPv4-mapped addresses are listed as ss lists them, in the
 * kernel log's latest sample (what the metrics show), sampled as a live capture samples.
 */
class ListenersTest {

    @Test
    void ipv6AndWildcardListenersAreListedWithTheirAddressAndBacklog() throws Exception {
        KernelLog log = new KernelLog();
        try (TestNetns ns = TestNetns.open("v6");
             KernelSampler sampler = KernelSources.startSampler(log, KernelConfig.defaults()
                     .withNetns(ns.name).withIntervals(20, 20));
             ServerSocket loopback6 = ns.call(() -> new ServerSocket(9001, 17, InetAddress.getByName("::1")));
             ServerSocket wildcard = ns.call(() -> new ServerSocket(9002, 23));
             ServerSocket mapped = ns.call(() -> new ServerSocket(9003, 31, InetAddress.getByName("127.0.0.1")))) {
            Thread.sleep(100);
            Map<HostPort, Integer> sampled = new HashMap<>();
            log.now().listeners().forEach(l -> sampled.put(l.listener(), l.backlog()));
            Map<String, Integer> ss = backlogsBySs(ns);
            assertEquals(Map.of("[::1]:9001", 17, "*:9002", 23, "[::ffff:127.0.0.1]:9003", 31), ss,
                    "what the test made, as ss -lnt shows it");
            assertEquals(Map.of(new HostPort("::1", 9001), 17, new HostPort("::", 9002), 23,
                    new HostPort("127.0.0.1", 9003), 31), sampled);
        }
    }

    /** Local address:port → Send-Q (the backlog), from {@code ss -lntH}. */
    private static Map<String, Integer> backlogsBySs(TestNetns ns) {
        Map<String, Integer> m = new HashMap<>();
        for (String line : ns.exec("ss", "-lntH").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4) {
                m.put(f[3], Integer.parseInt(f[2]));
            }
        }
        return m;
    }
}
