package io.synscope.kernel;

import io.synscope.capture.Addresses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The netlink parser on what the kernel sent {@code ss} (make-fixtures.sh: strace's dump of
 * its recvmsg calls), against what {@code ss} printed from the same bytes (ss-listen.txt,
 * ss-synrecv.txt).
 */
class InetDiagParserTest {
    /** The sequence number ss puts on its dump requests. */
    private static final int SS_SEQ = 123456;

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the fixtures were made on a little-endian machine (netlink is in host order)");
    }

    private record Socket(int family, int state, String ip, int port, long rqueue, long wqueue) {
    }

    @Test
    void listeningSocketsAsSsPrintedThem() throws Exception {
        List<Socket> got = parseDumps("ss-listen.bin");
        // ss -lnt: "LISTEN 4 3 127.0.0.1:8080", "LISTEN 0 64 10.99.0.2:8081", "LISTEN 0 7 [::1]:9001"
        assertEquals(List.of(
                new Socket(DiagRow.AF_INET, SockDiag.TCP_LISTEN, "10.99.0.2", 8081, 0, 64),
                new Socket(DiagRow.AF_INET, SockDiag.TCP_LISTEN, "127.0.0.1", 8080, 4, 3),
                new Socket(DiagRow.AF_INET6, SockDiag.TCP_LISTEN, "::1", 9001, 0, 7)), got);
        String ss = read("ss-listen.txt");
        for (Socket s : got) {
            String local = s.family() == DiagRow.AF_INET6 ? "[" + s.ip() + "]:" + s.port() : s.ip() + ":" + s.port();
            assertTrue(ss.matches("(?s).*LISTEN +" + s.rqueue() + " +" + s.wqueue() + " +" + java.util.regex.Pattern.quote(local) + " .*"),
                    local + " in\n" + ss);
        }
    }

    @Test
    void requestSocketsAsSsPrintedThem() throws Exception {
        List<Socket> got = parseDumps("ss-synrecv.bin");
        assertEquals(3, got.size(), got.toString());
        for (Socket s : got) {
            assertEquals(new Socket(DiagRow.AF_INET, SockDiag.TCP_SYN_RECV, "10.99.0.2", 8081, 0, 0), s);
        }
        assertEquals(3, read("ss-synrecv.txt").lines().filter(l -> l.contains("10.99.0.2:8081")).count());
    }

    @Test
    void aReplyOfAnotherRequestIsSkipped() throws Exception {
        byte[] bytes = bytes("ss-listen.bin");
        List<Socket> got = new ArrayList<>();
        boolean done = InetDiagParser.parse(ByteBuffer.wrap(bytes), bytes.length, SS_SEQ + 1,
                new DiagRow(), r -> got.add(socket(r)));
        assertFalse(done, "a DONE of another sequence does not end this dump");
        assertTrue(got.isEmpty());
    }

    @Test
    void anErrorMessageCarriesTheErrno() {
        // struct nlmsghdr + struct nlmsgerr {int error; struct nlmsghdr msg}: -EINVAL (22).
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        b.putInt(0, 36).putShort(4, (short) InetDiagParser.NLMSG_ERROR).putInt(8, 7).putInt(16, -22);
        InetDiagParser.DumpError e = assertThrows(InetDiagParser.DumpError.class,
                () -> InetDiagParser.parse(b, 36, 7, new DiagRow(), r -> { }));
        assertEquals(22, e.errno);
    }

    @Test
    void aLengthPastTheBufferIsMalformedNotARead() {
        byte[] bytes = bytes("ss-listen.bin");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        b.putInt(0, bytes.length + 4);
        InetDiagParser.DumpError e = assertThrows(InetDiagParser.DumpError.class,
                () -> InetDiagParser.parse(b, bytes.length, SS_SEQ, new DiagRow(), r -> { }));
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }

    /** The fixture holds an IPv4 then an IPv6 dump, each ended by DONE: parse each. */
    private static List<Socket> parseDumps(String name) throws Exception {
        byte[] bytes = bytes(name);
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        List<Socket> got = new ArrayList<>();
        int dumps = 0;
        int start = 0;
        int at = 0;
        while (at < bytes.length) {
            int len = all.getInt(at);
            int type = all.getShort(at + 4);
            at += InetDiagParser.align(len);
            if (type == InetDiagParser.NLMSG_DONE) {
                ByteBuffer one = ByteBuffer.wrap(bytes, start, at - start).slice();
                assertTrue(InetDiagParser.parse(one, at - start, SS_SEQ, new DiagRow(), r -> got.add(socket(r))));
                dumps++;
                start = at;
            }
        }
        assertEquals(2, dumps, "an IPv4 and an IPv6 dump");
        return got;
    }

    /** The row, its address as the kernel log takes and prints it. */
    private static Socket socket(DiagRow r) {
        byte[] addr = Arrays.copyOf(r.localAddr, r.addrLength());
        return new Socket(r.family, r.state, Addresses.format(Addresses.hi(addr), Addresses.lo(addr)),
                r.localPort, r.rqueue, r.wqueue);
    }

    static byte[] bytes(String name) {
        try (InputStream in = InetDiagParserTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": " + e, e);
        }
    }

    static String read(String name) {
        return new String(bytes(name), java.nio.charset.StandardCharsets.US_ASCII);
    }
}
