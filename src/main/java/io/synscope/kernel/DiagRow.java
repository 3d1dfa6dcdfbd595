package io.synscope.kernel;

import io.synscope.capture.Addresses;

/**
 * One socket of a NETLINK_SOCK_DIAG dump ({@code struct inet_diag_msg}), the fields synscope
 * uses. <b>Reuse contract:</b> the parser fills one instance for every socket of a dump and hands
 * it to the sink; a sink that keeps anything copies it ({@link #localIp()} makes a new string).
 */
final class DiagRow {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    int family;
    /** {@code TCP_*} state, as in include/net/tcp_states.h. */
    int state;
    int localPort;
    /** Network order; AF_INET uses the first 4 bytes. */
    final byte[] localAddr = new byte[16];
    /** Listening socket: connections in the accept queue. Request socket: 0. */
    long rqueue;
    /** Listening socket: its backlog, {@code sk_max_ack_backlog}. */
    long wqueue;
    long inode;
    /** The kernel's socket cookie: tells apart sockets on the same address and port. */
    long cookie;

    int addrLength() {
        return family == AF_INET ? 4 : 16;
    }

    /**
     * The local address as synscope prints packets' addresses: {@code 10.0.0.5}, {@code ::1};
     * an IPv4-mapped one ({@code ::ffff:10.0.0.5}, a Java listener's) as its IPv4 address.
     */
    String localIp() {
        if (family == AF_INET) {
            return Addresses.format(0,
                    Addresses.V4_MAPPED_LO_PREFIX | (long) (bigEndianInt(0) & 0xFFFFFFFFL));
        }
        return Addresses.format(((long) bigEndianInt(0) << 32) | (bigEndianInt(4) & 0xFFFFFFFFL),
                ((long) bigEndianInt(8) << 32) | (bigEndianInt(12) & 0xFFFFFFFFL));
    }

    private int bigEndianInt(int at) {
        return ((localAddr[at] & 0xFF) << 24) | ((localAddr[at + 1] & 0xFF) << 16)
                | ((localAddr[at + 2] & 0xFF) << 8) | (localAddr[at + 3] & 0xFF);
    }
}
