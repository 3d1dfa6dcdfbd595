package io.synscope.capture;

import com.sun.jna.Pointer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A live capture on a network interface, as a {@link PacketSource}: the same decoder and tracker
 * read it as they read a file.
 *
 * <p>pcap4j opens the device, sets snap length, buffer, promiscuous mode, the kernel's block
 * timeout and nanosecond timestamps, compiles and sets the BPF filter, tells the link type and reads the
 * statistics. The read loop itself calls libpcap directly ({@link LibPcap}): non-blocking
 * {@code pcap_next_ex} while packets are there, {@code poll(2)} on the capture's descriptor with
 * a timeout while they are not. So {@link #poll} returns {@link Poll#NONE} on a quiet link
 * instead of blocking for ever, and a packet costs one native call and a copy of its captured
 * bytes (at most the snap length) into a buffer reused for every packet (reuse contract of
 * {@link RawPacket}).
 *
 * <p>Not thread-safe, except {@link #stop}, which any thread may call (a signal handler).
 */
public final class LiveCapture implements PacketSource {
    /** The analysis reads headers only: Ethernet + IPv6 + extension headers + TCP with options. */
    public static final int DEFAULT_SNAPLEN = 128;
    /** pcap_pkthdr on LP64: struct timeval (two longs), caplen, len. */
    private static final int HEADER_CAPLEN = 16;
    private static final int HEADER_LEN = 20;
    private static final long NANOS_PER_MILLI = 1_000_000;
    /** The longest a captured packet waits in a kernel block before the reader gets it. */
    private static final int BLOCK_TIMEOUT_MILLIS = 50;
    /** Beyond the block timeout, how late the reader may take a packet from the ring. */
    private static final int DELIVERY_MARGIN_MILLIS = 20;

    /**
     * What to open, and when to stop by itself.
     *
     * @param bufferBytes   the kernel's capture buffer; 0 keeps libpcap's default (2 MiB)
     * @param filter        BPF expression, or null for every packet
     * @param maxFrames     end after this many frames (tcpdump -c); 0 for no limit
     * @param durationNanos end this long after opening; 0 for no limit
     */
    public record Options(String device, int snaplen, int bufferBytes, boolean promiscuous,
                          String filter, long maxFrames, long durationNanos) {
    }

    private final PcapHandle handle;
    private final String name;
    private final long pcap;
    private final int fd;
    private final int linkType;
    private final int snaplen;
    private final boolean nanos;
    /** Two pointer slots ({@code pcap_pkthdr *}, {@code u_char *}), then a {@code pollfd}. */
    private final long scratch;
    private final byte[] buffer;
    private final List<String> warnings = new ArrayList<>();
    private final String filter;
    private final long maxFrames;
    /** System.nanoTime() at which to end, or Long.MAX_VALUE. */
    private final long deadlineMonotonic;
    private long frames;
    private volatile boolean stopRequested;
    private long endNanos = Long.MIN_VALUE;
    private boolean closed;

    private LiveCapture(PcapHandle handle, Options options, int linkType, int snaplen,
                        boolean nanos) throws CaptureException {
        this.handle = handle;
        this.name = options.device();
        this.filter = options.filter();
        this.maxFrames = options.maxFrames() > 0 ? options.maxFrames() : Long.MAX_VALUE;
        this.deadlineMonotonic = options.durationNanos() > 0
                ? System.nanoTime() + options.durationNanos() : Long.MAX_VALUE;
        if (!nanos) {
            warnings.add("the interface time-stamps in microseconds, not nanoseconds");
        }
        this.linkType = linkType;
        this.snaplen = snaplen;
        this.nanos = nanos;
        this.buffer = new byte[Math.max(snaplen, 64)];
        this.pcap = nativeHandle(handle, name);
        this.fd = LibPcap.pcap().pcap_get_selectable_fd(pcap);
        if (fd < 0) {
            throw new CaptureException(CaptureException.Kind.IO, name, -1,
                    "libpcap gives no selectable descriptor for this device");
        }
        this.scratch = LibPcap.MEMORY.allocateMemory(24, true);
        LibPcap.MEMORY.putInt(scratch + 16, fd);
        LibPcap.MEMORY.putShort(scratch + 20, LibPcap.POLLIN);
    }

    /**
     * Opens {@code options.device()} for capture (an interface name, or {@code any} for every
     * interface as Linux cooked capture), with its filter set.
     *
     * @throws CaptureException {@link CaptureException.Kind#NO_SUCH_INTERFACE},
     *                          {@link CaptureException.Kind#PERMISSION},
     *                          {@link CaptureException.Kind#BAD_FILTER},
     *                          {@link CaptureException.Kind#NO_LIBPCAP}, or IO for anything else
     *                          libpcap refuses, each with libpcap's own words
     */
    public static LiveCapture open(Options options) throws CaptureException {
        String device = options.device();
        Interfaces.requireLibpcap(device);
        PcapHandle handle = null;
        boolean nanos = true;
        try {
            try {
                handle = builder(options).timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                        .build();
            } catch (PcapNativeException e) {
                if (!String.valueOf(e.getMessage()).toLowerCase().contains("precision")) {
                    throw e;
                }
                // A device that cannot time-stamp in nanoseconds still does in microseconds.
                nanos = false;
                handle = builder(options).build();
            }
            if (options.filter() != null && !options.filter().isBlank()) {
                try {
                    handle.setFilter(options.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
                } catch (PcapNativeException e) {
                    throw new CaptureException(CaptureException.Kind.BAD_FILTER, device, -1,
                            "libpcap rejects the filter '" + options.filter() + "': "
                                    + e.getMessage());
                }
            }
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            LiveCapture capture = new LiveCapture(handle, options, handle.getDlt().value(),
                    handle.getSnapshot(), nanos);
            handle = null;
            return capture;
        } catch (PcapNativeException e) {
            throw openFailure(device, e);
        } catch (NotOpenException e) {
            throw new CaptureException(CaptureException.Kind.IO, device, -1,
                    "the capture closed while it was being set up", e);
        } finally {
            if (handle != null) {
                handle.close();
            }
        }
    }

    private static PcapHandle.Builder builder(Options options) {
        PcapHandle.Builder b = new PcapHandle.Builder(options.device())
                .snaplen(options.snaplen())
                .promiscuousMode(options.promiscuous()
                        ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                        : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                // Not immediate mode: that wakes the reader for nearly every packet (TPACKET_V2);
                // on the bench replay it cost synscope two thirds more CPU, and tcpdump ten
                // times as much (bench/README.md, "Live capture"). The kernel hands over a block
                // of packets when it is full or BLOCK_TIMEOUT_MILLIS old, well inside the second
                // a verdict may take.
                .immediateMode(false)
                .timeoutMillis(BLOCK_TIMEOUT_MILLIS);
        if (options.bufferBytes() > 0) {
            b.bufferSize(options.bufferBytes());
        }
        return b;
    }

    /** Sorts libpcap's refusal into the kind the user can act on. */
    private static CaptureException openFailure(String device, PcapNativeException e) {
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase();
        if (lower.contains("no such device") || lower.contains("doesn't exist")) {
            return new CaptureException(CaptureException.Kind.NO_SUCH_INTERFACE, device, -1,
                    "no such interface (" + message + "); " + Interfaces.namesForMessage());
        }
        if (lower.contains("permission") || lower.contains("not permitted")) {
            return new CaptureException(CaptureException.Kind.PERMISSION, device, -1,
                    "not allowed to capture (" + message + "): run as root (sudo synscope live"
                            + " …), or give Java the capture capabilities once: sudo setcap"
                            + " cap_net_raw,cap_net_admin+eip " + javaBinary());
        }
        return new CaptureException(CaptureException.Kind.IO, device, -1,
                "libpcap cannot capture here: " + message, e);
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("$(readlink -f $(which java))");
    }

    /**
     * libpcap's {@code pcap_t *}, which pcap4j keeps in a private field: the read loop calls
     * libpcap with it directly (see {@link LibPcap}). pcap4j's version is pinned in the pom; a
     * test opens a capture, so a change of that field fails the build, not a user's run.
     */
    private static long nativeHandle(PcapHandle handle, String device) throws CaptureException {
        try {
            Field f = PcapHandle.class.getDeclaredField("handle");
            f.setAccessible(true);
            return Pointer.nativeValue((Pointer) f.get(handle));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CaptureException(CaptureException.Kind.NO_LIBPCAP, device, -1,
                    "this pcap4j does not expose its libpcap handle as synscope expects: " + e, e);
        }
    }

    @Override
    public boolean next(RawPacket into) throws CaptureException {
        while (true) {
            Poll p = poll(into, Long.MAX_VALUE);
            if (p != Poll.NONE) {
                return p == Poll.FRAME;
            }
        }
    }

    @Override
    public Poll poll(RawPacket into, long timeoutNanos) throws CaptureException {
        if (closed) {
            return Poll.END;
        }
        // The clock is read only with --duration: a clock_gettime per packet was 3 % of the
        // reader's time at top speed (bench/README.md, "Live capture").
        if (stopRequested || frames >= maxFrames || (deadlineMonotonic != Long.MAX_VALUE
                && System.nanoTime() >= deadlineMonotonic)) {
            return end();
        }
        int r = LibPcap.pcap().pcap_next_ex(pcap, scratch, scratch + 8);
        if (r == LibPcap.NEXT_NONE) {
            // Nothing in the ring: wait on the descriptor, in slices so that a stop is seen.
            long waitMillis = Math.max(1, Math.min(100, timeoutNanos / NANOS_PER_MILLI));
            int ready = LibPcap.libc().poll(scratch + 16, 1, (int) waitMillis);
            if (stopRequested) {
                return end();
            }
            if (ready <= 0) {
                // A timeout, or EINTR from a signal: either way, come back later.
                return Poll.NONE;
            }
            // Readable, or an error condition that pcap_next_ex now reports.
            r = LibPcap.pcap().pcap_next_ex(pcap, scratch, scratch + 8);
        }
        switch (r) {
            case LibPcap.NEXT_PACKET -> {
                fill(into);
                return Poll.FRAME;
            }
            case LibPcap.NEXT_NONE -> {
                return Poll.NONE;
            }
            case LibPcap.NEXT_BREAK -> {
                return end();
            }
            default -> {
                String why = LibPcap.pcap().pcap_geterr(pcap);
                end();
                throw new CaptureException(CaptureException.Kind.INTERFACE_GONE, name, -1,
                        "the capture stopped: " + why);
            }
        }
    }

    private void fill(RawPacket into) {
        long header = LibPcap.MEMORY.getAddress(scratch);
        long data = LibPcap.MEMORY.getAddress(scratch + 8);
        long seconds = LibPcap.MEMORY.getLong(header);
        long fraction = LibPcap.MEMORY.getLong(header + 8);
        int caplen = LibPcap.MEMORY.getInt(header + HEADER_CAPLEN);
        int len = LibPcap.MEMORY.getInt(header + HEADER_LEN);
        int copied = Math.min(caplen, buffer.length);
        LibPcap.MEMORY.getByteArray(data, buffer, 0, copied);
        long tsNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000);
        into.set(buffer, 0, copied, Math.max(len, copied), tsNanos, linkType, ++frames, -1);
    }

    private Poll end() {
        if (endNanos == Long.MIN_VALUE) {
            endNanos = nowNanos();
        }
        return Poll.END;
    }

    /** Makes the reader's next {@link #poll} end the capture; safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    @Override
    public boolean live() {
        return true;
    }

    /**
     * The wall clock less what a packet may still wait in a kernel block
     * ({@link #BLOCK_TIMEOUT_MILLIS}) and a margin for the reader's own delay.
     */
    @Override
    public long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano()
                - (BLOCK_TIMEOUT_MILLIS + DELIVERY_MARGIN_MILLIS) * NANOS_PER_MILLI;
    }

    /** When the capture ended; while it has not (a run that failed part-way), now. */
    @Override
    public long endNanos() {
        return endNanos != Long.MIN_VALUE ? endNanos : nowNanos();
    }

    /** libpcap's counts now; null if it cannot tell (the handle was closed). */
    @Override
    public CaptureStats stats() {
        if (closed) {
            return null;
        }
        try {
            PcapStat s = handle.getStats();
            return new CaptureStats(s.getNumPacketsReceived(), s.getNumPacketsDropped(),
                    s.getNumPacketsDroppedByIf());
        } catch (PcapNativeException | NotOpenException e) {
            return null;
        }
    }

    /** E.g. {@code "ethernet, snaplen 128, filter 'tcp port 80'"}, for the start-up line. */
    public String describe() {
        return LinkType.name(linkType) + ", snaplen " + snaplen
                + (filter == null || filter.isBlank() ? "" : ", filter '" + filter + "'");
    }

    /** The device's link type (LINKTYPE_*): Ethernet for most, Linux cooked for {@code any}. */
    public int linkType() {
        return linkType;
    }

    /** The snap length libpcap uses (it may raise a tiny one). */
    @Override
    public int snaplen() {
        return snaplen;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String format() {
        return "live (libpcap " + Interfaces.libpcapVersion() + ")";
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            handle.close();
            LibPcap.MEMORY.freeMemory(scratch);
        }
    }
}
