package io.synscope.capture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Several capture files read as one capture in time order: the files {@code tcpdump -C} or
 * {@code -G} rotates into, given in any order, gzip-compressed or not, pcap or pcapng, or a
 * directory standing for the captures in it.
 *
 * <p>Every file is opened once ahead of the analysis, to check that it is a capture (an
 * unreadable one is an error before anything is analysed) and to read its first timestamp. The
 * merge then takes the file whose next frame is oldest (ties: the file that started first, then
 * the order the files were given in), and opens a file only when its first frame is due and
 * closes it at its end, so rotated files, which do not overlap, are open one at a time. Files that do overlap are merged frame by
 * frame, with a warning.
 *
 * <p><b>Frame numbers</b> count the merged frames from 1, as Wireshark numbers the frames of
 * {@code mergecap -w all.pcap FILES}; {@link #parts()} tells which merged frames each file holds.
 *
 * <p>A file damaged part-way is analysed up to its damage, with a warning naming it, and the
 * other files go on; {@link #damage()} keeps the first damage for the exit code.
 *
 * <p><b>Reuse contract.</b> The frame handed out is a window into its file's reader buffer (one
 * {@link RawPacket} per file): valid, as {@link RawPacket} says, until the next call, because a
 * file is advanced only on the call after the one that handed out its frame.
 */
public final class MergedSource implements PacketSource {
    private static final Comparator<Part> TIME_ORDER =
            Comparator.comparingLong(Part::key).thenComparingInt(p -> p.rank);

    private final String name;
    /** In time order of their first frames. */
    private final List<Part> parts;
    private final PriorityQueue<Part> waiting = new PriorityQueue<>(TIME_ORDER);
    /**
     * The oldest waiting file's key and rank, kept beside the queue: the frame-by-frame test
     * whether the current file is still the oldest is then two comparisons of numbers.
     */
    private long waitingKey;
    private int waitingRank;
    private final List<String> warnings = new ArrayList<>();
    /** The file whose frame was handed out last, or null. */
    private Part current;
    private Set<String> overlapping;
    private long frames;
    private long endNanos = Long.MIN_VALUE;
    private CaptureStats stats;
    private CaptureException damage;

    private MergedSource(String name, List<Part> parts, List<String> notes) {
        this.name = name;
        this.parts = parts;
        this.warnings.addAll(notes);
        waiting.addAll(parts);
        noteWaitingTop();
    }

    /**
     * Opens what the user named: one file (or {@code "-"}) as {@link Captures#open}, several
     * files or a directory as one merged capture.
     *
     * @throws CaptureException for the first input that is not a readable capture, naming it,
     *                          with the kind {@link Captures#open} gives; a directory without
     *                          any capture in it is {@code NOT_A_CAPTURE}
     */
    public static PacketSource open(List<String> inputs) throws CaptureException {
        if (inputs.size() == 1 && !isDirectory(inputs.get(0))) {
            return Captures.open(inputs.get(0));
        }
        List<String> notes = new ArrayList<>();
        List<Part> parts = new ArrayList<>();
        for (String input : inputs) {
            if (isDirectory(input)) {
                addDirectory(input, parts, notes);
            } else {
                parts.add(probe(input, parts.size()));
            }
        }
        parts.sort(TIME_ORDER);
        for (int i = 0; i < parts.size(); i++) {
            parts.get(i).rank = i;
        }
        return new MergedSource(String.join(" ", inputs), parts, notes);
    }

    private static boolean isDirectory(String input) {
        if ("-".equals(input)) {
            return false;
        }
        try {
            return Files.isDirectory(Path.of(input));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** The directory's regular files that are captures (by their first bytes), by name. */
    private static void addDirectory(String dir, List<Part> parts, List<String> notes)
            throws CaptureException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(dir))) {
            entries.forEach(files::add);
        } catch (IOException | SecurityException e) {
            throw new CaptureException(CaptureException.Kind.NOT_FOUND, dir, -1,
                    "cannot list the directory: " + e, e);
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<String> skipped = new ArrayList<>();
        int found = 0;
        for (Path file : files) {
            String path = file.toString();
            if (!Files.isRegularFile(file)) {
                skipped.add(file.getFileName() + " (not a regular file)");
                continue;
            }
            try {
                parts.add(probe(path, parts.size()));
                found++;
            } catch (CaptureException e) {
                if (e.kind() != CaptureException.Kind.NOT_A_CAPTURE
                        && e.kind() != CaptureException.Kind.EMPTY) {
                    throw e;
                }
                skipped.add(file.getFileName() + " (" + e.getMessage() + ")");
            }
        }
        if (found == 0) {
            throw new CaptureException(CaptureException.Kind.NOT_A_CAPTURE, dir, -1,
                    "no capture file in this directory"
                            + (skipped.isEmpty() ? "" : "; skipped: " + String.join(", ", skipped)));
        }
        if (!skipped.isEmpty()) {
            notes.add(dir + ": skipped what is not a capture file: "
                    + String.join(", ", skipped));
        }
    }

    /** Opens a file to check it and to read the time of its first frame, then closes it. */
    private static Part probe(String path, int order) throws CaptureException {
        try (PacketSource source = Captures.open(path)) {
            RawPacket first = new RawPacket();
            long firstTsNanos;
            try {
                // A file without frames, or damaged at its first, goes first: nothing to wait for.
                firstTsNanos = source.next(first) ? first.tsNanos : Long.MIN_VALUE;
            } catch (CaptureException damagedAtOnce) {
                firstTsNanos = Long.MIN_VALUE;
            }
            return new Part(path, order, source.format(), firstTsNanos, source.totalBytes());
        } catch (IOException closing) {
            throw new CaptureException(CaptureException.Kind.IO, path, -1,
                    "cannot close: " + closing, closing);
        }
    }

    @Override
    public boolean next(RawPacket into) throws CaptureException {
        Part last = current;
        Part p = current;
        if (p != null && (!advance(p) || laterThanWaiting(p))) {
            p = null;
        }
        while (p == null) {
            p = waiting.poll();
            noteWaitingTop();
            if (p == null) {
                current = null;
                return false;
            }
            if (p.source == null && (!start(p) || laterThanWaiting(p))) {
                p = null;
            }
        }
        current = p;
        RawPacket raw = p.raw;
        into.set(raw.data, raw.offset, raw.capturedLength, raw.originalLength, raw.tsNanos,
                raw.linkType, ++frames, raw.fileOffset);
        if (p != last) {
            switchedTo(last, p);
        }
        if (p.frames++ == 0) {
            p.firstFrame = frames;
            p.firstTsNanos = raw.tsNanos;
        }
        p.lastFrame = frames;
        p.lastTsNanos = raw.tsNanos;
        return true;
    }

    /** Puts {@code p} back among the waiting files if one of them has an older frame. */
    private boolean laterThanWaiting(Part p) {
        long key = p.key();
        if (key > waitingKey || key == waitingKey && p.rank > waitingRank) {
            waiting.add(p);
            noteWaitingTop();
            return true;
        }
        return false;
    }

    private void noteWaitingTop() {
        Part top = waiting.peek();
        // Nothing waiting: no frame is later than that.
        waitingKey = top == null ? Long.MAX_VALUE : top.key();
        waitingRank = top == null ? Integer.MAX_VALUE : top.rank;
    }

    /** Notes files that interleave: the previous one still had frames to come. */
    private void switchedTo(Part previous, Part p) {
        if (previous != null && !previous.done) {
            if (overlapping == null) {
                overlapping = new LinkedHashSet<>();
            }
            overlapping.add(previous.path);
            overlapping.add(p.path);
        }
    }

    private boolean start(Part p) {
        try {
            p.source = Captures.open(p.path);
        } catch (CaptureException e) {
            finish(p, e);
            return false;
        }
        return advance(p);
    }

    /** Reads {@code p}'s next frame; false at its end or its damage (then it is finished). */
    private boolean advance(Part p) {
        try {
            if (p.source.next(p.raw)) {
                return true;
            }
            finish(p, null);
        } catch (CaptureException e) {
            finish(p, e);
        }
        return false;
    }

    private void finish(Part p, CaptureException damaged) {
        p.done = true;
        PacketSource source = p.source;
        if (source != null) {
            for (String w : source.warnings()) {
                warnings.add(p.path + ": " + w);
            }
            endNanos = Math.max(endNanos, source.endNanos());
            CaptureStats s = source.stats();
            if (s != null) {
                stats = stats == null ? s : stats.plus(s);
            }
            closeQuietly(p);
        }
        if (damaged != null) {
            warnings.add("stopped at " + damaged.describe() + "; analysed its " + p.frames
                    + " frames before it; the other files go on");
            if (damage == null) {
                damage = damaged;
            }
        }
    }

    private void closeQuietly(Part p) {
        try {
            p.source.close();
        } catch (IOException e) {
            warnings.add(p.path + ": closing failed: " + e);
        }
        p.source = null;
    }

    @Override
    public long endNanos() {
        return endNanos;
    }

    /** Over every file: those read to their end whole, those open as far as they are read. */
    @Override
    public long bytesRead() {
        return overParts(true);
    }

    @Override
    public long totalBytes() {
        return overParts(false);
    }

    /** The parts' bytes read, or their sizes; -1 if one of them is not a regular file. */
    private long overParts(boolean read) {
        long sum = 0;
        for (Part p : parts) {
            if (p.sizeBytes < 0) {
                return -1;
            }
            sum += !read || p.done ? p.sizeBytes
                    : p.source == null ? 0 : Math.max(0, p.source.bytesRead());
        }
        return sum;
    }

    @Override
    public CaptureStats stats() {
        return stats;
    }

    /** The snap length of the file whose frame was handed out last. */
    @Override
    public int snaplen() {
        return current == null || current.source == null ? 0 : current.source.snaplen();
    }

    @Override
    public List<CapturePart> parts() {
        List<CapturePart> list = new ArrayList<>(parts.size());
        for (Part p : parts) {
            list.add(new CapturePart(p.path, p.format, p.frames, p.firstFrame, p.lastFrame,
                    p.firstTsNanos, p.lastTsNanos));
        }
        return list;
    }

    @Override
    public CaptureException damage() {
        return damage;
    }

    /** The paths as given, joined by spaces. */
    @Override
    public String name() {
        return name;
    }

    /** The files' formats, each once, e.g. {@code "pcap, pcapng (gzip)"}. */
    @Override
    public String format() {
        Set<String> formats = new LinkedHashSet<>();
        for (Part p : parts) {
            formats.add(p.format);
        }
        return String.join(", ", formats);
    }

    @Override
    public List<String> warnings() {
        List<String> all = new ArrayList<>(warnings);
        for (Part p : parts) {
            if (p.source != null) {
                for (String w : p.source.warnings()) {
                    all.add(p.path + ": " + w);
                }
            }
        }
        if (overlapping != null) {
            all.add("files overlap in time (" + String.join(", ", overlapping) + "): their frames"
                    + " were merged by timestamp, so a file's frames are not consecutive in the"
                    + " merged frame numbers");
        }
        return all;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Part p : parts) {
            if (p.source != null) {
                try {
                    p.source.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
                p.source = null;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** One file: its place in the merge and, while it is being read, its reader. */
    private static final class Part {
        final String path;
        /**
         * Breaks ties between equal timestamps: first the order given, then, once sorted, the
         * order of the files' first frames, so that the last frame of a rotated file goes
         * before the next file's first frame stamped the same microsecond.
         */
        int rank;
        final String format;
        /** The first frame's time as the probe read it: the file's place before it is opened. */
        final long probedTsNanos;
        /** The file's size, or -1 when it is not a regular file. */
        final long sizeBytes;
        final RawPacket raw = new RawPacket();
        PacketSource source;
        boolean done;
        long frames;
        long firstFrame;
        long lastFrame;
        long firstTsNanos;
        long lastTsNanos;

        Part(String path, int rank, String format, long probedTsNanos, long sizeBytes) {
            this.path = path;
            this.rank = rank;
            this.format = format;
            this.probedTsNanos = probedTsNanos;
            this.sizeBytes = sizeBytes;
        }

        long key() {
            return source == null ? probedTsNanos : raw.tsNanos;
        }
    }
}
