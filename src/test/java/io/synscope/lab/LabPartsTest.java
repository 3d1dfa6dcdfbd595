package io.synscope.lab;

import io.synscope.capture.LinkType;
import io.synscope.capture.RawPacket;
import io.synscope.decode.PacketDecoder;
import io.synscope.decode.SkipReason;
import io.synscope.decode.TcpSegment;
import io.synscope.diagnose.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lab's pieces that need no root: mode table, truth JSON, SYN packets, TCP_INFO, checks. */
class LabPartsTest {
    @TempDir
    Path dir;

    @Test
    void modeTableHasTheIssuesModesOnceEach() {
        Set<String> names = new HashSet<>();
        for (LabMode m : LabMode.ALL) {
            assertTrue(names.add(m.name()), "twice: " + m.name());
            assertFalse(m.summary().isBlank(), m.name());
            assertTrue(m.intended().matches("([a-z0-9-]+/[a-z]+=\\d+ ?)+"), m.name() + ": " + m.intended());
        }
        for (String want : List.of("ok", "bulk-ok", "refused", "syn-dropped-accept-queue",
                "syn-dropped-syn-queue", "syncookies", "ack-ignored", "ack-ignored-cookies",
                "overflow-reset", "rst-unread-data", "write-after-close", "rst-linger0",
                "client-linger0", "synack-unanswered", "half-open", "lossy-ok",
                "handshake-ack-lost", "synack-lost")) {
            assertTrue(LabMode.byName(want).isPresent(), "missing mode " + want);
        }
        assertTrue(LabMode.byName("nonsense").isEmpty());
        assertTrue(names.containsAll(Demo.PARTS), "the demo merges existing modes");
    }

    @Test
    void modeSettingsAreConsistent() {
        for (LabMode m : LabMode.ALL) {
            // Every spoofed SYN is one synack-unanswered connection in what the mode intends.
            int unanswered = 0;
            for (String part : m.intended().split(" ")) {
                if (part.startsWith("synack-unanswered/")) {
                    unanswered += Integer.parseInt(part.substring(part.indexOf('=') + 1));
                }
            }
            assertEquals(m.spoofedSyns(), unanswered, m.name());
            boolean burst = m.script() == LabMode.Script.BURST_ACCEPT_ALL
                    || m.script() == LabMode.Script.BURST_ACCEPT_ONE_THEN_ALL;
            if (burst || m.script() == LabMode.Script.ACCEPT_QUEUE_FULL_AT_SYN) {
                assertTrue(m.server().gated(), m.name() + " controls when the server accepts");
            }
            assertEquals(burst, m.paceSynAcks(), m.name() + ": bursts need paced SYN-ACKs");
            assertEquals(burst, m.burst() > 0, m.name());
            assertEquals(m.server() == null, m.script() == LabMode.Script.CLOSED_PORT, m.name());
            assertEquals(m.server() != null && m.server().handler() == LabMode.Handler.BANNER,
                    m.script() == LabMode.Script.SERVER_FIRST, m.name() + ": a banner is read first");
            if (m.relay() != null) {
                assertFalse(m.ipv6(), m.name() + ": the relay reads IPv4 frames only");
                assertEquals(LabMode.Side.SERVER, m.captureSide(), m.name()
                        + ": the main capture is the server's, the client's is the variant");
            }
        }
        assertEquals("ok/ok=" + LabMode.PARALLEL_WORKERS * LabMode.PARALLEL_EACH,
                LabMode.byName("lossy-ok").orElseThrow().intended());
        LabMode cookies = LabMode.byName("ack-ignored-cookies").orElseThrow();
        // More simultaneous SYNs than the SYN queue holds (backlog + 1), with abort_on_overflow on.
        assertTrue(cookies.burst() > cookies.server().backlog() + 1);
        assertEquals(1, cookies.sysctls().abortOnOverflow());
        assertEquals(0, LabMode.byName("syn-dropped-syn-queue").orElseThrow().sysctls().syncookies());
        assertEquals("fd77::2", LabMode.byName("ipv6").orElseThrow().serverIp());
    }

    @Test
    void truthRecordsSurviveTheirJsonLine() throws IOException {
        Truth.Client c = new Truth.Client("c3", "burst", new HostPort("10.77.0.1", 40003),
                new HostPort("10.77.0.2", 8080), 1_795_241_576_735_493L,
                new Truth.Connect(Truth.ConnectResult.GAVE_UP, 30000.5, null), 10,
                List.of(new Truth.Write(2.5, 10, false, "REQ c3 16", null),
                        new Truth.Write(9, 7, true, "MORE \"1\"\n", "java.io.IOException: Broken pipe")),
                new Truth.Read(16, 0, null, null, false, null, null, null, true),
                List.of(new TcpInfo("read-timeout", 1000, null, 1, 1, 1, 3, 2, 816000, 40, 1, 0)),
                Truth.ClientClose.LINGER0, List.of("0.00 ms connect"));
        String line = LabJson.line(c);
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("\"result\":\"gave-up\""), line);
        assertTrue(line.contains("\"close\":\"linger0\""), line);
        assertEquals(c, LabJson.MAPPER.readValue(line, Truth.Client.class));
        Path file = dir.resolve("x.jsonl");
        Files.writeString(file, line + "\n\n" + line + "\n");
        assertEquals(List.of(c, c), LabJson.readLines(file, Truth.Client.class));
        assertEquals(List.of(), LabJson.readLines(dir.resolve("absent.jsonl"), Truth.Client.class));
        assertThrows(IOException.class,
                () -> LabJson.MAPPER.readValue("{\"ip\": 3}", HostPort.class));
    }

    @Test
    void spoofedSynIsAValidPacketThatSynscopeDecodes() throws IOException {
        byte[] p = SpoofedSyns.syn((Inet4Address) InetAddress.getByName("10.77.0.101"),
                (Inet4Address) InetAddress.getByName("10.77.0.2"), 50001, 8080, 1_000_000L, 0x7700);
        assertEquals(44, p.length);
        // Ones' complement sums over a header with its checksum in place come to 0xFFFF.
        assertEquals(0xFFFF, onesSum(p, 0, 20, 0));
        long pseudo = (10 << 8 | 77) + (0 << 8 | 101) + (10 << 8 | 77) + (0 << 8 | 2) + 6 + 24;
        assertEquals(0xFFFF, onesSum(p, 20, 24, pseudo));

        RawPacket raw = new RawPacket();
        raw.set(p, 0, p.length, p.length, 0, LinkType.RAW, 1, 0);
        TcpSegment s = new TcpSegment();
        assertNull(new PacketDecoder().decode(raw, s), "decodes");
        assertEquals(4, s.ipVersion);
        assertEquals(50001, s.srcPort);
        assertEquals(8080, s.dstPort);
        assertEquals(1_000_000, s.seq);
        assertEquals(TcpSegment.SYN, s.flags);
        assertEquals(SpoofedSyns.MSS, s.mss);
        assertEquals(0x7700, s.ipId);
    }

    private static int onesSum(byte[] b, int off, int len, long partial) {
        long sum = partial;
        for (int i = off; i < off + len; i += 2) {
            sum += (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    @Test
    void tcpInfoFieldsAreReadAtLinuxOffsets() {
        // struct tcp_info of linux/tcp.h: state at 0, backoff 4, rto 8, unacked 24, retrans 36,
        // total_retrans 100, bytes_acked 120, bytes_received 128, bytes_sent 200.
        ByteBuffer b = ByteBuffer.allocate(232).order(ByteOrder.nativeOrder());
        b.put(0, (byte) 1).put(4, (byte) 2).putInt(8, 816_000).putInt(24, 1).putInt(36, 1)
                .putInt(100, 3).putLong(120, 1).putLong(128, 0).putLong(200, 40);
        TcpInfo t = TcpInfo.parse("r", 1.5, b.array(), 232);
        assertEquals(new TcpInfo("r", 1.5, null, 1, 1, 1, 3, 2, 816_000, 40, 1, 0), t);
        assertTrue(t.dataSentNoneAcked());
        // An older kernel's shorter struct: fields beyond it are unknown.
        TcpInfo old = TcpInfo.parse("r", 1.5, b.array(), 104);
        assertEquals(-1, old.bytesSent());
        assertEquals(1, old.unacked());
        assertFalse(old.dataSentNoneAcked());
    }

    @Test
    void preflightSaysWhatIsMissing() throws IOException {
        LabException notLinux = assertThrows(LabException.class,
                () -> Preflight.check(false, "Mac OS X", 0, List.of()));
        assertEquals(LabException.Kind.NOT_LINUX, notLinux.kind());
        LabException notRoot = assertThrows(LabException.class,
                () -> Preflight.check(false, "Linux", 1000, List.of()));
        assertEquals(LabException.Kind.NOT_ROOT, notRoot.kind());
        assertTrue(notRoot.getMessage().contains("root"), notRoot.getMessage());

        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("ip", "nstat")) {
            Path p = Files.writeString(bin.resolve(tool), "#!/bin/sh\n");
            assertTrue(p.toFile().setExecutable(true));
        }
        LabException missing = assertThrows(LabException.class,
                () -> Preflight.check(false, "Linux", 0, List.of(bin.toString())));
        assertEquals(LabException.Kind.TOOL_MISSING, missing.kind());
        assertEquals("the lab needs `tc`, `tcpdump`: install iproute2 and tcpdump"
                + " (apt-get install iproute2 tcpdump)", missing.getMessage());
    }

    @Test
    void counterDeltasKeepWhatChanged() {
        assertEquals(Map.of("TcpExtListenOverflows", 3L, "TcpExtNew", 2L),
                Lab.delta(Map.of("TcpExtListenOverflows", 10L, "TcpInSegs", 5L),
                        Map.of("TcpExtListenOverflows", 13L, "TcpInSegs", 5L, "TcpExtNew", 2L)));
    }
}
