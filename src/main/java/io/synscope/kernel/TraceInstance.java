package io.synscope.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private tracefs instance ({@code instances/synscope-PID-N}): its own ring buffer, clock and
 * enabled events, so that synscope neither sees nor disturbs what other tracers set up in the
 * top-level buffer. Created by {@link #create}, removed by {@link #remove} (rmdir, which the
 * kernel refuses while a file of it is open). A run killed before it could remove its
 * instance leaves it behind: {@link #removeStale} removes those of dead processes.
 */
public final class TraceInstance {
    static final String PREFIX = "synscope-";
    private static final Pattern OURS = Pattern.compile("synscope-(\\d+)-\\d+");
    private static final AtomicInteger NEXT = new AtomicInteger();

    private final Path dir;
    private volatile boolean removed;

    private TraceInstance(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Makes sure tracefs is mounted at {@code tracefs}: nothing to do when it has an
     * {@code instances} directory; when the directory is there but empty (tracefs not mounted
     * yet, as on a fresh boot), mounts it. Returns null when tracefs is usable, or why not.
     * The mount is left in place at the end: other tracers may use it by then.
     *
     * @param mounted set to true when this call mounted it
     */
    static String ensureMounted(Path tracefs, boolean[] mounted) {
        if (Files.isDirectory(tracefs.resolve("instances"))) {
            return null;
        }
        if (!Files.isDirectory(tracefs)) {
            return tracefs + " does not exist (no tracefs in this kernel)";
        }
        try (DirectoryStream<Path> d = Files.newDirectoryStream(tracefs)) {
            if (d.iterator().hasNext()) {
                return tracefs + " is not a tracefs with instances";
            }
        } catch (AccessDeniedException e) {
            return "no permission to read " + tracefs + " (tracing needs root, or CAP_SYS_ADMIN"
                    + " and read access to tracefs)";
        } catch (IOException e) {
            return "cannot read " + tracefs + ": " + e;
        }
        try {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", tracefs.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "mount -t tracefs timed out";
            }
            if (p.exitValue() != 0 || !Files.isDirectory(tracefs.resolve("instances"))) {
                return "tracefs is not mounted at " + tracefs + " and mounting it failed (needs"
                        + " root): " + said.strip();
            }
            mounted[0] = true;
            return null;
        } catch (IOException e) {
            return "tracefs is not mounted at " + tracefs + " and mount(8) could not run: "
                    + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while mounting tracefs";
        }
    }

    /**
     * Removes the instances that synscope runs of processes no longer alive left behind (killed
     * with SIGKILL, or the machine lost power mid-run). Returns the names removed; those that
     * could not be removed are left alone.
     */
    static List<String> removeStale(Path tracefs) {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(tracefs.resolve("instances"),
                PREFIX + "*")) {
            for (Path p : d) {
                Matcher m = OURS.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1)))
                        .map(h -> !h.isAlive()).orElse(true)) {
                    try {
                        Files.delete(p);
                        removed.add(p.getFileName().toString());
                    } catch (IOException e) {
                        // Busy or already gone: not ours to insist on.
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // No instances directory to clean.
        }
        return removed;
    }

    /** Creates {@code instances/synscope-PID-N}. */
    static TraceInstance create(Path tracefs) throws IOException {
        Path dir = tracefs.resolve("instances").resolve(PREFIX + ProcessHandle.current().pid()
                + "-" + NEXT.getAndIncrement());
        Files.createDirectory(dir);
        return new TraceInstance(dir);
    }

    /** Writes {@code value} to a file of the instance, as {@code echo value > file} does. */
    void write(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value + "\n", StandardCharsets.US_ASCII);
    }

    String read(String file) throws IOException {
        return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
    }

    boolean exists(String file) {
        return Files.exists(dir.resolve(file));
    }

    /**
     * Removes the instance (its files must be closed first); safe to call more than once.
     * Returns null when it is gone, or why not.
     */
    String remove() {
        if (removed) {
            return null;
        }
        try {
            Files.deleteIfExists(dir);
            removed = true;
            return null;
        } catch (IOException e) {
            return "cannot remove " + dir + ": " + e;
        }
    }
}
