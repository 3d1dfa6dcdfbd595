package io.synscope.lab;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * The libc calls the lab needs and Java does not offer: a raw IPv4 socket for spoofed SYNs,
 * {@code getsockopt(TCP_INFO)}, {@code setsockopt(TCP_USER_TIMEOUT)}, and signals other than
 * SIGTERM/SIGKILL. Loaded through jnr-ffi on
 * first use, so programs that never need it do not pay for loading it.
 */
final class Native {
    static final int AF_INET = 2;
    static final int SOCK_RAW = 3;
    /** With IPPROTO_RAW the kernel sends the buffer as the whole IP packet (IP_HDRINCL implied). */
    static final int IPPROTO_RAW = 255;
    static final int IPPROTO_TCP = 6;
    static final int TCP_INFO = 11;
    /** linux/tcp.h: ms that sent data may stay unacknowledged before the kernel aborts. */
    static final int TCP_USER_TIMEOUT = 18;
    static final int SIGINT = 2;

    /** The subset of libc used here; signatures as in the Linux man pages. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr,
                             int addrLen);

        int getsockopt(int fd, int level, int name, @Out byte[] value, int[] len);

        int setsockopt(int fd, int level, int name, @In byte[] value, int len);

        int close(int fd);

        int kill(int pid, int sig);

        String strerror(int errno);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private Native() {
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    /**
     * The descriptor of {@code ch}, from the JDK's internal {@code sun.nio.ch.SelChImpl}; the
     * lab's client JVM is started with access to it
     * ({@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}).
     */
    static int fd(SocketChannel ch) throws ReflectiveOperationException {
        return (int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(ch);
    }

    /** {@code setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, millis)}. */
    static void setUserTimeout(SocketChannel ch, int millis) throws IOException {
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(millis).array();
        try {
            check(libc().setsockopt(fd(ch), IPPROTO_TCP, TCP_USER_TIMEOUT, value, value.length),
                    "setsockopt(TCP_USER_TIMEOUT)");
        } catch (ReflectiveOperationException e) {
            throw new IOException("no descriptor for TCP_USER_TIMEOUT: " + e, e);
        }
    }

    /** Throws an IOException naming {@code call} and errno's text when {@code result} is -1. */
    static long check(long result, String call) throws IOException {
        if (result == -1) {
            int errno = LastError.getLastError(Runtime.getRuntime(libc()));
            throw new IOException(call + ": " + libc().strerror(errno) + " (errno " + errno + ")");
        }
        return result;
    }
}
