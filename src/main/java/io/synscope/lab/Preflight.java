package io.synscope.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the lab needs from the host, checked before anything is created: Linux, root, and the
 * programs it runs, each found by absolute path (root's PATH may lack /usr/sbin).
 */
final class Preflight {
    private Preflight() {
    }

    /**
     * Absolute paths of the programs the lab runs; the pcapng ones are null unless asked for,
     * ethtool is null when it is not installed (only the lossy modes need it, and say so).
     */
    record Tools(Path ip, Path tc, Path tcpdump, Path nstat, Path dumpcap, Path editcap,
                 Path ethtool) {
    }

    /**
     * @param pcapng whether pcapng variants are wanted (dumpcap and editcap, from Wireshark)
     * @throws LabException NOT_LINUX, NOT_ROOT or TOOL_MISSING, with what to install
     */
    static Tools check(boolean pcapng) throws LabException {
        String os = System.getProperty("os.name", "?");
        boolean linux = os.toLowerCase(Locale.ROOT).contains("linux");
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
                .split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return check(pcapng, os, linux ? effectiveUid() : -1, dirs);
    }

    /** As {@link #check(boolean)} for a given system, user and program search path. */
    static Tools check(boolean pcapng, String os, int uid, List<String> searchPath)
            throws LabException {
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            throw new LabException(LabException.Kind.NOT_LINUX,
                    "the lab needs Linux (network namespaces, veth, tc); this is " + os);
        }
        if (uid != 0) {
            throw new LabException(LabException.Kind.NOT_ROOT,
                    "the lab needs root (network namespaces, raw sockets, captures): run it with sudo");
        }
        List<String> missing = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        Path ip = find("ip", "iproute2", searchPath, missing, packages);
        Path tc = find("tc", "iproute2", searchPath, missing, packages);
        Path nstat = find("nstat", "iproute2", searchPath, missing, packages);
        Path tcpdump = find("tcpdump", "tcpdump", searchPath, missing, packages);
        Path dumpcap = pcapng ? find("dumpcap", "wireshark-common", searchPath, missing, packages) : null;
        Path editcap = pcapng ? find("editcap", "wireshark-common", searchPath, missing, packages) : null;
        if (!missing.isEmpty()) {
            throw new LabException(LabException.Kind.TOOL_MISSING, "the lab needs "
                    + String.join(", ", missing) + ": install " + String.join(" and ", packages)
                    + " (apt-get install " + String.join(" ", packages) + ")");
        }
        return new Tools(ip, tc, tcpdump, nstat, dumpcap, editcap, find("ethtool", searchPath));
    }

    private static Path find(String name, String pkg, List<String> searchPath, List<String> missing,
                             Set<String> packages) {
        Path p = find(name, searchPath);
        if (p == null) {
            missing.add("`" + name + "`");
            packages.add(pkg);
        }
        return p;
    }

    /** The first executable {@code name} on the search path, or null. */
    private static Path find(String name, List<String> searchPath) {
        for (String d : searchPath) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The effective user id, from /proc/self/status (Linux only). */
    private static int effectiveUid() throws LabException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through: treated as not root, with the reason below.
        }
        throw new LabException(LabException.Kind.NOT_ROOT,
                "cannot tell whether this runs as root (/proc/self/status unreadable); the lab needs root");
    }
}
