package io.synscope.capture;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes frames as a capture file other tools read, as {@code tcpdump -w} does: classic pcap
 * with nanosecond timestamps (magic {@code a1b23c4d}), or pcapng when the name ends in
 * {@code .pcapng}. A pcapng file also gets, at {@link #finish}, an Interface Statistics Block
 * with the capture's start and end times and libpcap's drop counts, so that
 * {@code synscope analyze} of the file knows how long the capture really ran (a quiet link after
 * the last packet) and what it lost, as the live run did; pcap has no place for them.
 *
 * <p>{@link #open} writes frames of one link type, as a capture of one interface does;
 * {@link #create} writes frames read from other captures, each with its own link type and snap
 * length ({@link #write(RawPacket, int)}): pcapng then gets an interface description per link
 * type and snap length, pcap (one link type only) declares the largest snap length.
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
    /** The section header's {@code shb_userappl} in every pcapng file this writes. */
    static final String USER_APPLICATION = "synscope";
    /** Starts every comment that holds a piece of an attachment; the kind and a space follow. */
    static final String ATTACHMENT_PREFIX = "synscope:";
    /** An option's value is at most 65,535 bytes; a piece of an attachment stays well below. */
    private static final int MAX_PIECE_BYTES = 60_000;
    /** Pieces per statistics block: 16 × 60 kB keeps a block far from a reader's 16 MiB cap. */
    private static final int MAX_PIECES_PER_BLOCK = 16;
    private static final int OPT_IF_TSRESOL = 9;

    /** The snap length a pcap header declares when the frames do not say theirs. */
    private static final int DEFAULT_SNAPLEN = 262_144;

    private final OutputStream out;
    /** The file, to declare the largest snap length once known ({@link #create}); or null. */
    private final FileOutputStream file;
    private final String path;
    private final boolean pcapng;
    /**
     * {@link #create}'s interfaces so far, each {@code linkType << 32 | snaplen}, by interface id
     * (pcapng); or the pcap header's one. Empty until the first frame.
     */
    private final List<Long> interfaces = new ArrayList<>();
    /** The interface of the frame written last, and its key: the next one is likely the same. */
    private int lastInterface = -1;
    private long lastInterfaceKey;
    /** {@link #create}'s pcap: the largest snap length of the frames written. */
    private int largestSnaplen;
    /** One record at a time, header and padding included; grown for a frame that needs it. */
    private ByteBuffer record = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    private long startNanos = Long.MIN_VALUE;
    private final Map<String, String> attachments = new LinkedHashMap<>();

    private CaptureWriter(OutputStream out, FileOutputStream file, String path, boolean pcapng) {
        this.out = out;
        this.file = file;
        this.path = path;
        this.pcapng = pcapng;
    }

    /**
     * A capture of frames read from other captures ({@link #write(RawPacket, int)}), written to
     * {@code file} (already open, so that a path that cannot be written was said before any
     * work): pcapng's section header now, each interface description when its first frame
     * comes; pcap's file header with the first frame.
     */
    public static CaptureWriter create(FileOutputStream file, String path, boolean pcapng)
            throws IOException {
        CaptureWriter w = new CaptureWriter(new BufferedOutputStream(file, 1 << 16), file, path,
                pcapng);
        if (pcapng) {
            w.section();
        }
        return w;
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
                    null, path, pcapng);
            if (pcapng) {
                w.section();
                w.interfaceDescription(linkType, snaplen, interfaceName);
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

    private void section() throws IOException {
        byte[] application = USER_APPLICATION.getBytes(StandardCharsets.US_ASCII);
        int sectionLength = 24 + 4 + padded(application.length) + 4 + 4;
        ByteBuffer b = start(sectionLength);
        b.putInt(SHB).putInt(sectionLength).putInt(BYTE_ORDER_MAGIC).putShort((short) 1)
                .putShort((short) 0).putLong(-1);
        b.putShort((short) PcapngReader.OPT_SHB_USERAPPL).putShort((short) application.length)
                .put(application);
        pad(b, application.length);
        b.putInt(0).putInt(sectionLength);
        emit();
    }

    /** An interface description; {@code interfaceName} null: none. */
    private void interfaceDescription(int linkType, int snaplen, String interfaceName)
            throws IOException {
        byte[] name = interfaceName == null ? null : interfaceName.getBytes(StandardCharsets.UTF_8);
        int nameOption = name == null ? 0 : 4 + padded(name.length);
        int length = 16 + nameOption + 8 + 4 + 4;
        ByteBuffer b = start(length);
        b.putInt(IDB).putInt(length).putShort((short) linkType).putShort((short) 0).putInt(snaplen);
        if (name != null) {
            b.putShort((short) OPT_IF_NAME).putShort((short) name.length).put(name);
            pad(b, name.length);
        }
        // 10^-9 s per unit: nanoseconds, as the frames' timestamps are.
        b.putShort((short) OPT_IF_TSRESOL).putShort((short) 1).put((byte) 9).put(new byte[3]);
        b.putInt(0).putInt(length);
        emit();
        interfaces.add((long) linkType << 32 | snaplen);
    }

    /** Appends one frame of {@link #open}'s link type. */
    public void write(RawPacket p) throws IOException {
        frame(p, 0);
    }

    /**
     * Appends one frame of {@link #create}'s capture, of its own link type and with the snap
     * length of the capture it was read from (0: not known).
     *
     * @throws IOException when a pcap file would need a second link type (only pcapng holds
     *                     several; the caller chooses pcapng when the inputs have several)
     */
    public void write(RawPacket p, int snaplen) throws IOException {
        int snap = snaplen > 0 ? snaplen : DEFAULT_SNAPLEN;
        if (pcapng) {
            long key = (long) p.linkType << 32 | snap;
            if (lastInterface < 0 || key != lastInterfaceKey) {
                lastInterface = interfaces.indexOf(key);
                if (lastInterface < 0) {
                    interfaceDescription(p.linkType, snap, null);
                    lastInterface = interfaces.size() - 1;
                }
                lastInterfaceKey = key;
            }
            frame(p, lastInterface);
            return;
        }
        if (interfaces.isEmpty()) {
            pcapHeader(p.linkType, snap);
            interfaces.add((long) p.linkType << 32 | snap);
        } else if ((int) (interfaces.get(0) >>> 32) != p.linkType) {
            throw new IOException("a pcap file holds frames of one link type; "
                    + LinkType.name((int) (interfaces.get(0) >>> 32)) + " and "
                    + LinkType.name(p.linkType) + " need pcapng");
        }
        largestSnaplen = Math.max(largestSnaplen, snap);
        frame(p, 0);
    }

    private void frame(RawPacket p, int interfaceId) throws IOException {
        if (startNanos == Long.MIN_VALUE) {
            startNanos = p.tsNanos;
        }
        int n = p.capturedLength;
        if (pcapng) {
            int length = 28 + padded(n) + 4;
            ByteBuffer b = start(length);
            b.putInt(EPB).putInt(length).putInt(interfaceId);
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
     * Keeps {@code text} to be written with the file at {@link #finish} (pcapng only; a pcap
     * file has no place for it, see {@link #keepsAttachments}). A later call with the same
     * {@code kind} replaces the text.
     *
     * @param kind lower-case letters, digits and dashes: what {@link Captures#attachments} files
     *             the text under
     */
    public void attach(String kind, String text) {
        if (!kind.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("attachment kind " + kind);
        }
        attachments.put(kind, text);
    }

    /** Whether {@link #attach} leaves anything in the file: only pcapng has room for it. */
    public boolean keepsAttachments() {
        return pcapng;
    }

    /**
     * Ends the file: for pcapng, the {@linkplain #attach attachments}, then the statistics block ({@code isb_starttime},
     * {@code isb_endtime}, and when {@code stats} is known {@code isb_ifrecv},
     * {@code isb_ifdrop}, {@code isb_osdrop}).
     *
     * @param endNanos when the capture stopped, or {@link Long#MIN_VALUE} if unknown
     */
    public void finish(long endNanos, CaptureStats stats) throws IOException {
        long end = endNanos != Long.MIN_VALUE ? endNanos : startNanos;
        if (file != null && !pcapng) {
            finishPcap();
            return;
        }
        if (interfaces.isEmpty()) {
            // Statistics and attachments belong to an interface: a capture of nothing has none.
            out.flush();
            return;
        }
        if (pcapng) {
            for (Map.Entry<String, String> a : attachments.entrySet()) {
                writeAttachment(a.getKey(), a.getValue(), end != Long.MIN_VALUE ? end : 0);
            }
        }
        if (pcapng && (endNanos != Long.MIN_VALUE || stats != null)) {
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

    /**
     * {@link #create}'s pcap: the header of an empty capture, or the largest snap length of the
     * frames in the header the first frame wrote.
     */
    private void finishPcap() throws IOException {
        if (interfaces.isEmpty()) {
            pcapHeader(LinkType.ETHERNET, DEFAULT_SNAPLEN);
            out.flush();
            return;
        }
        out.flush();
        if (largestSnaplen > (int) (long) interfaces.get(0)) {
            ByteBuffer snap = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0, largestSnaplen);
            file.getChannel().write(snap, 16);
        }
    }

    /**
     * One attachment as comments of statistics blocks for interface 0, in pieces cut at UTF-8
     * character boundaries, so that each comment is valid text on its own.
     */
    private void writeAttachment(String kind, String text, long timestampNanos) throws IOException {
        byte[] prefix = (ATTACHMENT_PREFIX + kind + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        do {
            List<int[]> pieces = new ArrayList<>();
            int options = 0;
            while (pieces.size() < MAX_PIECES_PER_BLOCK && (from < bytes.length || pieces.isEmpty())) {
                int to = Math.min(bytes.length, from + MAX_PIECE_BYTES);
                while (to < bytes.length && to > from && (bytes[to] & 0xC0) == 0x80) {
                    to--;
                }
                pieces.add(new int[] {from, to});
                options += 4 + padded(prefix.length + to - from);
                from = to;
            }
            int length = 20 + options + 4 + 4;
            ByteBuffer b = start(length);
            b.putInt(ISB).putInt(length).putInt(0);
            timestamp(b, timestampNanos);
            for (int[] piece : pieces) {
                int n = prefix.length + piece[1] - piece[0];
                b.putShort((short) PcapngReader.OPT_COMMENT).putShort((short) n)
                        .put(prefix)
                        .put(bytes, piece[0], piece[1] - piece[0]);
                pad(b, n);
            }
            b.putInt(0).putInt(length);
            emit();
        } while (from < bytes.length);
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
