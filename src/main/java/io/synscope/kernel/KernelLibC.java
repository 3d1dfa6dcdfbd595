package io.synscope.kernel;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

import java.nio.ByteBuffer;

/**
 * The libc calls the kernel sources need and Java lacks: a netlink socket for
 * NETLINK_SOCK_DIAG. Received messages go into a direct {@link ByteBuffer}, which jnr-ffi passes
 * by address, so a dump copies nothing on the Java side. Loaded on first use.
 */
final class KernelLibC {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_SOCK_DIAG = 4;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int EINTR = 4;

    /** Signatures as in the Linux man pages. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr,
                             int addrLen);

        @ssize_t long recv(int fd, @Out ByteBuffer buf, @size_t long len, int flags);

        int setsockopt(int fd, int level, int name, @In byte[] value, int len);

        int close(int fd);

        String strerror(int errno);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    }

    private KernelLibC() {
    }

    /** @throws LinkageError when libc cannot be bound (not Linux, no jnr-ffi native stub) */
    static LibC libc() {
        return Holder.LIBC;
    }

    /** errno of the calling thread's last failed call. */
    static int errno() {
        return LastError.getLastError(Runtime.getRuntime(libc()));
    }

    /** "text (errno N)" for the calling thread's last failed call. */
    static String lastError() {
        int errno = errno();
        return libc().strerror(errno) + " (errno " + errno + ")";
    }
}
