package io.synscope.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One group of counters in a {@code /proc/net/snmp}-style file: a header line of names and a
 * line of values, both starting with the group's name ({@code TcpExt: SyncookiesSent ...} /
 * {@code TcpExt: 0 ...}). The file is opened once and re-read from position 0 at each sample (a
 * seq_file regenerates its text then); the text and the values go into buffers made once.
 *
 * <p>Open it on a thread inside the namespace to be read, by {@code /proc/thread-self/net/...}:
 * {@code /proc/net} is {@code /proc/self/net}, the namespace of the process's first thread, which
 * a thread that entered another namespace with setns does not change (measured: docs/kernel.md).
 * Not thread-safe.
 */
final class ProcNetFile implements AutoCloseable {
    private final Path path;
    private final String group;
    private final byte[] prefix;
    private final FileChannel channel;
    private ByteBuffer text = ByteBuffer.allocate(8192);
    private String[] names = new String[0];
    private long[] values = new long[0];

    private ProcNetFile(Path path, String group, FileChannel channel) {
        this.path = path;
        this.group = group;
        this.prefix = (group + ":").getBytes(StandardCharsets.US_ASCII);
        this.channel = channel;
    }

    /** @throws KernelSourceException when the file cannot be opened or has no such group */
    static ProcNetFile open(Path path, String group) throws KernelSourceException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new KernelSourceException("cannot open " + path + ": " + e);
        }
        ProcNetFile file = new ProcNetFile(path, group, channel);
        try {
            file.read();
        } catch (KernelSourceException e) {
            file.close();
            throw e;
        }
        return file;
    }

    /**
     * Re-reads the file; {@link #values()} then holds the new values. The names are read once,
     * at the first read: a running kernel's counters do not change.
     */
    void read() throws KernelSourceException {
        int length = readAll();
        int count = parse(text.array(), length, prefix, null, values);
        if (names.length == 0) {
            List<String> found = new ArrayList<>();
            values = new long[count];
            count = parse(text.array(), length, prefix, found, values);
            if (count == 0 || found.size() != count) {
                throw new KernelSourceException(path + " has no " + group + " counters");
            }
            names = found.toArray(new String[0]);
        } else if (count != names.length) {
            throw new KernelSourceException(path + ": " + count + " " + group + " values, not the "
                    + names.length + " of the first read");
        }
    }

    private int readAll() throws KernelSourceException {
        try {
            text.clear();
            long position = 0;
            while (true) {
                int n = channel.read(text, position);
                if (n < 0) {
                    return text.position();
                }
                position += n;
                if (!text.hasRemaining()) {
                    text = ByteBuffer.allocate(text.capacity() * 2);
                    text.clear();
                    position = 0;
                }
            }
        } catch (IOException e) {
            throw new KernelSourceException("cannot read " + path + ": " + e);
        }
    }

    /** The counter names in file order. */
    String[] names() {
        return names;
    }

    /** The values of the last read, index for index with {@link #names()}. */
    long[] values() {
        return values;
    }

    Path path() {
        return path;
    }

    /**
     * Parses a group's header and value lines in {@code text[0, length)}: names into {@code names}
     * when it is not null, values into {@code values} as far as it reaches.
     *
     * @return how many values the value line has (0 when the group is missing)
     */
    static int parse(byte[] text, int length, byte[] prefix, List<String> names, long[] values) {
        int header = -1;
        int lineStart = 0;
        while (lineStart < length) {
            int lineEnd = lineStart;
            while (lineEnd < length && text[lineEnd] != '\n') {
                lineEnd++;
            }
            if (startsWith(text, lineStart, lineEnd, prefix)) {
                if (header < 0) {
                    header = lineStart;
                    if (names != null) {
                        names(text, lineStart + prefix.length, lineEnd, names);
                    }
                } else {
                    return numbers(text, lineStart + prefix.length, lineEnd, values);
                }
            }
            lineStart = lineEnd + 1;
        }
        return 0;
    }

    private static boolean startsWith(byte[] text, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (text[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static void names(byte[] text, int from, int to, List<String> out) {
        int i = from;
        while (i < to) {
            while (i < to && text[i] == ' ') {
                i++;
            }
            int start = i;
            while (i < to && text[i] != ' ') {
                i++;
            }
            if (i > start) {
                out.add(new String(text, start, i - start, StandardCharsets.US_ASCII));
            }
        }
    }

    private static int numbers(byte[] text, int from, int to, long[] out) {
        int count = 0;
        int i = from;
        while (i < to) {
            while (i < to && text[i] == ' ') {
                i++;
            }
            if (i >= to) {
                break;
            }
            boolean negative = text[i] == '-';
            if (negative) {
                i++;
            }
            long v = 0;
            while (i < to && text[i] != ' ') {
                v = v * 10 + (text[i] - '0');
                i++;
            }
            if (count < out.length) {
                out[count] = negative ? -v : v;
            }
            count++;
        }
        return count;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a procfs file for reading cannot lose anything.
        }
    }
}
