package io.synscope.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes pcap and pcapng captures for tests, byte for byte as the formats define them, so that
 * tests state their input instead of shipping binary files.
 *
 * <pre>{@code
 * byte[] syn = ...;                                    // an Ethernet frame you built
 * Path pcap = CaptureFiles.pcap().frame(syn, 1_700_000_000_000_000_000L).write(dir.resolve("a.pcap"));
 *
 * byte[] ng = CaptureFiles.pcapng()
 *         .section(ByteOrder.BIG_ENDIAN)
 *         .iface(Iface.of(LINKTYPE_ETHERNET).tsresol(9))
 *         .iface(Iface.of(LINKTYPE_RAW).tsOffset(3600))
 *         .epb(new Frame(syn, ts))                      // on interface 0
 *         .epb(new Frame(rawIpSyn, ts).onIface(1))
 *         .toBytes();
 * }</pre>
 *
 * <p>The writers never alter frames: a frame's {@link Frame#data} is written as the captured
 * bytes and {@link Frame#originalLength} as the length on the wire, so a snapped frame is one
 * whose data is shorter than its original length. The snap length in a header is only written.
 * Timestamps are converted from nanoseconds exactly (floor toward the past when the resolution is
 * coarser); {@link #units} tells what a pcapng timestamp field will hold.
 */
public final class CaptureFiles {
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LINUX_SLL = 113;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private CaptureFiles() {
    }

    /**
     * One frame to write.
     *
     * @param data           the captured bytes
     * @param tsNanos        capture time, nanoseconds since the epoch
     * @param iface          pcapng interface id within the current section (pcap ignores it)
     * @param originalLength length on the wire; more than {@code data.length} for a snapped frame
     */
    public record Frame(byte[] data, long tsNanos, int iface, int originalLength) {
        /** A whole (unsnapped) frame on interface 0. */
        public Frame(byte[] data, long tsNanos) {
            this(data, tsNanos, 0, data.length);
        }

        public Frame onIface(int id) {
            return new Frame(data, tsNanos, id, originalLength);
        }

        /** The same frame, as if the wire had carried {@code length} bytes. */
        public Frame withOriginalLength(int length) {
            return new Frame(data, tsNanos, iface, length);
        }
    }

    /** A classic pcap writer: little-endian, microseconds, Ethernet, snap length 262144. */
    public static Pcap pcap() {
        return new Pcap();
    }

    /** A pcapng writer; a little-endian section is opened if none is before the first block. */
    public static Pcapng pcapng() {
        return new Pcapng();
    }

    /** {@code content} as one gzip member. */
    public static byte[] gzip(byte[] content) {
        return gzipMembers(content);
    }

    /** Each part compressed as its own gzip member, the members concatenated (as `cat a.gz b.gz`). */
    public static byte[] gzipMembers(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            try (GZIPOutputStream gz = new GZIPOutputStream(new NonClosing(out))) {
                gz.write(part);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toByteArray();
    }

    /** Writes {@code bytes} to {@code path} and returns the path. */
    public static Path write(Path path, byte[] bytes) {
        try {
            return Files.write(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The value a pcapng timestamp field holds for {@code tsNanos} on {@code iface}: the count of
     * {@code if_tsresol} units since the epoch minus {@code if_tsoffset}, rounded down.
     *
     * @throws IllegalArgumentException when it is negative or does not fit 64 unsigned bits
     */
    public static long units(long tsNanos, Iface iface) {
        BigInteger sinceOffset = BigInteger.valueOf(tsNanos).subtract(
                BigInteger.valueOf(iface.tsOffsetSeconds()).multiply(BigInteger.valueOf(NANOS_PER_SECOND)));
        BigInteger units = sinceOffset.multiply(iface.unitsPerSecond())
                .divide(BigInteger.valueOf(NANOS_PER_SECOND));
        if (units.signum() < 0 || units.bitLength() > 64) {
            throw new IllegalArgumentException(tsNanos + " ns cannot be written on " + iface);
        }
        return units.longValue();
    }

    /**
     * A pcapng interface description.
     *
     * @param linkType         LINKTYPE_* value (16 bits are written)
     * @param snapLength       snap length; 0 for none
     * @param tsresol          the {@code if_tsresol} byte (e.g. 9 for nanoseconds, 0x80 | 30 for
     *                         2^-30 s), or {@link #NO_TSRESOL} to write no option (microseconds)
     * @param tsOffsetSeconds  {@code if_tsoffset}; written when not 0
     */
    public record Iface(int linkType, int snapLength, int tsresol, long tsOffsetSeconds) {
        public static final int NO_TSRESOL = -1;

        /** Microseconds, snap length 262144, no offset. */
        public static Iface of(int linkType) {
            return new Iface(linkType, 262_144, NO_TSRESOL, 0);
        }

        public Iface snapLength(int length) {
            return new Iface(linkType, length, tsresol, tsOffsetSeconds);
        }

        public Iface tsresol(int tsresolByte) {
            return new Iface(linkType, snapLength, tsresolByte, tsOffsetSeconds);
        }

        public Iface tsOffset(long seconds) {
            return new Iface(linkType, snapLength, tsresol, seconds);
        }

        /** 10^e or 2^e as the {@code if_tsresol} byte says (10^6 without one). */
        public BigInteger unitsPerSecond() {
            int code = tsresol == NO_TSRESOL ? 6 : tsresol;
            return (code & 0x80) != 0
                    ? BigInteger.ONE.shiftLeft(code & 0x7F)
                    : BigInteger.TEN.pow(code);
        }
    }

    /** Builds a pcap file: a 24-byte header, then one 16-byte record header per frame. */
    public static final class Pcap {
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        private boolean nanos;
        private int linkTypeField = LINKTYPE_ETHERNET;
        private int snapLength = 262_144;
        private final ByteArrayOutputStream records = new ByteArrayOutputStream();

        private Pcap() {
        }

        /** Byte order of every field; set it before adding frames. */
        public Pcap order(ByteOrder byteOrder) {
            requireNoRecords();
            this.order = byteOrder;
            return this;
        }

        /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds (a1b2c3d4). */
        public Pcap nanos() {
            requireNoRecords();
            this.nanos = true;
            return this;
        }

        /** The header's link-type field, written as given (upper bits carry FCS flags). */
        public Pcap linkType(int field) {
            this.linkTypeField = field;
            return this;
        }

        public Pcap snapLength(int length) {
            this.snapLength = length;
            return this;
        }

        public Pcap frame(byte[] data, long tsNanos) {
            return frame(new Frame(data, tsNanos));
        }

        /** Appends a record; microsecond files round the time down to the microsecond. */
        public Pcap frame(Frame frame) {
            if (frame.tsNanos() < 0) {
                throw new IllegalArgumentException("pcap cannot hold times before 1970");
            }
            long seconds = frame.tsNanos() / NANOS_PER_SECOND;
            long fraction = frame.tsNanos() % NANOS_PER_SECOND;
            return record((int) seconds, (int) (nanos ? fraction : fraction / 1000),
                    frame.data().length, frame.originalLength(), frame.data());
        }

        public Pcap frames(List<Frame> frames) {
            frames.forEach(this::frame);
            return this;
        }

        /**
         * Appends a record with every header field as given, for crafted files (a captured length
         * that lies, a fraction beyond one second); {@code data} follows the header.
         */
        public Pcap record(int seconds, int fraction, int capturedLengthField,
                           int originalLengthField, byte[] data) {
            ByteBuffer header = ByteBuffer.allocate(16).order(order);
            header.putInt(seconds).putInt(fraction).putInt(capturedLengthField)
                    .putInt(originalLengthField);
            records.writeBytes(header.array());
            records.writeBytes(data);
            return this;
        }

        /** Appends bytes verbatim (a cut record, trailing garbage). */
        public Pcap raw(byte[] bytes) {
            records.writeBytes(bytes);
            return this;
        }

        public byte[] toBytes() {
            ByteBuffer header = ByteBuffer.allocate(24).order(order);
            header.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4)
                    .putInt(0).putInt(0).putInt(snapLength).putInt(linkTypeField);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(header.array());
            out.writeBytes(records.toByteArray());
            return out.toByteArray();
        }

        public Path write(Path path) {
            return CaptureFiles.write(path, toBytes());
        }

        private void requireNoRecords() {
            if (records.size() > 0) {
                throw new IllegalStateException("set the header before adding records");
            }
        }
    }

    /** Builds a pcapng file block by block. */
    public static final class Pcapng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        private final List<Iface> ifaces = new ArrayList<>();
        private boolean inSection;

        private Pcapng() {
        }

        /** Starts a section (Section Header Block) in {@code byteOrder}; its interface list is empty. */
        public Pcapng section(ByteOrder byteOrder) {
            order = byteOrder;
            ifaces.clear();
            inSection = true;
            ByteBuffer body = ByteBuffer.allocate(16).order(order);
            body.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
            return appendBlock(0x0A0D0D0A, body.array());
        }

        /** Adds an Interface Description Block; its id is the count of earlier ones in the section. */
        public Pcapng iface(Iface iface) {
            ByteBuffer body = ByteBuffer.allocate(40).order(currentOrder());
            body.putShort((short) iface.linkType()).putShort((short) 0).putInt(iface.snapLength());
            if (iface.tsresol() != Iface.NO_TSRESOL) {
                body.putShort((short) 9).putShort((short) 1).put((byte) iface.tsresol())
                        .put(new byte[3]);
            }
            if (iface.tsOffsetSeconds() != 0) {
                body.putShort((short) 14).putShort((short) 8).putLong(iface.tsOffsetSeconds());
            }
            if (body.position() > 8) {
                body.putInt(0); // opt_endofopt
            }
            ifaces.add(iface);
            return appendBlock(1, slice(body));
        }

        public Pcapng iface(int linkType) {
            return iface(Iface.of(linkType));
        }

        /** Adds an Enhanced Packet Block on the frame's interface. */
        public Pcapng epb(Frame frame) {
            return epbUnits(frame.iface(), units(frame.tsNanos(), ifaceOf(frame)), frame.data(),
                    frame.originalLength());
        }

        /** Adds each frame as an Enhanced Packet Block. */
        public Pcapng frames(List<Frame> frames) {
            frames.forEach(this::epb);
            return this;
        }

        /**
         * Adds an Enhanced Packet Block whose timestamp field holds {@code tsUnits} as given, for
         * times that nanoseconds cannot express (sub-nanosecond units, overflowing values).
         */
        public Pcapng epbUnits(int iface, long tsUnits, byte[] data, int originalLength) {
            ByteBuffer body = ByteBuffer.allocate(20 + padded(data.length)).order(currentOrder());
            body.putInt(iface).putInt((int) (tsUnits >>> 32)).putInt((int) tsUnits)
                    .putInt(data.length).putInt(originalLength).put(data);
            return appendBlock(6, body.array());
        }

        /**
         * Adds a Simple Packet Block: interface 0, no timestamp; the frame's original length is
         * written and its data follows (a reader keeps at most the snap length of interface 0).
         */
        public Pcapng spb(Frame frame) {
            ByteBuffer body = ByteBuffer.allocate(4 + padded(frame.data().length))
                    .order(currentOrder());
            body.putInt(frame.originalLength()).put(frame.data());
            return appendBlock(3, body.array());
        }

        /** Adds an obsolete Packet Block (type 2, 16-bit interface id, drops count 0). */
        public Pcapng pb(Frame frame) {
            long tsUnits = units(frame.tsNanos(), ifaceOf(frame));
            byte[] data = frame.data();
            ByteBuffer body = ByteBuffer.allocate(20 + padded(data.length)).order(currentOrder());
            body.putShort((short) frame.iface()).putShort((short) 0)
                    .putInt((int) (tsUnits >>> 32)).putInt((int) tsUnits)
                    .putInt(data.length).putInt(frame.originalLength()).put(data);
            return appendBlock(2, body.array());
        }

        /** Adds a well-formed block of any type; {@code body} is padded to 4 bytes. */
        public Pcapng block(int type, byte[] body) {
            currentOrder();
            return appendBlock(type, body);
        }

        /** Appends bytes verbatim (a crafted or cut block). */
        public Pcapng raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        /** Bytes written so far: the offset the next block will have. */
        public int size() {
            return out.size();
        }

        /** The byte order of the current section. */
        public ByteOrder order() {
            return order;
        }

        public byte[] toBytes() {
            return out.toByteArray();
        }

        public Path write(Path path) {
            return CaptureFiles.write(path, toBytes());
        }

        private ByteOrder currentOrder() {
            if (!inSection) {
                section(ByteOrder.LITTLE_ENDIAN);
            }
            return order;
        }

        private Iface ifaceOf(Frame frame) {
            currentOrder();
            if (frame.iface() < 0 || frame.iface() >= ifaces.size()) {
                throw new IllegalArgumentException("interface " + frame.iface()
                        + " is not defined in this section; use epbUnits to craft such a block");
            }
            return ifaces.get(frame.iface());
        }

        private Pcapng appendBlock(int type, byte[] body) {
            int length = 12 + padded(body.length);
            ByteBuffer block = ByteBuffer.allocate(length).order(order);
            block.putInt(type).putInt(length).put(body);
            block.putInt(length - 4, length);
            out.writeBytes(block.array());
            return this;
        }

        private static byte[] slice(ByteBuffer filled) {
            byte[] bytes = new byte[filled.position()];
            filled.get(0, bytes);
            return bytes;
        }
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    /** Lets each gzip member finish without closing the shared output. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(ByteArrayOutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the member is complete once GZIPOutputStream.finish() ran in its close()
        }
    }
}
