package io.synscope.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * A snapshot of a client socket's {@code struct tcp_info} ({@code getsockopt(TCP_INFO)}, the
 * kernel's own view of the connection), taken when a reply is late or a read timed out.
 * Offsets are those of {@code linux/tcp.h}; a field the kernel did not fill is -1.
 *
 * @param reason       why the snapshot was taken
 * @param ms           when, in ms since connect() began
 * @param error        why there is no snapshot, else null
 * @param unacked      segments sent and not acknowledged ({@code tcpi_unacked})
 * @param bytesSent    data bytes sent, retransmissions included ({@code tcpi_bytes_sent})
 * @param bytesAcked   bytes acknowledged by the peer; counts the SYN, so 1 means no data byte
 *                     was acknowledged ({@code tcpi_bytes_acked})
 */
record TcpInfo(String reason, double ms, String error, int state, long unacked, long retrans,
               long totalRetrans, int backoff, long rtoUs, long bytesSent, long bytesAcked,
               long bytesReceived) {

    private static final int STRUCT_BYTES = 232;

    /** Reads {@code ch}'s TCP_INFO (its descriptor: {@link Native#fd}). */
    static TcpInfo of(SocketChannel ch, String reason, double ms) {
        try {
            int fd = Native.fd(ch);
            byte[] buf = new byte[STRUCT_BYTES];
            int[] len = {buf.length};
            Native.check(Native.libc().getsockopt(fd, Native.IPPROTO_TCP, Native.TCP_INFO, buf,
                    len), "getsockopt(TCP_INFO)");
            return parse(reason, ms, buf, len[0]);
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return new TcpInfo(reason, ms, e.toString(), -1, -1, -1, -1, -1, -1, -1, -1, -1);
        }
    }

    /** Decodes the first {@code len} bytes of a native-order {@code struct tcp_info}. */
    static TcpInfo parse(String reason, double ms, byte[] raw, int len) {
        ByteBuffer b = ByteBuffer.wrap(raw, 0, Math.min(len, raw.length)).order(ByteOrder.nativeOrder());
        int filled = b.limit();
        return new TcpInfo(reason, ms, null,
                filled > 0 ? b.get(0) & 0xFF : -1,
                u32(b, 24),
                u32(b, 36),
                u32(b, 100),
                filled > 4 ? b.get(4) & 0xFF : -1,
                u32(b, 8),
                u64(b, 200),
                u64(b, 120),
                u64(b, 128));
    }

    private static long u32(ByteBuffer b, int offset) {
        return offset + 4 <= b.limit() ? Integer.toUnsignedLong(b.getInt(offset)) : -1;
    }

    private static long u64(ByteBuffer b, int offset) {
        return offset + 8 <= b.limit() ? b.getLong(offset) : -1;
    }

    /** Request bytes went out and the peer acknowledged none of them. */
    boolean dataSentNoneAcked() {
        return error == null && bytesSent > 0 && bytesAcked >= 0 && bytesAcked <= 1;
    }
}
