package io.synscope.capture;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes frames as a capture file other tools read, as {@code tcpdump -w} does: classic pcap
 * with nanosecond timestamps (magic {@code a1b23c4d}), or pcapng when the name ends in
 * {@code .pcapng}. A pcapng file also gets, at {@link #finish}, an Interface Statistics Block
 * with the capture's start and end times and libpcap's drop counts, so that
 * {@code synscope analyze} of the file knows how long the capture really ran (a quiet link after
 * the last packet) and what it lost, as the live run did; pcap has no place for them.
 *
 * <p>Little-endian, the byte order of the machines this runs on. Not thread-safe.
 */
public final class CaptureWriter implements Closeable {
    private static final int PCAP_NANO_MAGIC = 0xA1B23C4D;
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1;
    private static final int ISB = 5;
    private static final int EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPT_IF_NAME = 2;
    private static final int OPT_IF_TSRESOL = 9;

    private final OutputStream out;
    private final String path;
    private final boolean pcapng;
    /** One record at a time, header and padding included; grown for a frame that needs it. */
    private ByteBuffer record = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    private long startNanos = Long.MIN_VALUE;

    private CaptureWriter(OutputStream out, String path, boolean pcapng) {
        this.out = out;
        this.path = path;
        this.pcapng = pcapng;
    }

    /**
     * Creates (or truncates) {@code path} and writes the file header.
     *
     * @param linkType      LINKTYPE_* of every frame to come
     * @param interfaceName recorded in pcapng's interface description
     * @throws CaptureException IO, naming the file, when it cannot be written
     */
    public static CaptureWriter open(String path, int linkType, int snaplen,
                                     String interfaceName) throws CaptureException {
        boolean pcapng = path.endsWith(".pcapng");
        CaptureWriter w = null;
        try {
            w = new CaptureWriter(new BufferedOutputStream(new FileOutputStream(path), 1 << 16),
                    path, pcapng);
            if (pcapng) {
                w.sectionAndInterface(linkType, snaplen, interfaceName);
            } else {
                w.pcapHeader(linkType, snaplen);
            }
            w.out.flush();
            return w;
        } catch (IOException e) {
            if (w != null) {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // Already failing with the more useful message.
                }
            }
            throw new CaptureException(CaptureException.Kind.IO, path, -1,
                    "cannot write the capture file: " + e.getMessage(), e);
        }
    }

    private void pcapHeader(int linkType, int snaplen) throws IOException {
        ByteBuffer b = start(24);
        b.putInt(PCAP_NANO_MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snaplen).putInt(linkType);
        emit();
    }

    private void sectionAndInterface(int linkType, int snaplen, String interfaceName)
            throws IOException {
        ByteBuffer b = start(28);
        b.putInt(SHB).putInt(28).putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0)
                .putLong(-1).putInt(28);
        emit();
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        int nameOption = 4 + padded(name.length);
        int length = 16 + nameOption + 8 + 4 + 4;
        b = start(length);
        b.putInt(IDB).putInt(length).putShort((short) linkType).putShort((short) 0).putInt(snaplen);
        b.putShort((short) OPT_IF_NAME).putShort((short) name.length).put(name);
        pad(b, name.length);
        // 10^-9 s per unit: nanoseconds, as the frames' timestamps are.
        b.putShort((short) OPT_IF_TSRESOL).putShort((short) 1).put((byte) 9).put(new byte[3]);
        b.putInt(0).putInt(length);
        emit();
    }

    /** Appends one frame. */
    public void write(RawPacket p) throws IOException {
        if (startNanos == Long.MIN_VALUE) {
            startNanos = p.tsNanos;
        }
        int n = p.capturedLength;
        if (pcapng) {
            int length = 28 + padded(n) + 4;
            ByteBuffer b = start(length);
            b.putInt(EPB).putInt(length).putInt(0);
            timestamp(b, p.tsNanos);
            b.putInt(n).putInt(p.originalLength).put(p.data, p.offset, n);
            pad(b, n);
            b.putInt(length);
        } else {
            ByteBuffer b = start(16 + n);
            b.putInt((int) Math.floorDiv(p.tsNanos, 1_000_000_000L))
                    .putInt((int) Math.floorMod(p.tsNanos, 1_000_000_000L))
                    .putInt(n).putInt(p.originalLength).put(p.data, p.offset, n);
        }
        emit();
    }

    /** Hands what is buffered to the file: a reader of the file sees every frame so far. */
    public void flush() throws IOException {
        out.flush();
    }

    /**
     * Ends the file: for pcapng, the statistics block ({@code isb_starttime},
     * {@code isb_endtime}, and when {@code stats} is known {@code isb_ifrecv},
     * {@code isb_ifdrop}, {@code isb_osdrop}).
     *
     * @param endNanos when the capture stopped, or {@link Long#MIN_VALUE} if unknown
     */
    public void finish(long endNanos, CaptureStats stats) throws IOException {
        if (pcapng && (endNanos != Long.MIN_VALUE || stats != null)) {
            long end = endNanos != Long.MIN_VALUE ? endNanos : startNanos;
            int options = 2 * 12 + (stats != null ? 3 * 12 : 0) + 4;
            int length = 20 + options + 4;
            ByteBuffer b = start(length);
            b.putInt(ISB).putInt(length).putInt(0);
            timestamp(b, end);
            b.putShort((short) PcapngReader.OPT_ISB_STARTTIME).putShort((short) 8);
            // With no frame at all the start is not known better than the end.
            timestamp(b, startNanos != Long.MIN_VALUE ? startNanos : end);
            b.putShort((short) PcapngReader.OPT_ISB_ENDTIME).putShort((short) 8);
            timestamp(b, end);
            if (stats != null) {
                counter(b, PcapngReader.OPT_ISB_IFRECV, stats.received());
                counter(b, PcapngReader.OPT_ISB_IFDROP, stats.interfaceDrops());
                counter(b, PcapngReader.OPT_ISB_OSDROP, stats.kernelDrops());
            }
            b.putInt(0).putInt(length);
            emit();
        }
        out.flush();
    }

    private static void counter(ByteBuffer b, int code, long value) {
        b.putShort((short) code).putShort((short) 8).putLong(value);
    }

    private static void timestamp(ByteBuffer b, long nanos) {
        b.putInt((int) (nanos >>> 32)).putInt((int) nanos);
    }

    private ByteBuffer start(int length) {
        if (record.capacity() < length) {
            record = ByteBuffer.allocate(Integer.highestOneBit(length) << 1)
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        record.clear();
        return record;
    }

    private void emit() throws IOException {
        out.write(record.array(), 0, record.position());
    }

    private static int padded(int n) {
        return (n + 3) & ~3;
    }

    private static void pad(ByteBuffer b, int n) {
        for (int i = n; i < padded(n); i++) {
            b.put((byte) 0);
        }
    }

    /** The file's path as given. */
    public String path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
