import com.kenai.jffi.MemoryIO;
import com.sun.jna.Pointer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.intptr_t;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two ways synscope could read packets from libpcap, on the same file: pcap4j's
 * {@code PcapHandle.getNextRawPacket()} (a JNA call to {@code pcap_next}; per packet a
 * {@code pcap_pkthdr} structure with native memory, a {@code byte[]}, a {@code java.sql.Timestamp}
 * and a boxed original length), against {@code pcap_next_ex} called through jnr-ffi with the
 * header and data read in place by jffi's {@code MemoryIO} and the bytes copied into one reused
 * {@code byte[]}, as {@code LiveCapture} reads a live capture. Both keep what the decoder needs:
 * the bytes, the time stamp in nanoseconds and the original length.
 *
 * <p>The file is opened offline (pcap4j's {@code Pcaps.openOffline}, nanosecond precision), so
 * the figures are the read path's own cost, with no kernel ring and no sender in between.
 *
 * <pre>
 * java -cp target/synscope.jar bench/ReadPath.java FILE [ROUNDS [PATHS]]
 *   ROUNDS  rounds in this JVM, each reading the whole file once per path (default 5)
 *   PATHS   pcap4j,next_ex (default), or one of them: a fresh JVM per path and round is
 *           for i in 1 2 3; do java -cp ... bench/ReadPath.java FILE 1 pcap4j; done
 * </pre>
 *
 * Prints per round and path: packets, ns per packet (wall time of the read loop), bytes allocated
 * per packet by the reading thread, collections and their time, CPU of the whole process per
 * packet (it includes the collector's and JNA's cleaner threads), and a checksum over every
 * packet's time stamp, lengths and bytes 12-13 that must be equal for both paths.
 */
public class ReadPath {
    /** libpcap's pcap_next_ex, every argument an address: jnr-ffi makes a direct call. */
    public interface LibPcap {
        int pcap_next_ex(@intptr_t long pcap, @intptr_t long headerSlot, @intptr_t long dataSlot);
    }

    private static final String[] PCAP_NAMES = {"pcap", "libpcap.so.0.8", "libpcap.so.1"};

    record Result(String path, long packets, long nanos, long allocated, long gcCount,
                  long gcMillis, long processCpuNanos, long checksum) {
        double nsPerPacket() {
            return (double) nanos / packets;
        }

        double bytesPerPacket() {
            return (double) allocated / packets;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java -cp synscope.jar bench/ReadPath.java FILE [ROUNDS [pcap4j,next_ex]]");
            System.exit(2);
        }
        String file = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> paths = Arrays.asList((args.length > 2 ? args[2] : "pcap4j,next_ex").split(","));
        for (String p : paths) {
            if (!p.equals("pcap4j") && !p.equals("next_ex")) {
                throw new IllegalArgumentException("unknown path " + p + ": pcap4j or next_ex");
            }
        }
        LibPcap pcap = loadPcap();
        System.out.printf("%-5s %-8s %10s %8s %11s %5s %7s %10s %18s%n", "round", "path",
                "packets", "ns/pkt", "alloc B/pkt", "GCs", "GC ms", "CPU ns/pkt", "checksum");
        Map<String, List<Result>> all = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String p : paths) {
                Result r = p.equals("pcap4j") ? readPcap4j(file) : readNextEx(file, pcap);
                all.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
                System.out.printf("%5d %-8s %,10d %8.1f %11.1f %5d %7d %10.1f %18x%n", round, p,
                        r.packets(), r.nsPerPacket(), r.bytesPerPacket(), r.gcCount(),
                        r.gcMillis(), (double) r.processCpuNanos() / r.packets(), r.checksum());
            }
        }
        if (rounds > 1) {
            System.out.println();
            for (Map.Entry<String, List<Result>> e : all.entrySet()) {
                List<Result> warm = e.getValue().subList(1, e.getValue().size());
                double[] ns = warm.stream().mapToDouble(Result::nsPerPacket).sorted().toArray();
                double[] alloc = warm.stream().mapToDouble(Result::bytesPerPacket).sorted().toArray();
                System.out.printf("%-8s first round %.1f ns/packet; rounds 2-%d: median %.1f, best %.1f ns/packet, %.1f B/packet allocated%n",
                        e.getKey(), e.getValue().get(0).nsPerPacket(), rounds, median(ns), ns[0], median(alloc));
            }
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static LibPcap loadPcap() {
        for (String name : PCAP_NAMES) {
            try {
                return LibraryLoader.create(LibPcap.class).failImmediately().load(name);
            } catch (UnsatisfiedLinkError e) {
                // the next name
            }
        }
        throw new UnsatisfiedLinkError("no libpcap among " + String.join(", ", PCAP_NAMES));
    }

    /** pcap4j's own read: what LiveCapture would do with pcap4j alone. */
    private static Result readPcap4j(String file) throws Exception {
        PcapHandle handle = Pcaps.openOffline(file, PcapHandle.TimestampPrecision.NANO);
        Meter m = new Meter();
        long packets = 0;
        long sum = 0;
        try {
            while (true) {
                byte[] data = handle.getNextRawPacket();
                if (data == null) {
                    break;
                }
                Timestamp ts = handle.getTimestamp();
                int len = handle.getOriginalLength();
                long tsNanos = (ts.getTime() / 1000) * 1_000_000_000L + ts.getNanos();
                sum = mix(sum, tsNanos, data.length, len, data.length > 13 ? data[12] << 8 | (data[13] & 0xFF) : 0);
                packets++;
            }
            return m.result("pcap4j", packets, sum);
        } finally {
            handle.close();
        }
    }

    /** LiveCapture's read: pcap_next_ex through jnr-ffi, read in place, copied to one buffer. */
    private static Result readNextEx(String file, LibPcap pcap) throws Exception {
        PcapHandle handle = Pcaps.openOffline(file, PcapHandle.TimestampPrecision.NANO);
        MemoryIO memory = MemoryIO.getInstance();
        long slots = memory.allocateMemory(16, true);
        byte[] buffer = new byte[Math.max(handle.getSnapshot(), 64)];
        long p = nativeHandle(handle);
        Meter m = new Meter();
        long packets = 0;
        long sum = 0;
        try {
            while (pcap.pcap_next_ex(p, slots, slots + 8) == 1) {
                long header = memory.getAddress(slots);
                long data = memory.getAddress(slots + 8);
                long seconds = memory.getLong(header);
                long fraction = memory.getLong(header + 8);
                int caplen = memory.getInt(header + 16);
                int len = memory.getInt(header + 20);
                int copied = Math.min(caplen, buffer.length);
                memory.getByteArray(data, buffer, 0, copied);
                long tsNanos = seconds * 1_000_000_000L + fraction;
                sum = mix(sum, tsNanos, copied, len, copied > 13 ? buffer[12] << 8 | (buffer[13] & 0xFF) : 0);
                packets++;
            }
            return m.result("next_ex", packets, sum);
        } finally {
            memory.freeMemory(slots);
            handle.close();
        }
    }

    /** pcap4j keeps libpcap's pcap_t * in a private field, as LiveCapture.nativeHandle reads it. */
    private static long nativeHandle(PcapHandle handle) throws ReflectiveOperationException {
        Field f = PcapHandle.class.getDeclaredField("handle");
        f.setAccessible(true);
        return Pointer.nativeValue((Pointer) f.get(handle));
    }

    private static long mix(long sum, long tsNanos, int caplen, int len, int etherType) {
        long h = sum * 31 + tsNanos;
        h = h * 31 + caplen;
        h = h * 31 + len;
        return h * 31 + etherType;
    }

    /** Wall time, this thread's allocation, collections and process CPU from now on. */
    private static final class Meter {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final long allocated0 = THREADS.getCurrentThreadAllocatedBytes();
        private final long gcCount0 = gcCount();
        private final long gcMillis0 = gcMillis();
        private final long cpu0 = OS.getProcessCpuTime();
        private final long start = System.nanoTime();

        Result result(String path, long packets, long checksum) {
            long nanos = System.nanoTime() - start;
            return new Result(path, packets, nanos,
                    THREADS.getCurrentThreadAllocatedBytes() - allocated0, gcCount() - gcCount0,
                    gcMillis() - gcMillis0, OS.getProcessCpuTime() - cpu0, checksum);
        }

        private static long gcCount() {
            long n = 0;
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                n += Math.max(0, b.getCollectionCount());
            }
            return n;
        }

        private static long gcMillis() {
            long n = 0;
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                n += Math.max(0, b.getCollectionTime());
            }
            return n;
        }
    }
}
