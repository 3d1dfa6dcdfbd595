package io.synscope.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the replies of a {@code SOCK_DIAG_BY_FAMILY} dump: netlink messages ({@code struct
 * nlmsghdr}, host order), each an {@code inet_diag_msg} whose ports and addresses are in network
 * order, ended by {@code NLMSG_DONE} or {@code NLMSG_ERROR}. Attributes after the message are
 * skipped (none are asked for). Allocates nothing.
 */
final class InetDiagParser {
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    /** {@code sizeof(struct inet_diag_msg)}. */
    static final int INET_DIAG_MSG_BYTES = 72;

    /** Receives each socket; the row is reused (see {@link DiagRow}). */
    interface Sink {
        void row(DiagRow row);
    }

    /** A dump the kernel refused or ended with an error: errno and its name. */
    static final class DumpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;

        DumpError(int errno, String message) {
            super(message);
            this.errno = errno;
        }
    }

    private InetDiagParser() {
    }

    /**
     * Parses the {@code length} bytes at the start of {@code buf} (one {@code recv}); messages
     * whose sequence number is not {@code seq} (stale replies) are skipped.
     *
     * @return true when the dump ended (NLMSG_DONE), false when more is to be received
     * @throws DumpError on NLMSG_ERROR, a DONE carrying an error, or a malformed message
     */
    static boolean parse(ByteBuffer buf, int length, int seq, DiagRow row, Sink sink) throws DumpError {
        ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
        int at = 0;
        while (at + NLMSG_HDRLEN <= length) {
            int msgLen = b.getInt(at);
            int type = b.getShort(at + 4) & 0xFFFF;
            int msgSeq = b.getInt(at + 8);
            if (msgLen < NLMSG_HDRLEN || at + msgLen > length) {
                throw new DumpError(0, "malformed netlink message: length " + msgLen + " at byte "
                        + at + " of " + length);
            }
            int payload = at + NLMSG_HDRLEN;
            if (msgSeq == seq) {
                if (type == NLMSG_DONE) {
                    int error = msgLen >= NLMSG_HDRLEN + 4 ? b.getInt(payload) : 0;
                    if (error < 0) {
                        throw new DumpError(-error, "the dump ended with error " + -error);
                    }
                    return true;
                }
                if (type == NLMSG_ERROR) {
                    int error = msgLen >= NLMSG_HDRLEN + 4 ? b.getInt(payload) : 0;
                    throw new DumpError(-error, "the kernel refused the request: error " + -error);
                }
                if (type == SOCK_DIAG_BY_FAMILY && msgLen >= NLMSG_HDRLEN + INET_DIAG_MSG_BYTES) {
                    read(b, payload, row);
                    sink.row(row);
                }
            }
            at += align(msgLen);
        }
        return false;
    }

    private static void read(ByteBuffer b, int at, DiagRow row) {
        row.family = b.get(at) & 0xFF;
        row.state = b.get(at + 1) & 0xFF;
        // inet_diag_sockid at +4: sport, dport (network order), src[16], dst[16], if, cookie[2]
        // (+44).
        row.localPort = ((b.get(at + 4) & 0xFF) << 8) | (b.get(at + 5) & 0xFF);
        for (int i = 0; i < 16; i++) {
            row.localAddr[i] = b.get(at + 8 + i);
        }
        row.cookie = (b.getInt(at + 44) & 0xFFFFFFFFL) | ((long) b.getInt(at + 48) << 32);
        // Then idiag_expires (+52), idiag_rqueue, idiag_wqueue, idiag_uid, idiag_inode.
        row.rqueue = b.getInt(at + 56) & 0xFFFFFFFFL;
        row.wqueue = b.getInt(at + 60) & 0xFFFFFFFFL;
        row.inode = b.getInt(at + 68) & 0xFFFFFFFFL;
    }

    /** NLMSG_ALIGN: messages start on 4-byte boundaries. */
    static int align(int length) {
        return (length + 3) & ~3;
    }
}
