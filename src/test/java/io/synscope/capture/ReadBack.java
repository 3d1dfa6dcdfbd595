package io.synscope.capture;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Opens test captures and copies every frame out, as a consumer honouring the reuse contract. */
final class ReadBack {
    private ReadBack() {
    }

    /** A frame copied out of the reader's buffer. */
    record Packet(byte[] bytes, int originalLength, long tsNanos, int linkType, long frameNumber,
                  long fileOffset) {
    }

    static PacketSource open(byte[] capture) throws CaptureException {
        return Captures.open("test", new ByteArrayInputStream(capture));
    }

    /**
     * Opens {@code capture} as a pipe would deliver it: at most {@code bytesPerRead} bytes per
     * read and never any {@code available()}, into a buffer of {@code bufferBytes}.
     */
    static PacketSource openTrickling(byte[] capture, int bytesPerRead, int bufferBytes)
            throws CaptureException {
        return Captures.open("pipe", Channels.newChannel(new Trickle(capture, bytesPerRead)),
                bufferBytes);
    }

    static List<Packet> readAll(byte[] capture) throws CaptureException {
        try (PacketSource source = open(capture)) {
            return readAll(source);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<Packet> readAll(PacketSource source) throws CaptureException {
        List<Packet> packets = new ArrayList<>();
        RawPacket raw = new RawPacket();
        while (source.next(raw)) {
            packets.add(new Packet(
                    Arrays.copyOfRange(raw.data, raw.offset, raw.offset + raw.capturedLength),
                    raw.originalLength, raw.tsNanos, raw.linkType, raw.frameNumber,
                    raw.fileOffset));
        }
        return packets;
    }

    /** {@code length} pseudo-random bytes, the same for the same seed. */
    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A stream like a slow pipe: short reads, {@code available()} always 0. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private final int bytesPerRead;
        private int pos;
        boolean closed;

        Trickle(byte[] data, int bytesPerRead) {
            this.data = data;
            this.bytesPerRead = bytesPerRead;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, bytesPerRead), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
