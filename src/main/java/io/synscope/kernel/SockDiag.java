package io.synscope.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A NETLINK_SOCK_DIAG socket that dumps the TCP sockets in chosen states, IPv4 then IPv6: what
 * {@code ss} does. The socket belongs to the network namespace of the thread that opens it, for
 * its whole life. Not thread-safe: one thread dumps. The request bytes and the receive buffer are
 * made once and reused, so a dump allocates nothing.
 */
final class SockDiag implements AutoCloseable {
    static final int TCP_SYN_RECV = 3;
    static final int TCP_LISTEN = 10;
    private static final int IPPROTO_TCP = 6;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int REQUEST_BYTES = InetDiagParser.NLMSG_HDRLEN + 56;
    /** A dump fills each recv up to its size: 32 KiB holds about 350 sockets. */
    private static final int RECEIVE_BYTES = 32 * 1024;
    private static final int RECEIVE_TIMEOUT_SECONDS = 2;
    private static final int[] FAMILIES = {DiagRow.AF_INET, DiagRow.AF_INET6};

    private final KernelLibC.LibC libc;
    private final int fd;
    private final byte[] request = new byte[REQUEST_BYTES];
    private final ByteBuffer requestView = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
    /** struct sockaddr_nl of the kernel: family AF_NETLINK, port id 0, no groups. */
    private final byte[] kernelAddress = new byte[12];
    private final ByteBuffer received = ByteBuffer.allocateDirect(RECEIVE_BYTES);
    private final DiagRow row = new DiagRow();
    private int seq;

    private SockDiag(KernelLibC.LibC libc, int fd) {
        this.libc = libc;
        this.fd = fd;
        ByteBuffer.wrap(kernelAddress).order(ByteOrder.nativeOrder()).putShort(0, (short) KernelLibC.AF_NETLINK);
    }

    /**
     * Opens the socket in the calling thread's network namespace.
     *
     * @throws KernelSourceException when libc cannot be bound or the socket cannot be made
     */
    static SockDiag open() throws KernelSourceException {
        KernelLibC.LibC libc;
        try {
            libc = KernelLibC.libc();
        } catch (LinkageError | RuntimeException e) {
            throw new KernelSourceException("libc cannot be called through jnr-ffi ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        }
        int fd = libc.socket(KernelLibC.AF_NETLINK, KernelLibC.SOCK_RAW | KernelLibC.SOCK_CLOEXEC,
                KernelLibC.NETLINK_SOCK_DIAG);
        if (fd < 0) {
            throw new KernelSourceException("socket(AF_NETLINK, NETLINK_SOCK_DIAG): "
                    + KernelLibC.lastError());
        }
        // A bound on each recv, so that a kernel that never ends a dump cannot stop the sampler.
        byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putLong(0, RECEIVE_TIMEOUT_SECONDS).array();
        if (libc.setsockopt(fd, KernelLibC.SOL_SOCKET, KernelLibC.SO_RCVTIMEO, timeval, timeval.length) != 0) {
            String why = KernelLibC.lastError();
            libc.close(fd);
            throw new KernelSourceException("setsockopt(SO_RCVTIMEO) on the netlink socket: " + why);
        }
        return new SockDiag(libc, fd);
    }

    /**
     * Dumps the TCP sockets whose state is in {@code stateMask} ({@code 1 << TCP_*}), IPv4 then
     * IPv6, handing each to {@code sink} (the row is reused).
     *
     * @throws KernelSourceException when the kernel refuses the request or a recv fails
     */
    void dump(int stateMask, InetDiagParser.Sink sink) throws KernelSourceException {
        for (int family : FAMILIES) {
            int sent = send(family, stateMask);
            receive(sent, family, sink);
        }
    }

    private int send(int family, int stateMask) throws KernelSourceException {
        int thisSeq = ++seq;
        requestView.putInt(0, REQUEST_BYTES)
                .putShort(4, (short) InetDiagParser.SOCK_DIAG_BY_FAMILY)
                .putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP))
                .putInt(8, thisSeq)
                .putInt(12, 0);
        // struct inet_diag_req_v2: family, protocol, ext (no attributes), pad, states; then an
        // all-zero inet_diag_sockid (no filter).
        int at = InetDiagParser.NLMSG_HDRLEN;
        requestView.put(at, (byte) family).put(at + 1, (byte) IPPROTO_TCP).put(at + 2, (byte) 0)
                .put(at + 3, (byte) 0).putInt(at + 4, stateMask);
        long n;
        do {
            n = libc.sendto(fd, request, request.length, 0, kernelAddress, kernelAddress.length);
        } while (n < 0 && KernelLibC.errno() == KernelLibC.EINTR);
        if (n != request.length) {
            throw new KernelSourceException("sending the sock_diag request: "
                    + (n < 0 ? KernelLibC.lastError() : "short write " + n));
        }
        return thisSeq;
    }

    private void receive(int thisSeq, int family, InetDiagParser.Sink sink) throws KernelSourceException {
        while (true) {
            long n = libc.recv(fd, received, RECEIVE_BYTES, 0);
            if (n < 0) {
                if (KernelLibC.errno() == KernelLibC.EINTR) {
                    continue;
                }
                throw new KernelSourceException("receiving the sock_diag dump: " + KernelLibC.lastError());
            }
            try {
                if (InetDiagParser.parse(received, (int) n, thisSeq, row, sink)) {
                    return;
                }
            } catch (InetDiagParser.DumpError e) {
                String what = e.errno > 0 ? libc.strerror(e.errno) + " (errno " + e.errno + ")"
                        : e.getMessage();
                throw new KernelSourceException("sock_diag dump of "
                        + (family == DiagRow.AF_INET ? "IPv4" : "IPv6") + " sockets: " + what);
            }
        }
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}
