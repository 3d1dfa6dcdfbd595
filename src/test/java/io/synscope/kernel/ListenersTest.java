package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Listeners on IPv6, wildcard and IPv4-mapped addresses are listed as ss lists them. */
class ListenersTest {

    @Test
    void ipv6AndWildcardListenersAreListedWithTheirAddressAndBacklog() throws Exception {
        try (TestNetns ns = TestNetns.open("v6");
             KernelSampler sampler = KernelSampler.start(KernelConfig.defaults().withNetns(ns.name)
                     .withIntervals(20, 20));
             ServerSocket loopback6 = ns.call(() -> new ServerSocket(9001, 17, InetAddress.getByName("::1")));
             ServerSocket wildcard = ns.call(() -> new ServerSocket(9002, 23));
             ServerSocket mapped = ns.call(() -> new ServerSocket(9003, 31, InetAddress.getByName("127.0.0.1")))) {
            Thread.sleep(100);
            KernelReport r = sampler.snapshot();
            Map<String, Integer> ss = backlogsBySs(ns);
            assertEquals(Map.of("[::1]:9001", 17, "*:9002", 23, "[::ffff:127.0.0.1]:9003", 31), ss,
                    "what the test made, as ss -lnt shows it");
            assertEquals(17, r.listeners("::1", 9001).get(0).backlog(), r.listeners().toString());
            assertEquals(23, r.listeners("::", 9002).get(0).backlog(), r.listeners().toString());
            assertEquals(31, r.listeners("127.0.0.1", 9003).get(0).backlog(), r.listeners().toString());
            assertEquals(3, r.listeners().size(), r.listeners().toString());
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
