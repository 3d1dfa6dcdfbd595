package io.synscope.cli;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code live --metrics} that cannot be served ends before any capture starts, with one line
 * naming the option and its own exit code, never a stack trace; a malformed value is a usage
 * error. No capture is opened, so no root is needed.
 */
class MetricsOptionTest {

    @Test
    void aPortInUseIsNamedWithItsOwnCode() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            BadInputTest.Run r = BadInputTest.run("live", "-i", "lo", "--metrics", at);
            assertEquals(ExitCode.METRICS_UNAVAILABLE, r.code(), r.err());
            assertTrue(r.err().contains("--metrics " + at) && r.err().contains("in use"),
                    r.err());
            LiveBadInputTest.assertOneLine(r);
        }
    }

    @Test
    void anAddressThatIsNotThisHostsIsNamedWithItsOwnCode() {
        // 192.0.2.0/24 is TEST-NET-1: documentation only, on no interface here.
        BadInputTest.Run r = BadInputTest.run("live", "-i", "lo", "--metrics", "192.0.2.1:9464");
        assertEquals(ExitCode.METRICS_UNAVAILABLE, r.code(), r.err());
        assertTrue(r.err().contains("--metrics 192.0.2.1:9464"), r.err());
        LiveBadInputTest.assertOneLine(r);
        BadInputTest.Run unknown = BadInputTest.run("live", "-i", "lo", "--metrics",
                "no-such-host.invalid:9464");
        assertEquals(ExitCode.METRICS_UNAVAILABLE, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("not a known address"), unknown.err());
        LiveBadInputTest.assertOneLine(unknown);
    }

    @Test
    void aMalformedValueIsAUsageError() {
        for (String bad : new String[] {"9464", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:65536",
                "::1:9464", "127.0.0.1:-1"}) {
            BadInputTest.Run r = BadInputTest.run("live", "-i", "lo", "--metrics", bad);
            assertEquals(ExitCode.USAGE, r.code(), bad + ": " + r.err());
            assertTrue(r.err().contains("--metrics") && r.err().contains("ADDR:PORT"), r.err());
            LiveBadInputTest.assertOneLine(r);
        }
    }

    @Test
    void addressesParseAsWritten() {
        assertEquals(InetSocketAddress.createUnresolved("127.0.0.1", 9464),
                LiveCommand.metricsAddress("127.0.0.1:9464"));
        assertEquals(InetSocketAddress.createUnresolved("::1", 0),
                LiveCommand.metricsAddress("[::1]:0"));
        InetSocketAddress every = LiveCommand.metricsAddress(":9464");
        assertTrue(every.getAddress().isAnyLocalAddress() && every.getPort() == 9464,
                every.toString());
        assertNull(LiveCommand.metricsAddress("[::1]"));
    }
}
