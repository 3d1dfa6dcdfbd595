package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters parser on /proc/net/netstat and /proc/net/snmp as this kernel wrote them, against
 * {@code nstat -asz} read at the same moment in the same quiet namespace (make-fixtures.sh).
 */
class ProcNetFileTest {

    @Test
    void tcpExtAsNstatReadIt() {
        int compared = compare("netstat.txt", "TcpExt");
        assertTrue(compared > 100, compared + " TcpExt counters");
    }

    @Test
    void tcpAsNstatReadItNegativeMaxConnIncluded() {
        // nstat leaves out the five that are not counters: RtoAlgorithm, RtoMin, RtoMax,
        // MaxConn, CurrEstab.
        assertEquals(10, compare("snmp.txt", "Tcp"));
        Map<String, Long> tcp = parse("snmp.txt", "Tcp");
        assertEquals(15, tcp.size(), tcp.toString());
        assertEquals(-1L, tcp.get("MaxConn"), "no limit, written as -1");
        assertEquals(4L, tcp.get("PassiveOpens"), "four handshakes completed into the listener of backlog 3");
    }

    @Test
    void aGroupNamePrefixOfAnotherIsNotTakenForIt() {
        byte[] text = "TcpExt: A B\nTcpExt: 1 2\nTcp: C\nTcp: 3\n".getBytes(StandardCharsets.US_ASCII);
        List<String> names = new ArrayList<>();
        long[] values = new long[4];
        assertEquals(1, ProcNetFile.parse(text, text.length, "Tcp:".getBytes(StandardCharsets.US_ASCII), names, values));
        assertEquals(List.of("C"), names);
        assertEquals(3, values[0]);
    }

    private static int compare(String file, String group) {
        Map<String, Long> ours = parse(file, group);
        Map<String, Long> nstat = new HashMap<>();
        for (String line : InetDiagParserTest.read("nstat.txt").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].startsWith(group) && f[1].matches("-?\\d+")) {
                nstat.put(f[0].substring(group.length()), Long.parseLong(f[1]));
            }
        }
        int compared = 0;
        for (Map.Entry<String, Long> e : ours.entrySet()) {
            if (nstat.containsKey(e.getKey())) {
                assertEquals(nstat.get(e.getKey()), e.getValue(), group + e.getKey());
                compared++;
            }
        }
        return compared;
    }

    private static Map<String, Long> parse(String file, String group) {
        byte[] text = InetDiagParserTest.bytes(file);
        List<String> names = new ArrayList<>();
        long[] values = new long[512];
        int n = ProcNetFile.parse(text, text.length, (group + ":").getBytes(StandardCharsets.US_ASCII), names, values);
        assertEquals(names.size(), n);
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(names.get(i), values[i]);
        }
        return m;
    }
}
