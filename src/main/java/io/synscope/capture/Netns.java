package io.synscope.capture;

import jnr.ffi.LastError;
import jnr.ffi.Runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Moves the calling thread into another network namespace, where a container's or a lab's
 * interfaces are: {@code setns(2)} on {@code /run/netns/NAME} (what {@code ip netns add} makes)
 * or on a path such as {@code /proc/PID/ns/net} (any process's, a container's included).
 *
 * <p>Only the calling thread moves; a capture opened on it afterwards stays in that namespace
 * for its whole life, whichever thread reads it. Needs CAP_SYS_ADMIN.
 */
public final class Netns {
    private static final Path NAMED = Path.of("/run/netns");
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int EPERM = 1;
    private static final int EACCES = 13;

    private Netns() {
    }

    /**
     * @param nameOrPath a name from {@code ip netns list}, or a path to a namespace file
     * @throws CaptureException NO_SUCH_NAMESPACE (listing the named ones), PERMISSION, or IO
     */
    public static void enter(String nameOrPath) throws CaptureException {
        Path file = nameOrPath.contains("/") ? Path.of(nameOrPath) : NAMED.resolve(nameOrPath);
        String source = "netns " + nameOrPath;
        if (nameOrPath.isEmpty() || nameOrPath.equals(".") || nameOrPath.equals("..")
                || !Files.exists(file)) {
            throw new CaptureException(CaptureException.Kind.NO_SUCH_NAMESPACE, source, -1,
                    "no such network namespace (" + file + " does not exist); named ones: "
                            + named() + ". A container's is /proc/PID/ns/net");
        }
        Interfaces.requireLibpcap(source);
        LibPcap.LibC libc = LibPcap.libc();
        int fd = libc.open(file.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw failure(source, "cannot open " + file, errno(libc));
        }
        try {
            if (libc.setns(fd, CLONE_NEWNET) != 0) {
                throw failure(source, "cannot enter " + file, errno(libc));
            }
        } finally {
            libc.close(fd);
        }
    }

    private static CaptureException failure(String source, String what, int errno) {
        String why = LibPcap.libc().strerror(errno);
        if (errno == EPERM || errno == EACCES) {
            return new CaptureException(CaptureException.Kind.PERMISSION, source, -1,
                    what + ": " + why + "; entering a network namespace needs root"
                            + " (CAP_SYS_ADMIN): run with sudo");
        }
        return new CaptureException(CaptureException.Kind.NO_SUCH_NAMESPACE, source, -1,
                what + ": " + why + " (not a network namespace?)");
    }

    private static int errno(LibPcap.LibC libc) {
        return LastError.getLastError(Runtime.getRuntime(libc));
    }

    /** The names under /run/netns, or "none". */
    private static String named() {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(NAMED)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            return "none";
        }
        names.sort(null);
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
