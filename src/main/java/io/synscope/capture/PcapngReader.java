package io.synscope.capture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads pcapng (draft-ietf-opsawg-pcapng): sections, each opened by a Section Header Block that
 * sets the byte order and starts a new interface table; Interface Description Blocks (link type,
 * snap length, {@code if_tsresol}, {@code if_tsoffset}); and frames from Enhanced Packet Blocks,
 * Simple Packet Blocks and the obsolete Packet Block. Interface Statistics Blocks give the
 * capture's end time and what it lost ({@link #endNanos()}, {@link #stats()}: what
 * {@code synscope live -w} and dumpcap record when they stop). Name resolution, journal and
 * decryption-secret blocks are skipped silently; blocks of any other type are skipped and
 * counted in one summary warning.
 *
 * <p>Every block's length is checked (at least the type's minimum, a multiple of 4, at most
 * {@link CaptureInput#MAX_RECORD_BYTES}, trailing copy equal to the leading one) and so is every
 * length inside a block; a violation is a {@link CaptureException.Kind#CORRUPT} with the block's
 * offset. Timestamps are converted to nanoseconds with integer arithmetic only (floor for
 * resolutions finer than a nanosecond); one that does not fit in a signed 64-bit nanosecond count
 * (past the year 2262) is clamped and counted in a warning.
 *
 * <p>A Simple Packet Block carries no timestamp: its frame gets the timestamp of the frame
 * before it (0 if none), so that time-ordered analysis sees no jump. Frames are handed out under
 * the reuse contract of {@link RawPacket}.
 */
public final class PcapngReader extends CaptureReader {
    static final int SECTION_HEADER = 0x0A0D0D0A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int INTERFACE_DESCRIPTION = 1;
    /** Obsolete, still written by old tools. */
    static final int PACKET = 2;
    static final int SIMPLE_PACKET = 3;
    static final int NAME_RESOLUTION = 4;
    static final int INTERFACE_STATISTICS = 5;
    static final int ENHANCED_PACKET = 6;
    static final int SYSTEMD_JOURNAL = 9;
    static final int DECRYPTION_SECRETS = 0x0A;

    static final int OPT_END_OF_OPTIONS = 0;
    static final int OPT_COMMENT = 1;
    static final int OPT_SHB_USERAPPL = 4;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;
    static final int OPT_ISB_STARTTIME = 2;
    static final int OPT_ISB_ENDTIME = 3;
    static final int OPT_ISB_IFRECV = 4;
    static final int OPT_ISB_IFDROP = 5;
    static final int OPT_ISB_OSDROP = 7;

    /** Type, length and the trailing copy of the length. */
    private static final int BLOCK_OVERHEAD = 12;
    /** Type, length and byte-order magic: enough to know how to read the length. */
    private static final int SECTION_HEADER_PREFIX = 12;
    /** Overhead, byte-order magic, version, section length. */
    private static final int MIN_SECTION_HEADER = BLOCK_OVERHEAD + 16;
    /** Overhead, link type, reserved, snap length. */
    private static final int MIN_INTERFACE_DESCRIPTION = BLOCK_OVERHEAD + 8;
    /** Overhead, interface, timestamp (2×4), captured and original length: EPB and PB alike. */
    private static final int MIN_PACKET = BLOCK_OVERHEAD + 20;
    /** Overhead and original length. */
    private static final int MIN_SIMPLE_PACKET = BLOCK_OVERHEAD + 4;
    /** Interface id and timestamp. */
    private static final int MIN_STATISTICS = BLOCK_OVERHEAD + 12;
    /** Microseconds, the resolution when an interface has no {@code if_tsresol}. */
    private static final int DEFAULT_TSRESOL = 6;
    /**
     * Interfaces one section may define. Real captures have a handful; the cap keeps a file of
     * nothing but tiny interface blocks from filling the heap with descriptions.
     */
    static final int MAX_INTERFACES = 1 << 16;
    private static final byte[] ATTACHMENT_PREFIX =
            CaptureWriter.ATTACHMENT_PREFIX.getBytes(StandardCharsets.US_ASCII);
    /** Longest attachment kind looked for in a comment. */
    private static final int MAX_ATTACHMENT_KIND = 32;
    /** Attachment text kept from one file; a hostile file cannot make it more. */
    static final long MAX_ATTACHMENT_BYTES = 64L << 20;
    /** Distinct unknown types named in the summary warning; the rest are counted together. */
    private static final int MAX_UNKNOWN_TYPES_NAMED = 8;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** 10^0 … 10^19; 10^19 is above {@code Long.MAX_VALUE} and used as an unsigned value. */
    private static final long[] POWERS_OF_TEN = new long[20];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    /** The current section's interfaces, by interface id. */
    private final List<Interface> interfaces = new ArrayList<>();
    /** Blocks whose header was read so far; the current block's 1-based number. */
    private long blocks;
    private long sections;
    private long unknownBlocks;
    private final Map<Integer, Long> unknownBlocksByType = new LinkedHashMap<>();
    private long clampedTimestamps;
    private long previousTsNanos;
    /** The snap length of the last frame's interface ({@link #snaplen()}). */
    private int snaplen;
    /**
     * The latest statistics block's counts per interface id; null until one. Ids are per
     * section, so a file of several sections that each count their interface 0 reports the
     * last section's; writers that stop once write one section.
     */
    private Map<Long, CaptureStats> statsByInterface;
    private long endNanos = Long.MIN_VALUE;
    /** The first section header's {@code shb_userappl}; null until read, "" when it has none. */
    private String userApplication;
    /** {@link CaptureWriter#attach attachments} met so far, by kind, pieces joined. */
    private final Map<String, ByteArrayOutputStream> attachments = new LinkedHashMap<>();
    private long attachmentBytes;

    /**
     * {@code in} is positioned at a Section Header Block magic; its byte-order magic is checked
     * now so that a file that merely starts with the same 4 bytes is refused at open.
     */
    PcapngReader(CaptureInput in) throws CaptureException {
        super(in, "pcapng");
        if (in.request(SECTION_HEADER_PREFIX)) {
            sectionIsBigEndian(1);
        }
    }

    /** One Interface Description Block, with its timestamp conversion prepared. */
    private static final class Interface {
        final int linkType;
        /** 0 means no limit. */
        final long snapLength;
        /**
         * nanos = floor(units × multiplier / 2^shift / divisor): one formula for every
         * resolution, exact, with a 128-bit intermediate product.
         */
        final long multiplier;
        final int shift;
        /** Unsigned; 1 when unused. */
        final long divisor;
        final long offsetNanos;

        Interface(int linkType, long snapLength, int tsresol, long offsetNanos) {
            this.linkType = linkType;
            this.snapLength = snapLength;
            this.offsetNanos = offsetNanos;
            if ((tsresol & 0x80) != 0) {
                // 2^-e seconds per unit.
                multiplier = NANOS_PER_SECOND;
                shift = tsresol & 0x7F;
                divisor = 1;
            } else if (tsresol <= 9) {
                // 10^-e seconds, a whole number of nanoseconds.
                multiplier = POWERS_OF_TEN[9 - tsresol];
                shift = 0;
                divisor = 1;
            } else {
                // Finer than a nanosecond. Beyond 10^-28 no 64-bit count reaches one nanosecond.
                boolean reachable = tsresol - 9 < POWERS_OF_TEN.length;
                multiplier = reachable ? 1 : 0;
                shift = 0;
                divisor = reachable ? POWERS_OF_TEN[tsresol - 9] : 1;
            }
        }
    }

    @Override
    public boolean next(RawPacket into) throws CaptureException {
        if (ended) {
            return false;
        }
        while (true) {
            if (!in.request(8)) {
                return in.available() == 0 ? endOfCapture()
                        : cutShort("block " + (blocks + 1) + " needs an 8-byte header, "
                        + in.available() + " bytes present");
            }
            int type = in.int32(in.position());
            if (type == SECTION_HEADER) {
                // Its byte order is not known yet, so its length cannot be read the common way.
                if (!readSectionHeader()) {
                    return false;
                }
                continue;
            }
            blocks++;
            int length = in.int32(in.position() + 4);
            checkLength(type, length);
            if (!in.request(length)) {
                return cutShort(describe(type) + " announces " + length + " bytes, "
                        + in.available() + " present");
            }
            int p = in.position();
            checkTrailingLength(type, length, p);
            boolean delivered = switch (type) {
                case ENHANCED_PACKET, PACKET -> readPacket(into, type, length, p);
                case SIMPLE_PACKET -> readSimplePacket(into, length, p);
                case INTERFACE_DESCRIPTION -> {
                    readInterface(length, p);
                    yield false;
                }
                case INTERFACE_STATISTICS -> {
                    readStatistics(length, p);
                    yield false;
                }
                case NAME_RESOLUTION, SYSTEMD_JOURNAL, DECRYPTION_SECRETS -> false;
                default -> {
                    countUnknown(type);
                    yield false;
                }
            };
            in.skip(length);
            if (delivered) {
                return true;
            }
        }
    }

    /** @return false when the capture ends inside the section header (a warning is added) */
    private boolean readSectionHeader() throws CaptureException {
        if (!in.request(SECTION_HEADER_PREFIX)) {
            return cutShort("block " + (blocks + 1) + " (section header) needs "
                    + SECTION_HEADER_PREFIX + " bytes to show its byte order, "
                    + in.available() + " present");
        }
        blocks++;
        in.order(sectionIsBigEndian(blocks));
        int length = in.int32(in.position() + 4);
        checkLength(SECTION_HEADER, length);
        if (!in.request(length)) {
            return cutShort(describe(SECTION_HEADER) + " announces " + length + " bytes, "
                    + in.available() + " present");
        }
        int p = in.position();
        checkTrailingLength(SECTION_HEADER, length, p);
        int major = in.uint16(p + 12);
        if (major != 1) {
            throw corrupt(in.offset(), describe(SECTION_HEADER) + " has pcapng version " + major
                    + "." + in.uint16(p + 14) + "; version 1.x expected");
        }
        sections++;
        interfaces.clear();
        if (userApplication == null) {
            String[] found = {""};
            forEachOption(SECTION_HEADER, length, p, MIN_SECTION_HEADER - 4, (code, value, n) -> {
                if (code == OPT_SHB_USERAPPL) {
                    found[0] = in.utf8(value, n);
                }
            });
            userApplication = found[0];
        }
        in.skip(length);
        return true;
    }

    /**
     * Reads the byte-order magic of the section header at the input's position.
     *
     * @param block the block's number, for the message
     */
    private boolean sectionIsBigEndian(long block) throws CaptureException {
        int magic = in.int32BigEndian(in.position() + 8);
        if (magic == BYTE_ORDER_MAGIC) {
            return true;
        }
        if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            return false;
        }
        throw corrupt(in.offset(), "block " + block + " (section header) has byte-order magic "
                + hex(magic) + "; 1a2b3c4d expected, in either byte order");
    }

    private void checkLength(int type, int length) throws CaptureException {
        int minimum = minimumLength(type);
        String problem;
        if (Integer.compareUnsigned(length, CaptureInput.MAX_RECORD_BYTES) > 0) {
            problem = "at most " + CaptureInput.MAX_RECORD_BYTES + " expected";
        } else if (length < minimum) {
            problem = "at least " + minimum + " expected";
        } else if (length % 4 != 0) {
            problem = "a multiple of 4 expected";
        } else {
            return;
        }
        throw corrupt(in.offset(), describe(type) + " has a total length of "
                + Integer.toUnsignedString(length) + "; " + problem);
    }

    private static int minimumLength(int type) {
        return switch (type) {
            case SECTION_HEADER -> MIN_SECTION_HEADER;
            case INTERFACE_DESCRIPTION -> MIN_INTERFACE_DESCRIPTION;
            case ENHANCED_PACKET, PACKET -> MIN_PACKET;
            case SIMPLE_PACKET -> MIN_SIMPLE_PACKET;
            default -> BLOCK_OVERHEAD;
        };
    }

    private void checkTrailingLength(int type, int length, int p) throws CaptureException {
        int trailing = in.int32(p + length - 4);
        if (trailing != length) {
            throw corrupt(in.offset(), describe(type) + " ends with a total length of "
                    + Integer.toUnsignedString(trailing) + "; " + length
                    + " expected (the leading copy)");
        }
    }

    /** Enhanced Packet Block, or the obsolete Packet Block with its 16-bit interface id. */
    private boolean readPacket(RawPacket into, int type, int length, int p)
            throws CaptureException {
        long interfaceId = type == PACKET ? in.uint16(p + 8) : in.int32(p + 8) & 0xFFFF_FFFFL;
        Interface iface = interfaceFor(type, interfaceId);
        long units = timestampUnits(p + 12);
        int capturedLength = in.int32(p + 20);
        int room = length - MIN_PACKET;
        if (Integer.compareUnsigned(capturedLength, room) > 0) {
            throw corrupt(in.offset(), describe(type) + " announces a captured length of "
                    + Integer.toUnsignedString(capturedLength) + " bytes; at most " + room
                    + " expected (what the block's length leaves for packet data)");
        }
        deliver(into, p + 28, capturedLength, in.int32(p + 24), toNanos(iface, units), iface);
        return true;
    }

    private boolean readSimplePacket(RawPacket into, int length, int p) throws CaptureException {
        Interface iface = interfaceFor(SIMPLE_PACKET, 0);
        int wireLength = in.int32(p + 8);
        long capturedLength = Math.min(wireLength & 0xFFFF_FFFFL, length - MIN_SIMPLE_PACKET);
        if (iface.snapLength != 0) {
            capturedLength = Math.min(capturedLength, iface.snapLength);
        }
        deliver(into, p + 12, (int) capturedLength, wireLength, previousTsNanos, iface);
        return true;
    }

    private void deliver(RawPacket into, int dataIndex, int capturedLength, int wireLength,
                         long tsNanos, Interface iface) {
        // Negative as an int means above 2^31 as the unsigned field: clamp, it only informs.
        int originalLength = wireLength < 0 ? Integer.MAX_VALUE
                : Math.max(wireLength, capturedLength);
        previousTsNanos = tsNanos;
        snaplen = (int) Math.min(iface.snapLength, Integer.MAX_VALUE);
        into.set(in.buffer(), dataIndex, capturedLength, originalLength, tsNanos,
                iface.linkType, ++frames, in.offset());
    }

    @Override
    public int snaplen() {
        return snaplen;
    }

    private Interface interfaceFor(int type, long interfaceId) throws CaptureException {
        if (interfaceId >= interfaces.size()) {
            throw corrupt(in.offset(), describe(type) + " refers to interface " + interfaceId
                    + ", but section " + sections + " defines "
                    + (interfaces.isEmpty() ? "none"
                    : "only " + interfaces.size() + " (0-" + (interfaces.size() - 1) + ")"));
        }
        return interfaces.get((int) interfaceId);
    }

    private void readInterface(int length, int p) throws CaptureException {
        int linkType = in.uint16(p + 8);
        long snapLength = in.int32(p + 12) & 0xFFFF_FFFFL;
        int[] tsresolOption = {-1};
        long[] offsetOption = {0};
        forEachOption(INTERFACE_DESCRIPTION, length, p, 16, (code, value, valueLength) -> {
            if (code == OPT_IF_TSRESOL && sized(INTERFACE_DESCRIPTION, "if_tsresol", valueLength, 1)) {
                tsresolOption[0] = in.buffer()[value] & 0xFF;
            } else if (code == OPT_IF_TSOFFSET
                    && sized(INTERFACE_DESCRIPTION, "if_tsoffset", valueLength, 8)) {
                offsetOption[0] = in.int64(value);
            }
        });
        int tsresol = tsresolOption[0] >= 0 ? tsresolOption[0] : DEFAULT_TSRESOL;
        long offsetSeconds = offsetOption[0];
        long offsetNanos = offsetSeconds * NANOS_PER_SECOND;
        if (Math.multiplyHigh(offsetSeconds, NANOS_PER_SECOND) != (offsetNanos >> 63)) {
            offsetNanos = offsetSeconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            warn(describe(INTERFACE_DESCRIPTION) + ": if_tsoffset of " + offsetSeconds
                    + " seconds is beyond the nanosecond range; clamped");
        }
        if (interfaces.size() == MAX_INTERFACES) {
            throw corrupt(in.offset(), describe(INTERFACE_DESCRIPTION) + " would be interface "
                    + MAX_INTERFACES + " of section " + sections + "; at most " + MAX_INTERFACES
                    + " expected");
        }
        interfaces.add(new Interface(linkType, snapLength, tsresol, offsetNanos));
    }

    /** One option of a block: its code, and its value at {@code value} in the input's buffer. */
    private interface OptionVisitor {
        void visit(int code, int value, int valueLength) throws CaptureException;
    }

    /**
     * Walks the options of the block of {@code type} at {@code p}, which start {@code first}
     * bytes into it, up to the end-of-options option or the block's end.
     */
    private void forEachOption(int type, int length, int p, int first, OptionVisitor visitor)
            throws CaptureException {
        int end = p + length - 4;
        int option = p + first;
        while (option + 4 <= end) {
            int code = in.uint16(option);
            int valueLength = in.uint16(option + 2);
            if (code == OPT_END_OF_OPTIONS) {
                break;
            }
            int value = option + 4;
            int nextOption = value + ((valueLength + 3) & ~3);
            if (nextOption > end) {
                throw corrupt(in.offset(), describe(type) + ": option " + code
                        + " at offset " + (in.offset() + option - p) + " announces "
                        + valueLength + " bytes; at most " + (end - value)
                        + " expected (what the block's length leaves)");
            }
            visitor.visit(code, value, valueLength);
            option = nextOption;
        }
    }

    /** Whether an option has the length its type needs; warns and ignores it when not. */
    private boolean sized(int type, String option, int valueLength, int expected) {
        if (valueLength == expected) {
            return true;
        }
        warn(describe(type) + ": " + option + " has " + valueLength + " bytes, " + expected
                + " expected; ignored");
        return false;
    }

    /**
     * Interface Statistics Block: interface id, timestamp, then options, of which the end time
     * and the receive and drop counters are kept. A writer may repeat the block; each one's
     * counters run from the capture's start, so the latest per interface counts.
     */
    private void readStatistics(int length, int p) throws CaptureException {
        if (length < MIN_STATISTICS) {
            warn(describe(INTERFACE_STATISTICS) + " has " + length + " bytes, at least "
                    + MIN_STATISTICS + " expected; ignored");
            return;
        }
        long interfaceId = in.int32(p + 8) & 0xFFFF_FFFFL;
        if (interfaceId >= interfaces.size()) {
            // Only informative: not worth refusing the frames around it.
            warn(describe(INTERFACE_STATISTICS) + " refers to interface " + interfaceId
                    + ", which section " + sections + " does not define; ignored");
            return;
        }
        Interface iface = interfaces.get((int) interfaceId);
        long[] counters = new long[OPT_ISB_OSDROP + 1];
        boolean[] counted = {false};
        long[] end = {toNanos(iface, timestampUnits(p + 12))};
        forEachOption(INTERFACE_STATISTICS, length, p, 20, (code, value, valueLength) -> {
            if (code == OPT_COMMENT) {
                keepAttachmentPiece(value, valueLength);
            } else if (code == OPT_ISB_ENDTIME && sized(INTERFACE_STATISTICS, "isb_endtime", valueLength, 8)) {
                end[0] = Math.max(end[0], toNanos(iface, timestampUnits(value)));
            } else if ((code == OPT_ISB_IFRECV || code == OPT_ISB_IFDROP || code == OPT_ISB_OSDROP)
                    && sized(INTERFACE_STATISTICS, "isb counter " + code, valueLength, 8)) {
                counters[code] = in.int64(value);
                counted[0] = true;
            }
        });
        endNanos = Math.max(endNanos, end[0]);
        if (!counted[0]) {
            // An end time only: the file does not say what was lost, which is not "nothing".
            return;
        }
        if (statsByInterface == null) {
            statsByInterface = new LinkedHashMap<>();
        }
        statsByInterface.put(interfaceId, new CaptureStats(
                counters[OPT_ISB_IFRECV], counters[OPT_ISB_OSDROP], counters[OPT_ISB_IFDROP]));
    }

    /** Keeps a statistics block's comment when it holds a piece of an attachment. */
    private void keepAttachmentPiece(int value, int valueLength) {
        byte[] b = in.buffer();
        int kindStart = value + ATTACHMENT_PREFIX.length;
        if (valueLength <= ATTACHMENT_PREFIX.length
                || !Arrays.equals(b, value, kindStart, ATTACHMENT_PREFIX, 0, ATTACHMENT_PREFIX.length)) {
            return;
        }
        int limit = Math.min(value + valueLength, kindStart + MAX_ATTACHMENT_KIND + 1);
        int space = kindStart;
        while (space < limit && b[space] != ' ') {
            space++;
        }
        if (space == limit || space == kindStart) {
            // A comment that only starts like one of ours.
            return;
        }
        String kind = in.utf8(kindStart, space - kindStart);
        int pieceBytes = value + valueLength - space - 1;
        if (attachmentBytes + pieceBytes > MAX_ATTACHMENT_BYTES) {
            if (attachmentBytes <= MAX_ATTACHMENT_BYTES) {
                warn("attachments beyond " + MAX_ATTACHMENT_BYTES + " bytes (from "
                        + describe(INTERFACE_STATISTICS) + " on) ignored");
                attachmentBytes = MAX_ATTACHMENT_BYTES + 1;
            }
            return;
        }
        attachmentBytes += pieceBytes;
        attachments.computeIfAbsent(kind, k -> new ByteArrayOutputStream())
                .write(b, space + 1, pieceBytes);
    }

    /**
     * The first section header's {@code shb_userappl} (the program that wrote the file), "" if
     * it has none; null before the first {@link #next}.
     */
    String userApplication() {
        return userApplication;
    }

    /** Attachments read so far, by kind; complete once {@link #next} returned false. */
    Map<String, String> attachments() {
        Map<String, String> texts = new LinkedHashMap<>();
        attachments.forEach((kind, bytes) -> texts.put(kind, bytes.toString(StandardCharsets.UTF_8)));
        return texts;
    }

    /** A 64-bit timestamp stored as two 32-bit words, high one first (EPB, ISB). */
    private long timestampUnits(int index) {
        return ((long) in.int32(index) << 32) | (in.int32(index + 4) & 0xFFFF_FFFFL);
    }

    @Override
    public long endNanos() {
        return endNanos;
    }

    @Override
    public CaptureStats stats() {
        if (statsByInterface == null) {
            return null;
        }
        CaptureStats sum = new CaptureStats(0, 0, 0);
        for (CaptureStats st : statsByInterface.values()) {
            sum = sum.plus(st);
        }
        return sum;
    }

    /** Nanoseconds since the epoch for a timestamp of {@code units} (unsigned) on {@code f}. */
    private long toNanos(Interface f, long units) {
        long high = unsignedMultiplyHigh(units, f.multiplier);
        long low = units * f.multiplier;
        int shift = f.shift;
        if (shift >= 64) {
            low = high >>> (shift - 64);
            high = 0;
        } else if (shift > 0) {
            low = (low >>> shift) | (high << (64 - shift));
            high >>>= shift;
        }
        if (f.divisor != 1) {
            // Only with multiplier 1, so the product had no high half.
            low = Long.divideUnsigned(low, f.divisor);
        }
        if (high != 0 || low < 0) {
            clampedTimestamps++;
            return Long.MAX_VALUE;
        }
        long nanos = low + f.offsetNanos;
        if (((low ^ nanos) & (f.offsetNanos ^ nanos)) < 0) {
            clampedTimestamps++;
            return f.offsetNanos < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return nanos;
    }

    /** The high 64 bits of the unsigned 128-bit product (Math has it only from Java 18 on). */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    private void countUnknown(int type) {
        unknownBlocks++;
        if (unknownBlocksByType.containsKey(type)
                || unknownBlocksByType.size() < MAX_UNKNOWN_TYPES_NAMED) {
            unknownBlocksByType.merge(type, 1L, Long::sum);
        }
    }

    /** Adds the end-of-capture summaries (unknown blocks, clamped timestamps) to the list. */
    @Override
    public List<String> warnings() {
        List<String> all = super.warnings();
        if (unknownBlocks > 0) {
            StringBuilder types = new StringBuilder();
            long named = 0;
            for (Map.Entry<Integer, Long> e : unknownBlocksByType.entrySet()) {
                types.append(types.length() == 0 ? "" : ", ")
                        .append("0x").append(hex(e.getKey())).append(" ×").append(e.getValue());
                named += e.getValue();
            }
            if (named < unknownBlocks) {
                types.append(", other types ×").append(unknownBlocks - named);
            }
            all.add("skipped " + count(unknownBlocks, "block") + " of unknown type (" + types
                    + ")");
        }
        if (clampedTimestamps > 0) {
            all.add("clamped " + count(clampedTimestamps, "timestamp")
                    + " beyond the nanosecond range (before 1678 or after 2262)");
        }
        return all;
    }

    /** E.g. {@code "block 17 (enhanced packet)"}, for messages about the current block. */
    private String describe(int type) {
        String kind = switch (type) {
            case SECTION_HEADER -> "section header";
            case INTERFACE_DESCRIPTION -> "interface description";
            case PACKET -> "packet";
            case SIMPLE_PACKET -> "simple packet";
            case NAME_RESOLUTION -> "name resolution";
            case INTERFACE_STATISTICS -> "interface statistics";
            case ENHANCED_PACKET -> "enhanced packet";
            case SYSTEMD_JOURNAL -> "systemd journal export";
            case DECRYPTION_SECRETS -> "decryption secrets";
            default -> "type 0x" + hex(type);
        };
        return "block " + blocks + " (" + kind + ")";
    }

    private static String hex(int value) {
        return String.format("%08x", value);
    }
}
