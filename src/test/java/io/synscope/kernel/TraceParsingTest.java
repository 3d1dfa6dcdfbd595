package io.synscope.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The format files and trace_pipe lines of Linux 6.18, as the kernel wrote them (how they were
 * made: {@code src/test/resources/kernel-trace/linux-6.18/README.md}), parsed. The expected
 * values are read off the raw lines by eye; the lines came from lab runs whose truth is known
 * (the first two from rst-unread-data, the next two from rst-linger0, …).
 */
class TraceParsingTest {
    private static final String DIR = "/kernel-trace/linux-6.18/";

    @Test
    void formatFilesGiveFieldsAndTheirNumberToNameTables() throws IOException {
        TraceFormat reset = TraceFormat.parse(resource("tcp_send_reset.format"));
        assertEquals("tcp_send_reset", reset.name());
        assertTrue(reset.fields().containsAll(List.of("skbaddr", "skaddr", "state", "reason",
                "saddr", "daddr")), reset.fields().toString());
        assertEquals(OptionalLong.of(11), reset.number("reason", "TCP_ABORT_ON_CLOSE"));
        assertEquals(OptionalLong.of(14), reset.number("reason", "TCP_STATE"));
        assertEquals(OptionalLong.of(1), reset.number("reason", "NO_SOCKET"));
        // The states print as { TCP_ESTABLISHED, "TCP_ESTABLISHED" }: no numbers to keep.
        assertFalse(reset.symbols().containsKey("state"));

        TraceFormat drop = TraceFormat.parse(resource("kfree_skb.format"));
        assertTrue(drop.hasField("reason") && drop.hasField("rx_sk"), drop.fields().toString());
        // The number this kernel took as a filter (`reason == 40`), where the name was refused.
        assertEquals(OptionalLong.of(40), drop.number("reason", KernelEvent.LISTEN_OVERFLOW));
        assertEquals(OptionalLong.empty(), drop.number("reason", "NO_SUCH_REASON"));

        TraceFormat synack = TraceFormat.parse(resource("tcp_retransmit_synack.format"));
        assertTrue(synack.fields().containsAll(List.of("sport", "dport", "family", "saddr_v6")));
        assertEquals(Map.of(2L, "AF_INET", 10L, "AF_INET6"), synack.symbols().get("family"));
    }

    @Test
    void everyCommittedLineParsesAndEveryReasonIsOneTheFormatNames() throws IOException {
        TraceFormat reset = TraceFormat.parse(resource("tcp_send_reset.format"));
        TraceFormat drop = TraceFormat.parse(resource("kfree_skb.format"));
        List<KernelEvent> events = new ArrayList<>();
        for (String line : resource("trace_pipe.txt").lines().toList()) {
            TraceLine t = TraceLine.parse(line);
            KernelEvent e = t.toEvent(t.traceNanos());
            assertNotNull(e, line);
            events.add(e);
            TraceFormat f = e.event().equals(KernelEvent.KFREE_SKB) ? drop : reset;
            if (e.reason() != null) {
                assertTrue(f.symbols().get("reason").containsValue(e.reason()), line);
            }
        }
        // As many as `wc -l` and `grep -c EVENT` count in the file.
        assertEquals(51, events.size());
        assertEquals(19, events.stream().filter(e -> e.event().equals(KernelEvent.SEND_RESET))
                .count());
        assertEquals(9, events.stream()
                .filter(e -> e.event().equals(KernelEvent.RETRANSMIT_SYNACK)).count());
    }

    @Test
    void resetLinesGiveTupleStateReasonAndTime() throws IOException {
        List<String> lines = resource("trace_pipe.txt").lines().toList();
        KernelEvent unread = event(lines.get(0));
        assertEquals(KernelEvent.SEND_RESET, unread.event());
        assertEquals(1_796_549_461_787_597_000L, unread.tsNanos());
        assertEquals(InetAddress.getByName("10.77.0.2"), unread.src());
        assertEquals(8080, unread.srcPort());
        assertEquals(InetAddress.getByName("10.77.0.1"), unread.dst());
        assertEquals(40001, unread.dstPort());
        assertEquals("TCP_CLOSE", unread.state());
        assertEquals("TCP_ABORT_ON_CLOSE", unread.reason());

        // A dual-stack (AF_INET6) socket prints IPv4-mapped addresses: they are IPv4.
        KernelEvent linger = event(lines.get(2));
        assertInstanceOf(Inet4Address.class, linger.src());
        assertEquals(InetAddress.getByName("10.77.0.1"), linger.dst());
        assertEquals("TCP_STATE", linger.reason());

        InetAddress server = InetAddress.getByName("10.77.0.2");
        InetAddress client = InetAddress.getByName("10.77.0.1");
        assertTrue(unread.between(client, 40001, server, 8080));
        assertTrue(unread.between(server, 8080, client, 40001));
        assertFalse(unread.between(client, 40002, server, 8080));
        assertFalse(unread.between(client, 8080, server, 40001));

        KernelEvent refused = event(lines.get(6));
        assertEquals("UNKNOWN", refused.state());
        assertEquals("NO_SOCKET", refused.reason());

        // A listener's reset (overflow): the kernel prints the destination as [::]:0.
        KernelEvent overflow = event(lines.get(35));
        assertEquals("TCP_LISTEN", overflow.state());
        assertEquals("TCP_FLAGS", overflow.reason());
        assertNull(overflow.dst());
        assertEquals(0, overflow.dstPort());
        assertEquals(InetAddress.getByName("10.77.0.2"), overflow.src());

        KernelEvent v6 = event(lines.get(49));
        assertEquals(InetAddress.getByName("fd77::2"), v6.src());
        assertEquals(8081, v6.srcPort());
        assertEquals(InetAddress.getByName("fd77::1"), v6.dst());
        assertEquals(40002, v6.dstPort());
    }

    @Test
    void synAckAndDropLinesGiveWhatTheyHave() throws IOException {
        List<String> lines = resource("trace_pipe.txt").lines().toList();
        KernelEvent synack = event(lines.get(21));
        assertEquals(KernelEvent.RETRANSMIT_SYNACK, synack.event());
        assertEquals(InetAddress.getByName("10.77.0.2"), synack.src());
        assertEquals(8080, synack.srcPort());
        assertEquals(InetAddress.getByName("10.77.0.1"), synack.dst());
        assertEquals(40008, synack.dstPort());
        assertNull(synack.reason());

        // The task name "C1 CompilerThre" has a space: the line is read from the CPU column.
        KernelEvent drop = event(lines.get(29));
        assertEquals(KernelEvent.KFREE_SKB, drop.event());
        assertEquals(KernelEvent.LISTEN_OVERFLOW, drop.reason());
        assertNull(drop.src());
        assertEquals(1_796_549_471_832_718_000L, drop.tsNanos());
    }

    @Test
    void otherLines() {
        // The kernel's notice when its ring buffer overwrote events (kernel/trace/trace.c).
        TraceLine lost = TraceLine.parse("CPU:1 [LOST 12 EVENTS]");
        assertEquals(TraceLine.Kind.LOST, lost.kind());
        assertEquals(12, lost.lost());
        assertEquals(TraceLine.Kind.OTHER, TraceLine.parse("").kind());
        assertEquals(TraceLine.Kind.OTHER, TraceLine.parse("garbage [x] 1.2: y").kind());
        // Our clock markers are events of their own name, not kernel events.
        TraceLine mark = TraceLine.parse("            bash-23004   [001] ...1. 1796549500.308383:"
                + " tracing_mark_write: synscope-clock 3");
        assertEquals("tracing_mark_write", mark.name());
        assertEquals("synscope-clock 3", mark.payload());
        assertNull(mark.toEvent(0));
    }

    @Test
    void olderKernelsPayloadWithoutReason() throws IOException {
        // Hand-made from the TP_printk of Linux 5.15's tcp_send_reset (TCP_EVENT_SK_SKB): no
        // reason, separate address fields.
        KernelEvent e = event("  java-1 [000] ..s1 100.000001: tcp_send_reset: sport=8080"
                + " dport=40001 saddr=10.0.0.2 daddr=10.0.0.1 saddrv6=::ffff:10.0.0.2"
                + " daddrv6=::ffff:10.0.0.1 state=TCP_CLOSE");
        assertEquals(InetAddress.getByName("10.0.0.2"), e.src());
        assertEquals(40001, e.dstPort());
        assertEquals("TCP_CLOSE", e.state());
        assertNull(e.reason());
    }

    @Test
    void kernelTextIsEscapedWhenPrintedAndNeverResolved() {
        // Not an address literal: left out, and no resolver is asked.
        assertNull(TraceLine.address("evil.example"));
        assertNull(TraceLine.address("1234"));
        TraceLine t = TraceLine.parse("x-1 [000] ..... 1.000000: tcp_send_reset: src=evil.example:80"
                + " dest=also.evil:1 state=S reason=R");
        assertNull(t.toEvent(0));
        KernelEvent e = event("x-1 [000] ..... 1.000000: tcp_send_reset: src=10.0.0.1:80"
                + " dest=10.0.0.2:1 state=TCP_CLOSE reason=A\u001b[31mB");
        assertTrue(e.describe().contains("A\\x1b[31mB"), e.describe());
        assertFalse(e.describe().contains("\u001b"));
    }

    private static KernelEvent event(String line) {
        TraceLine t = TraceLine.parse(line);
        KernelEvent e = t.toEvent(t.traceNanos());
        assertNotNull(e, line);
        return e;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = TraceParsingTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
