package io.synscope.lab;

import io.synscope.diagnose.HostPort;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 TCP SYNs from spoofed source addresses, sent through a raw socket
 * ({@code socket(AF_INET, SOCK_RAW, IPPROTO_RAW)}: the buffer is the whole IP packet). Run in
 * the client namespace; the driver has given the server a static neighbour entry per spoofed
 * address pointing at a MAC address no host owns, so the server's SYN-ACKs go out and are never
 * answered. Public for {@link #syn}, with which the kernel package's tests fill a SYN queue.
 */
public final class SpoofedSyns {
    static final int MSS = 1460;
    private static final int IP_HEADER_BYTES = 20;
    private static final int TCP_HEADER_BYTES = 24;
    private static final long GAP_MILLIS = 50;

    private SpoofedSyns() {
    }

    /**
     * Sends one SYN from each of {@code sources} (source port {@code portBase + n}, ISN
     * {@code 1000000 * n} for the n-th, from 1) to {@code server}, 50 ms apart; returns the truth
     * of each.
     */
    static List<Truth.Spoofed> send(List<InetAddress> sources, InetAddress server, int serverPort,
                                    int portBase) throws IOException, InterruptedException {
        List<Truth.Spoofed> sent = new ArrayList<>();
        Native.LibC libc = Native.libc();
        int fd = (int) Native.check(libc.socket(Native.AF_INET, Native.SOCK_RAW, Native.IPPROTO_RAW),
                "socket(AF_INET, SOCK_RAW, IPPROTO_RAW)");
        try {
            byte[] to = sockaddrIn(server);
            for (int i = 0; i < sources.size(); i++) {
                int n = i + 1;
                byte[] packet = syn((Inet4Address) sources.get(i), (Inet4Address) server,
                        portBase + n, serverPort, 1_000_000L * n, 0x7700 + i);
                long at = Args.epochMicros();
                Native.check(libc.sendto(fd, packet, packet.length, 0, to, to.length), "sendto");
                sent.add(new Truth.Spoofed(new HostPort(Args.text(sources.get(i)), portBase + n),
                        new HostPort(Args.text(server), serverPort), 1_000_000L * n, at));
                Thread.sleep(GAP_MILLIS);
            }
        } finally {
            libc.close(fd);
        }
        return sent;
    }

    /** IPv4 header + TCP SYN with one option, MSS; both checksums filled in. */
    public static byte[] syn(Inet4Address src, Inet4Address dst, int srcPort, int dstPort, long isn,
                      int ipId) {
        ByteBuffer b = ByteBuffer.allocate(IP_HEADER_BYTES + TCP_HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0x45).put((byte) 0).putShort((short) b.capacity()).putShort((short) ipId)
                .putShort((short) 0x4000) // don't fragment
                .put((byte) 64).put((byte) Native.IPPROTO_TCP).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        b.putShort(10, (short) checksum(b.array(), 0, IP_HEADER_BYTES, 0));
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) isn).putInt(0)
                .put((byte) ((TCP_HEADER_BYTES / 4) << 4)).put((byte) 0x02) // SYN
                .putShort((short) 64240).putShort((short) 0).putShort((short) 0)
                .put((byte) 2).put((byte) 4).putShort((short) MSS);
        // Pseudo-header: addresses, protocol, TCP length.
        long pseudo = sum16(src.getAddress()) + sum16(dst.getAddress()) + Native.IPPROTO_TCP
                + TCP_HEADER_BYTES;
        b.putShort(IP_HEADER_BYTES + 16,
                (short) checksum(b.array(), IP_HEADER_BYTES, TCP_HEADER_BYTES, pseudo));
        return b.array();
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes (even) plus a partial sum. */
    static int checksum(byte[] data, int off, int len, long partial) {
        long sum = partial;
        for (int i = off; i < off + len; i += 2) {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static long sum16(byte[] four) {
        return (((four[0] & 0xFF) << 8) | (four[1] & 0xFF)) + (((four[2] & 0xFF) << 8) | (four[3] & 0xFF));
    }

    /** {@code struct sockaddr_in}: family in host order, port and address in network order. */
    private static byte[] sockaddrIn(InetAddress a) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.order(ByteOrder.nativeOrder()).putShort((short) Native.AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) 0).put(a.getAddress());
        return b.array();
    }
}
