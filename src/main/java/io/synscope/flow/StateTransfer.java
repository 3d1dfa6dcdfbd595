package io.synscope.flow;

import java.util.Arrays;

/**
 * One pass over an open connection's fields that either writes them into a compact byte string
 * ({@link Writer}, freezing an idle connection) or reads them back ({@link Reader}, thawing it):
 * {@link Connection#transfer}, {@link Endpoint#transfer} and the {@link Facts} groups list their
 * fields once, as {@code field = t.kind(field)}, and the same list serves both directions, so
 * the two cannot drift apart. A writer returns each value unchanged; a reader ignores it and
 * returns the one it reads.
 *
 * <p>Encoding: numbers as zigzag varints; times and frame numbers relative to the connection's
 * first packet ({@link #setBases}), 0 kept as 0 (it means "never" for them); booleans eight to a
 * byte; a fact group as a presence byte, absent when every field of it is at its default. Why:
 * docs/performance.md#m1-connection-state.
 *
 * <p>Not thread-safe; a tracker owns one of each and reuses it.
 */
abstract sealed class StateTransfer permits StateTransfer.Writer, StateTransfer.Reader {
    byte[] buffer;
    int position;
    private long baseTsNanos;
    private long baseFrame;
    /** Where the byte holding the current run of flags is, and how many of its bits are used. */
    int flagBytePosition;
    private int flagBits = 8;

    /** Varint of an unsigned value, as written or read. */
    abstract long unsigned(long v);

    /** A whole 64-bit word (a hash: a varint of it would take 10 bytes). */
    abstract long word(long v);

    /** The byte at the start of a run of flags. */
    abstract int flagByte(int bits);

    /**
     * A fact group's presence: true when {@code present} (writer) or when the group was written
     * (reader); the caller then transfers the group's fields and calls {@link #endGroup}. A group's
     * flags are a run of their own, inside the group's bytes.
     */
    final boolean group(boolean present) {
        flagBits = 8;
        return startGroup(present);
    }

    /** After a group's fields: a writer drops a group whose every field was at its default. */
    final void endGroup() {
        flagBits = 8;
        closeGroup();
    }

    abstract boolean startGroup(boolean present);

    abstract void closeGroup();

    /** {@code length} bytes of {@code bytes}; a reader returns an array at least {@code room} longer. */
    abstract byte[] bytes(byte[] bytes, int length, int room);

    /** Times and frames from here on are relative to these (the connection's first packet). */
    final void setBases(long tsNanos, long frame) {
        baseTsNanos = tsNanos;
        baseFrame = frame;
    }

    final long num(long v) {
        long z = unsigned((v << 1) ^ (v >> 63));
        return (z >>> 1) ^ -(z & 1);
    }

    final int num(int v) {
        return (int) num((long) v);
    }

    /** A capture time, 0 for "never". */
    final long time(long tsNanos) {
        return relative(tsNanos, baseTsNanos);
    }

    /** A frame number, 0 for "none". */
    final long frame(long frame) {
        return relative(frame, baseFrame);
    }

    private long relative(long v, long base) {
        long d = v - base;
        long z = unsigned(v == 0 ? 0 : ((d << 1) ^ (d >> 63)) + 1);
        return z == 0 ? 0 : base + (((z - 1) >>> 1) ^ -((z - 1) & 1));
    }

    final boolean flag(boolean v) {
        if (flagBits == 8) {
            flagBytePosition = position;
            flagBits = 0;
        }
        int bit = 1 << flagBits++;
        return (flagByte(v ? bit : 0) & bit) != 0;
    }

    /** One of {@code values}, never null (a reader's {@code v}, from a new connection, may be). */
    final <E extends Enum<E>> E choice(E v, E[] values) {
        return values[(int) unsigned(v == null ? 0 : v.ordinal())];
    }

    /** Starts a new byte string (writer) or the reading of {@code from} (reader). */
    final void start(byte[] from) {
        if (from != null) {
            buffer = from;
        }
        position = 0;
        flagBits = 8;
    }

    /** Writes a connection's fields, reusing its buffer; {@link #finish} gives the bytes. */
    static final class Writer extends StateTransfer {
        private int groupStart;

        Writer() {
            buffer = new byte[512];
        }

        /** The bytes written since {@link #start}, in a new array of their exact length. */
        byte[] finish() {
            return Arrays.copyOf(buffer, position);
        }

        private void ensure(int more) {
            if (position + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
            }
        }

        @Override
        long unsigned(long v) {
            ensure(10);
            long rest = v;
            while ((rest & ~0x7FL) != 0) {
                buffer[position++] = (byte) (rest | 0x80);
                rest >>>= 7;
            }
            buffer[position++] = (byte) rest;
            return v;
        }

        @Override
        long word(long v) {
            ensure(Long.BYTES);
            for (int i = 0; i < Long.BYTES; i++) {
                buffer[position++] = (byte) (v >>> (8 * i));
            }
            return v;
        }

        @Override
        int flagByte(int bits) {
            if (position == flagBytePosition) {
                ensure(1);
                buffer[position++] = (byte) bits;
            } else {
                buffer[flagBytePosition] |= (byte) bits;
            }
            return bits;
        }

        @Override
        boolean startGroup(boolean present) {
            ensure(1);
            groupStart = position;
            buffer[position++] = (byte) (present ? 1 : 0);
            return present;
        }

        @Override
        void closeGroup() {
            for (int i = groupStart + 1; i < position; i++) {
                if (buffer[i] != 0) {
                    return;
                }
            }
            buffer[groupStart] = 0;
            position = groupStart + 1;
        }

        @Override
        byte[] bytes(byte[] bytes, int length, int room) {
            ensure(length);
            System.arraycopy(bytes, 0, buffer, position, length);
            position += length;
            return bytes;
        }
    }

    /** Reads fields back from a frozen connection's bytes. */
    static final class Reader extends StateTransfer {
        @Override
        long unsigned(long ignored) {
            long v = 0;
            int shift = 0;
            byte b;
            do {
                b = buffer[position++];
                v |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            return v;
        }

        @Override
        long word(long ignored) {
            long v = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                v |= (buffer[position++] & 0xFFL) << (8 * i);
            }
            return v;
        }

        @Override
        int flagByte(int ignored) {
            if (position == flagBytePosition) {
                position++;
            }
            return buffer[flagBytePosition];
        }

        @Override
        boolean startGroup(boolean ignored) {
            return buffer[position++] != 0;
        }

        @Override
        void closeGroup() {
        }

        @Override
        byte[] bytes(byte[] into, int length, int room) {
            byte[] out = into.length >= length + room ? into : new byte[length + room];
            System.arraycopy(buffer, position, out, 0, length);
            position += length;
            return out;
        }
    }
}
