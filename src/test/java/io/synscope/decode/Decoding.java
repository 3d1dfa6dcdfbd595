package io.synscope.decode;

import io.synscope.capture.RawPacket;

import java.util.Arrays;

/**
 * One decoder and segment, fed frames placed inside a larger buffer between guard bytes, so that
 * a read outside the frame's window would see the guard instead of failing silently.
 */
final class Decoding {
    static final int GUARD = 9;
    static final long TS_NANOS = 1_700_000_000_123_456_789L;
    static final long FRAME_NUMBER = 42;

    final PacketDecoder decoder = new PacketDecoder();
    final TcpSegment segment = new TcpSegment();

    /** Decodes a whole frame. */
    SkipReason decode(byte[] frame, int linkType) {
        return decode(frame, linkType, frame.length, frame.length, (byte) 0xEE);
    }

    /** Decodes the first {@code captured} bytes of a frame that was {@code original} bytes long. */
    SkipReason decode(byte[] frame, int linkType, int captured, int original, byte guard) {
        byte[] buffer = new byte[GUARD + frame.length + GUARD];
        Arrays.fill(buffer, guard);
        System.arraycopy(frame, 0, buffer, GUARD, captured);
        RawPacket raw = new RawPacket();
        raw.set(buffer, GUARD, captured, original, TS_NANOS, linkType, FRAME_NUMBER, 24);
        return decoder.decode(raw, segment);
    }
}
