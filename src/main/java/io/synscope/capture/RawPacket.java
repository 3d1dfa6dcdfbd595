package io.synscope.capture;

/**
 * One captured frame as a reader hands it out: a window into the reader's own buffer.
 *
 * <p><b>Reuse contract.</b> A {@link PacketSource} fills the same {@code RawPacket} on every call
 * to {@link PacketSource#next(RawPacket)}; {@link #data} is the reader's buffer and the bytes in
 * {@code [offset, offset + capturedLength)} are valid only until the next call. Callers that need
 * anything later copy it out. This keeps the read loop free of per-packet allocation.
 */
public final class RawPacket {
    /** Buffer holding the frame; shared with the reader, see the reuse contract. */
    public byte[] data;
    /** Index of the frame's first byte in {@link #data}. */
    public int offset;
    /** Bytes present in the capture (at most the snap length). */
    public int capturedLength;
    /** Length of the frame on the wire; larger than {@link #capturedLength} when snapped. */
    public int originalLength;
    /** Capture time in nanoseconds since the Unix epoch. */
    public long tsNanos;
    /** Link-layer header type (a 16-bit LINKTYPE_* value), see {@link LinkType}. */
    public int linkType;
    /** 1-based frame number in the capture, as Wireshark counts them. */
    public long frameNumber;
    /** Byte offset of this record's header in the (decompressed) capture stream, for messages. */
    public long fileOffset;

    /** Sets every field; used by readers. */
    public void set(byte[] data, int offset, int capturedLength, int originalLength,
                    long tsNanos, int linkType, long frameNumber, long fileOffset) {
        this.data = data;
        this.offset = offset;
        this.capturedLength = capturedLength;
        this.originalLength = originalLength;
        this.tsNanos = tsNanos;
        this.linkType = linkType;
        this.frameNumber = frameNumber;
        this.fileOffset = fileOffset;
    }
}
