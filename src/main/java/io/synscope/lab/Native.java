package io.synscope.lab;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
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
 * {@code getsockopt(TCP_INFO)}, {@code setsockopt(TCP_USER_TIMEOUT)}, signals other than
 * SIGTERM/SIGKILL, and packet sockets for the lossy relay. Loaded through jnr-ffi on
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
    static final int AF_PACKET = 17;
    /** linux/if_ether.h: every protocol. */
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_PACKET = 263;
    /** linux/if_packet.h: do not hand this socket the frames sent on its interface. */
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int EINTR = 4;

    /** The subset of libc used here; signatures as in the Linux man pages. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr,
                             int addrLen);

        int getsockopt(int fd, int level, int name, @Out byte[] value, int[] len);

        int setsockopt(int fd, int level, int name, @In byte[] value, int len);

        int close(int fd);

        int bind(int fd, @In byte[] addr, int addrLen);

        @ssize_t long recv(int fd, Pointer buf, @size_t long len, int flags);

        @ssize_t long send(int fd, @In byte[] buf, @size_t long len, int flags);

        int if_nametoindex(String name);

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

    /**
     * A packet socket that receives every frame arriving on {@code ifName} (not those sent on
     * it) and sends whole Ethernet frames out of it. Created for no protocol and bound with
     * ETH_P_ALL, so that no frame of another interface slips in before the bind.
     */
    static int packetSocket(String ifName) throws IOException {
        int index = libc().if_nametoindex(ifName);
        if (index == 0) {
            throw new IOException("no interface " + ifName);
        }
        int fd = (int) check(libc().socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET)");
        byte[] one = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
        check(libc().setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, one, one.length),
                "setsockopt(PACKET_IGNORE_OUTGOING)");
        // struct sockaddr_ll: family, protocol (network order), ifindex; the rest zero.
        ByteBuffer addr = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        addr.putShort(0, (short) AF_PACKET).putInt(4, index);
        addr.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) ETH_P_ALL);
        check(libc().bind(fd, addr.array(), addr.capacity()), "bind(" + ifName + ")");
        return fd;
    }

    /** errno of the calling thread's last failed call. */
    static int errno() {
        return LastError.getLastError(Runtime.getRuntime(libc()));
    }

    /** Throws an IOException naming {@code call} and errno's text when {@code result} is -1. */
    static long check(long result, String call) throws IOException {
        if (result == -1) {
            int errno = errno();
            throw new IOException(call + ": " + libc().strerror(errno) + " (errno " + errno + ")");
        }
        return result;
    }
}
