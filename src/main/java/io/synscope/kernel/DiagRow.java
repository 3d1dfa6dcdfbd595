package io.synscope.kernel;

/**
 * One socket of a NETLINK_SOCK_DIAG dump ({@code struct inet_diag_msg}), the fields synscope
 * uses. <b>Reuse contract:</b> the parser fills one instance for every socket of a dump and hands
 * it to the sink; a sink that keeps anything copies it.
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
}
