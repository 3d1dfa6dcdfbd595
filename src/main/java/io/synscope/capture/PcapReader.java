package io.synscope.capture;

/**
 * Reads the classic libpcap format: a 24-byte file header, then records of a 16-byte header
 * (seconds, microseconds or nanoseconds, captured length, original length) and the frame bytes.
 * Both byte orders and both timestamp precisions (magic {@code a1b2c3d4}: microseconds,
 * {@code a1b23c4d}: nanoseconds) are read.
 *
 * <p>Frames cut by the snap length are handed out as they are ({@code capturedLength <
 * originalLength}). A record claiming more captured than original bytes is read with its captured
 * length, and its original length is raised to match so that {@code capturedLength <=
 * originalLength} always holds. Frames are handed out under the reuse contract of
 * {@link RawPacket}.
 */
public final class PcapReader extends CaptureReader {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int FILE_HEADER_BYTES = 24;
    static final int RECORD_HEADER_BYTES = 16;
    /**
     * Largest captured length accepted: four times libpcap's maximum snapshot length (262144),
     * room for odd writers while still refusing garbage long before it costs memory.
     */
    static final int MAX_CAPTURED_LENGTH = 262_144 * 4;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int linkType;
    private final int snaplen;
    private final long nanosPerFractionUnit;

    /** Reads the file header; {@code in} is positioned at a pcap magic, 4 bytes buffered. */
    PcapReader(CaptureInput in) throws CaptureException {
        super(in, isNanos(in.int32BigEndian(in.position())) ? "pcap-ns" : "pcap");
        if (!in.request(FILE_HEADER_BYTES)) {
            throw corrupt(0, "pcap file header cut short: " + FILE_HEADER_BYTES
                    + " bytes expected, " + in.available() + " present");
        }
        int p = in.position();
        int magic = in.int32BigEndian(p);
        in.order(magic == MAGIC_MICROS || magic == MAGIC_NANOS);
        nanosPerFractionUnit = isNanos(magic) ? 1 : 1000;
        int major = in.uint16(p + 4);
        int minor = in.uint16(p + 6);
        if (major != 2) {
            warn("unusual pcap version " + major + "." + minor + "; read as version 2.4");
        }
        // The upper 16 bits carry the FCS length and flags, not the link type.
        linkType = in.int32(p + 20) & LinkType.MASK;
        snaplen = Math.max(0, in.int32(p + 16));
        in.skip(FILE_HEADER_BYTES);
    }

    @Override
    public int snaplen() {
        return snaplen;
    }

    /** Whether {@code bigEndianWord} is a pcap magic in either byte order. */
    static boolean isMagic(int bigEndianWord) {
        int swapped = Integer.reverseBytes(bigEndianWord);
        return bigEndianWord == MAGIC_MICROS || bigEndianWord == MAGIC_NANOS
                || swapped == MAGIC_MICROS || swapped == MAGIC_NANOS;
    }

    private static boolean isNanos(int bigEndianWord) {
        return bigEndianWord == MAGIC_NANOS || Integer.reverseBytes(bigEndianWord) == MAGIC_NANOS;
    }

    @Override
    public boolean next(RawPacket into) throws CaptureException {
        // The common case first, small enough to inline: the whole record is already buffered.
        // The slow path re-reads the length and repeats every check, with messages.
        int buffered = in.available();
        if (buffered >= RECORD_HEADER_BYTES) {
            int capturedLength = in.int32(in.position() + 8);
            // Unsigned, so a length that is negative as an int is not buffered either.
            if (Integer.compareUnsigned(capturedLength, buffered - RECORD_HEADER_BYTES) <= 0
                    && capturedLength <= MAX_CAPTURED_LENGTH) {
                deliver(into, capturedLength);
                return true;
            }
        }
        return nextAfterReading(into);
    }

    private boolean nextAfterReading(RawPacket into) throws CaptureException {
        if (ended) {
            return false;
        }
        long record = frames + 1;
        if (!in.request(RECORD_HEADER_BYTES)) {
            return in.available() == 0 ? endOfCapture()
                    : cutShort("record " + record + " needs a " + RECORD_HEADER_BYTES
                    + "-byte header, " + in.available() + " bytes present");
        }
        int capturedLength = in.int32(in.position() + 8);
        if (Integer.compareUnsigned(capturedLength, MAX_CAPTURED_LENGTH) > 0) {
            throw corrupt(in.offset(), "record " + record + " announces a captured length of "
                    + Integer.toUnsignedString(capturedLength) + " bytes; at most "
                    + MAX_CAPTURED_LENGTH + " expected");
        }
        if (!in.request(RECORD_HEADER_BYTES + capturedLength)) {
            return cutShort("record " + record + " announces " + capturedLength + " bytes, "
                    + (in.available() - RECORD_HEADER_BYTES) + " present");
        }
        deliver(into, capturedLength);
        return true;
    }

    /** Hands out the record at the input's position, known to be buffered whole, and skips it. */
    private void deliver(RawPacket into, int capturedLength) {
        int p = in.position();
        long seconds = in.int32(p) & 0xFFFF_FFFFL;
        long fraction = in.int32(p + 4) & 0xFFFF_FFFFL;
        int wireLength = in.int32(p + 12);
        // Negative as an int means above 2^31 as the unsigned field: clamp, it only informs.
        int originalLength = wireLength < 0 ? Integer.MAX_VALUE
                : Math.max(wireLength, capturedLength);
        into.set(in.buffer(), p + RECORD_HEADER_BYTES, capturedLength, originalLength,
                seconds * NANOS_PER_SECOND + fraction * nanosPerFractionUnit, linkType,
                ++frames, in.offset());
        in.skip(RECORD_HEADER_BYTES + capturedLength);
    }
}
