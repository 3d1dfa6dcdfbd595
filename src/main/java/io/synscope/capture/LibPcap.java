package io.synscope.capture;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.intptr_t;

/**
 * The few native calls the live read loop makes itself, through jnr-ffi, instead of through
 * pcap4j: {@code pcap_next_ex} into memory read in place, and {@code poll(2)} on the capture's
 * descriptor; and {@code setns(2)}, which Java lacks, for {@link Netns}.
 *
 * <p>Why not pcap4j's own reads: each allocates a {@code byte[]} and a {@code java.sql.Timestamp}
 * per packet and goes through JNA's reflective marshalling, and its blocking read never returns
 * on a quiet link (Linux TPACKET: the read timeout does not fire with no traffic), so a loop on
 * it could not decide connections by time. Here every argument is a primitive (pointers as
 * {@code intptr_t} addresses), so jnr-ffi generates a direct call with no marshalling, and the
 * header and packet bytes are read straight from libpcap's memory with jffi's {@link MemoryIO}:
 * no allocation per packet. Measured in bench/README.md ("Live capture").
 */
final class LibPcap {
    /** {@code pcap_next_ex}: a packet was read. */
    static final int NEXT_PACKET = 1;
    /** {@code pcap_next_ex}: no packet (non-blocking mode). */
    static final int NEXT_NONE = 0;
    /** {@code pcap_next_ex}: {@code pcap_breakloop} was called. */
    static final int NEXT_BREAK = -2;

    static final short POLLIN = 0x1;

    /** libpcap's calls, as declared in pcap/pcap.h; addresses as {@code intptr_t}. */
    public interface Pcap {
        int pcap_next_ex(@intptr_t long pcap, @intptr_t long headerSlot, @intptr_t long dataSlot);

        int pcap_get_selectable_fd(@intptr_t long pcap);

        String pcap_geterr(@intptr_t long pcap);
    }

    /** libc: {@code poll(2)} ({@code fds}: address of {@code struct pollfd[nfds]}), and setns. */
    public interface LibC {
        int poll(@intptr_t long fds, long nfds, int timeoutMillis);

        int open(String path, int flags);

        int setns(int fd, int nstype);

        int close(int fd);

        String strerror(int errnum);
    }

    static final MemoryIO MEMORY = MemoryIO.getInstance();

    /**
     * Debian and Ubuntu ship {@code libpcap.so.0.8} without the unversioned name (that one is in
     * libpcap-dev); Fedora and Alpine ship {@code libpcap.so.1}.
     */
    private static final String[] PCAP_NAMES = {"pcap", "libpcap.so.0.8", "libpcap.so.1"};

    private static final class Holder {
        static final Pcap PCAP = loadPcap();
        static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    }

    private static Pcap loadPcap() {
        for (String name : PCAP_NAMES) {
            try {
                return LibraryLoader.create(Pcap.class).failImmediately().load(name);
            } catch (UnsatisfiedLinkError e) {
                // Try the next name.
            }
        }
        throw new UnsatisfiedLinkError("none of " + String.join(", ", PCAP_NAMES)
                + " can be loaded");
    }

    private LibPcap() {
    }

    static Pcap pcap() {
        return Holder.PCAP;
    }

    static LibC libc() {
        return Holder.LIBC;
    }
}
