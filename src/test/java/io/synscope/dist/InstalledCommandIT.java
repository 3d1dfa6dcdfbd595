package io.synscope.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tarball that {@code mvn package} makes, installed as a user would: unpacked into a
 * temporary folder, run from another working directory and through symlinks, its man page
 * rendered and its completion loaded. Runs in {@code mvn verify} (failsafe), after package.
 */
class InstalledCommandIT {
    /** The launcher's exit code when it finds no Java 17 or later (src/dist/bin/synscope). */
    private static final int NO_JAVA = 127;

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path DEMO = PROJECT.resolve("sample-pcaps/demo.pcap");

    @TempDir
    static Path tmp;

    static Path home;
    static Path launcher;

    /** Unpacks target/synscope-VERSION.tar.gz with tar, as a user would (modes kept). */
    @BeforeAll
    static void unpack() throws Exception {
        Path buildDir = Path.of(System.getProperty("synscope.buildDir", "target"));
        String version = System.getProperty("synscope.version", "0.1.0");
        Path tarball = buildDir.resolve("synscope-" + version + ".tar.gz").toAbsolutePath();
        assertTrue(Files.isRegularFile(tarball), "mvn package should have made " + tarball);
        Path into = Files.createDirectories(tmp.resolve("opt"));
        Result r = run(into, Map.of(), "tar", "-xzf", tarball.toString());
        assertEquals(0, r.code, r.err);
        home = into.resolve("synscope");
        launcher = home.resolve("bin/synscope");
        assertTrue(Files.getPosixFilePermissions(launcher).contains(PosixFilePermission.OWNER_EXECUTE),
                "bin/synscope is executable in the tarball");
        for (String f : List.of("lib/synscope.jar", "man/man1/synscope.1",
                "man/man1/synscope-analyze.1", "share/bash-completion/completions/synscope")) {
            assertTrue(Files.isRegularFile(home.resolve(f)), "the tarball has " + f);
        }
    }

    @Test
    void analyzesTheDemoCaptureFromAnotherDirectoryAndNamesItsVerdicts() throws Exception {
        Result r = run(Path.of("/"), Map.of(), launcher.toString(), "analyze", DEMO.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains(DEMO.toString()), "the report names its capture:\n" + r.out);
        for (String verdict : demoVerdicts()) {
            assertTrue(Pattern.compile("\\b" + Pattern.quote(verdict) + "\\b").matcher(r.out).find(),
                    "the report names " + verdict + ", which the lab says the capture holds:\n" + r.out);
        }
    }

    @Test
    void runsThroughSymlinksWithArgumentsAndExitCodePassedThrough() throws Exception {
        // PATH/synscope -> ../links/chain (relative) -> the real launcher (absolute): as after
        // ln -s /opt/synscope/bin/synscope /usr/local/bin/synscope.
        Path links = Files.createDirectories(tmp.resolve("links"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(links.resolve("chain"), launcher);
        Path onPath = bin.resolve("synscope");
        Files.createSymbolicLink(onPath, Path.of("../links/chain"));

        Path spaced = Files.createDirectories(tmp.resolve("a dir with spaces"));
        Files.copy(DEMO, spaced.resolve("demo copy.pcap"));
        Result ok = run(bin, Map.of(), onPath.toString(), "analyze",
                spaced.resolve("demo copy.pcap").toString(), "--format", "json");
        assertEquals(0, ok.code, ok.err);
        JsonNode doc = new ObjectMapper().readTree(ok.out);
        assertEquals(spaced.resolve("demo copy.pcap").toString(), doc.get("capture").get("file").asText());

        // Found through PATH, as a shell finds an installed command.
        String path = bin + File.pathSeparator + System.getenv("PATH");
        Result missing = run(Path.of("/"), Map.of("PATH", path), "sh", "-c",
                "synscope analyze /nonexistent/x.pcap");
        assertEquals(3, missing.code, "synscope's own exit code comes through: " + missing.err);
        assertTrue(missing.err.contains("/nonexistent/x.pcap"), missing.err);
    }

    @Test
    void versionNamesCommitBuildTimeAndJava() throws Exception {
        for (String flag : List.of("--version", "-V")) {
            Result r = run(Path.of("/"), Map.of(), launcher.toString(), flag);
            assertEquals(0, r.code, r.err);
            List<String> lines = r.out.lines().toList();
            assertEquals(4, lines.size(), r.out);
            assertEquals("synscope " + System.getProperty("synscope.version", "0.1.0"), lines.get(0));
            // A file in a linked worktree (git worktree add), a directory in a clone.
            String commit = Files.exists(PROJECT.resolve(".git"))
                    ? "[0-9a-f]{7,40}(-dirty)?" : "unknown";
            assertTrue(lines.get(1).matches("commit +" + commit), lines.get(1));
            assertTrue(lines.get(2).matches("built +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), lines.get(2));
            assertTrue(lines.get(3).matches("java +\\d+[.\\d]*\\S* \\(.+, .+\\) at /.+"), lines.get(3));
        }
    }

    /**
     * A SYN flood capture (what fuzzing once found exhausting a 256 MiB heap at 200,000
     * sources): 300,000 SYNs from distinct sources in 6 s, each sent once, in a heap far too small to
     * follow them all. The run must end normally, count every SYN as a connection, and say that
     * it decided some early.
     */
    @Test
    void aSynFloodFromDistinctSourcesIsAnalysedToTheEndInASmallHeap(@TempDir Path dir)
            throws Exception {
        int syns = 300_000;
        Path flood = dir.resolve("flood.pcap");
        try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(
                Files.newOutputStream(flood)))) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(24)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4)
                    .putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(262_144).putInt(1);
            out.write(header.array());
            java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(16)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < syns; i++) {
                byte[] frame = io.synscope.testutil.FrameBuilder.tcp()
                        .from("100.64." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF), 1024 + (i & 0xFF))
                        .to("10.0.0.1", 80).flags(io.synscope.decode.TcpSegment.SYN)
                        .seq(i * 7919L).payloadLength(0).build();
                long micros = 1_700_000_000_000_000L + i * 20L; // 50,000 SYNs a second
                record.clear();
                record.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000))
                        .putInt(frame.length).putInt(frame.length);
                out.write(record.array());
                out.write(frame);
            }
        }
        Result r = run(Path.of("/"), Map.of("SYNSCOPE_JAVA_OPTS", "-Xmx96m"),
                launcher.toString(), "analyze", flood.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(!r.err.contains("OutOfMemoryError"), r.err);
        assertTrue(r.out.contains("connections 300,000 "), r.out.lines().limit(6).toList()
                .toString());
        assertTrue((r.out + r.err).contains("decided early"), r.out.lines().limit(8).toList()
                + r.err);
    }

    @Test
    void extraJvmOptionsReachTheJvm() throws Exception {
        Result r = run(Path.of("/"), Map.of("SYNSCOPE_JAVA_OPTS", "-Xmx1q"), launcher.toString(), "--version");
        assertEquals(1, r.code, "the JVM refuses the bad option: " + r.out + r.err);
        assertTrue(r.err.contains("-Xmx1q") || r.err.contains("maximum heap size"), r.err);
    }

    @Test
    void worksWithSudosEnvironment() throws Exception {
        // sudo drops JAVA_HOME and sets PATH to its secure_path (Debian's default below).
        boolean javaThere = Files.isExecutable(Path.of("/usr/bin/java"))
                || Files.isExecutable(Path.of("/bin/java")) || hasJvmUnderUsrLibJvm();
        assumeTrue(javaThere, "no Java in secure_path or /usr/lib/jvm on this machine");
        Result r = run(Path.of("/"), null, "env", "-i",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                launcher.toString(), "analyze", DEMO.toString(), "--max-ladders", "0");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("refused"), r.out);
    }

    @Test
    void saysWhereItLookedWhenThereIsNoJava() throws Exception {
        // Hide /usr/lib/jvm in a private mount namespace (root only); PATH has no java, and
        // JAVA_HOME is a Java 11 (a release file and a bin/java that must not be run).
        assumeTrue(canUnshare(), "needs root and unshare(1) to hide /usr/lib/jvm");
        Path old = Files.createDirectories(tmp.resolve("jdk-11/bin"));
        Files.writeString(old.resolve("java"), "#!/bin/sh\necho should not run >&2\nexit 99\n");
        old.resolve("java").toFile().setExecutable(true);
        Files.writeString(old.getParent().resolve("release"), "JAVA_VERSION=\"11.0.2\"\n");
        String hide = "mkdir -p /usr/lib/jvm && mount -t tmpfs none /usr/lib/jvm && exec ";

        Result oldJava = run(Path.of("/"), null, "unshare", "-m", "sh", "-c", hide
                + "env -i PATH=/nonexistent JAVA_HOME=\"$1\" /bin/sh \"$2\" --version",
                "sh", old.getParent().toString(), launcher.toString());
        assertEquals(NO_JAVA, oldJava.code, oldJava.out + oldJava.err);
        assertEquals("", oldJava.out);
        assertEquals(1, oldJava.err.lines().count(), "one line: " + oldJava.err);
        assertTrue(oldJava.err.startsWith("synscope: no Java 17 or later found"), oldJava.err);
        for (String looked : List.of("JAVA_HOME: " + old.resolve("java") + " is Java 11",
                "no java in /nonexistent", "/usr/lib/jvm/*/bin/java")) {
            assertTrue(oldJava.err.contains(looked), "names " + looked + ": " + oldJava.err);
        }

        Result none = run(Path.of("/"), null, "unshare", "-m", "sh", "-c", hide
                + "env -i PATH=/nonexistent JAVA_HOME=/nowhere /bin/sh \"$1\" analyze x.pcap",
                "sh", launcher.toString());
        assertEquals(NO_JAVA, none.code, none.out + none.err);
        assertTrue(none.err.contains("JAVA_HOME: no /nowhere/bin/java"), none.err);
    }

    @Test
    void manPageRendersWithTheSubcommands() throws Exception {
        Path page = home.resolve("man/man1/synscope.1");
        String text = render(page);
        assertTrue(text.contains("SYNSCOPE(1)"), text);
        assertTrue(text.contains("NAME") && text.contains("SYNOPSIS") && text.contains("COMMANDS"), text);
        for (String sub : List.of("analyze", "lab")) {
            assertTrue(Pattern.compile("(?m)^\\s+" + sub + "\\s*$").matcher(text).find(),
                    "COMMANDS lists " + sub + ":\n" + text);
            assertTrue(text.contains("synscope-" + sub + "(1)"), "SEE ALSO names its page:\n" + text);
        }
        assertTrue(text.contains("EXIT STATUS"), text);
        String analyze = render(home.resolve("man/man1/synscope-analyze.1"));
        assertTrue(analyze.contains("--format") && analyze.contains("--max-ladders"), analyze);
    }

    @Test
    void bashCompletionLoadsAndCompletesSubcommands() throws Exception {
        Path script = home.resolve("share/bash-completion/completions/synscope");
        Result r = run(tmp, Map.of(), "bash", "-c", "source \"$1\" && complete -p synscope", "bash",
                script.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("-F _complete_synscope synscope"), r.out);

        Result words = run(tmp, Map.of(), "bash", "-c", "source \"$1\"; COMP_WORDS=(synscope an);"
                + " COMP_CWORD=1; COMP_LINE='synscope an'; COMP_POINT=11; _complete_synscope;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"", "bash", script.toString());
        assertEquals(0, words.code, words.err);
        assertEquals(List.of("analyze"), words.out.lines().map(String::strip).toList(), words.err);
    }

    /**
     * live from the tarball: libpcap through pcap4j and jnr-ffi's native stubs (inside
     * lib/synscope.jar) load and list this machine's loopback, which every Linux host has.
     */
    @Test
    void liveListsInterfacesFromTheInstalledTree() throws Exception {
        assumeTrue(Files.exists(Path.of("/sys/class/net/lo")), "not Linux");
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8"))
                        || Files.exists(Path.of("/usr/lib/libpcap.so.1"))
                        || Files.exists(Path.of("/usr/lib64/libpcap.so.1")),
                "libpcap is not installed (.ci/run installs libpcap0.8)");
        Result r = run(Path.of("/"), Map.of(), launcher.toString(), "live", "--list-interfaces");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("lo ")), r.out);
    }

    // ------------------------------------------------------------------ helpers

    /** The distinct verdicts in demo.expected.json: the lab's truth, not synscope's output. */
    private static Set<String> demoVerdicts() throws IOException {
        JsonNode truth = new ObjectMapper().readTree(
                PROJECT.resolve("sample-pcaps/demo.expected.json").toFile());
        Set<String> verdicts = new TreeSet<>();
        for (JsonNode c : truth.get("connections")) {
            verdicts.add(c.get("verdict").asText());
        }
        assertTrue(verdicts.size() >= 5, "demo.expected.json holds several failure modes: " + verdicts);
        return verdicts;
    }

    /** The man page as text, through man -l, else groff, else mandoc (whichever is installed). */
    private static String render(Path page) throws Exception {
        List<List<String>> renderers = List.of(
                List.of("man", "-l", page.toString()),
                List.of("groff", "-man", "-Tascii", page.toString()),
                List.of("mandoc", "-Tascii", page.toString()));
        for (List<String> cmd : renderers) {
            if (onPath(cmd.get(0))) {
                Result r = run(tmp, Map.of("MANWIDTH", "100", "MANPAGER", "cat", "PAGER", "cat"),
                        cmd.toArray(String[]::new));
                assertEquals(0, r.code, String.join(" ", cmd) + ": " + r.err);
                assertTrue(r.err.isBlank() || !r.err.contains("warning"), "renders cleanly: " + r.err);
                // groff's ASCII output overstrikes bold and underlined letters with backspaces.
                return r.out.replaceAll(".\b", "");
            }
        }
        fail("none of man, groff, mandoc is installed (apt-get install man-db): cannot check the man page");
        return null;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasJvmUnderUsrLibJvm() {
        File[] jvms = new File("/usr/lib/jvm").listFiles();
        return jvms != null && Arrays.stream(jvms).anyMatch(d -> new File(d, "bin/java").canExecute());
    }

    private static boolean canUnshare() throws Exception {
        if (!onPath("unshare")) {
            return false;
        }
        return run(tmp, Map.of(), "unshare", "-m", "true").code == 0;
    }

    /**
     * {@code live} as a service account with only the capture capabilities (CAP_NET_RAW,
     * CAP_NET_ADMIN), not root: tracefs is root's alone (mode 0700), so the kernel's events are
     * missing. The capture and the report must work all the same, and the report must say
     * what is missing and why.
     */
    @Test
    void liveWithoutTracefsAccessWorksAndSaysWhatItLacks() throws Exception {
        io.synscope.testutil.Host.assumeLinuxRoot("running live as another user");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is"
                + " not installed");
        // A copy everyone can read: the test's own temporary folder is root's alone.
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "synscope-it-");
        try {
            Result copy = run(Path.of("/"), Map.of(), "cp", "-a", home.toString(),
                    shared.resolve("synscope").toString());
            assertEquals(0, copy.code, copy.err);
            run(Path.of("/"), Map.of(), "chmod", "-R", "a+rX", shared.toString());
            Result r = run(Path.of("/"), Map.of(), "setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "--inh-caps=+net_raw,+net_admin",
                    "--ambient-caps=+net_raw,+net_admin",
                    shared.resolve("synscope/bin/synscope").toString(), "live", "-i", "lo",
                    "--duration", "2", "--format", "json");
            assertEquals(0, r.code, r.err);
            JsonNode kernel = new ObjectMapper().readTree(r.out).path("kernel");
            assertTrue(kernel.path("missing").has("tracefs"), kernel.toString());
            assertTrue(kernel.path("missing").path("tracefs").asText().contains("ermission"),
                    "says why: " + kernel);
        } finally {
            run(Path.of("/"), Map.of(), "rm", "-rf", shared.toString());
        }
    }

    /**
     * A file over 100 MB read with stderr on a terminal (a pseudo-terminal made by script(1))
     * shows the progress bar and erases it; the same with stderr a file, or with -q, shows none.
     */
    @Test
    void theProgressBarIsForATerminalOnly() throws Exception {
        assumeTrue(run(Path.of("/"), Map.of(), "script", "--version").code == 0,
                "no script(1) (util-linux) here to make a terminal");
        Path big = tmp.resolve("big.pcap");
        writeLargeCapture(big, 101_000_000L);
        String analyze = launcher + " analyze " + big + " -o /dev/null";

        Result onTerminal = run(tmp, Map.of("TERM", "xterm"), "script", "-qec", analyze,
                "/dev/null");
        assertEquals(0, onTerminal.code, onTerminal.err);
        assertTrue(onTerminal.out.contains("\r\u001b[Kreading [") && onTerminal.out.contains(
                " MB of 101.0 MB"), onTerminal.out);
        assertTrue(onTerminal.out.endsWith("\r\u001b[K"), "erased at the end: " + onTerminal.out);

        Result quiet = run(tmp, Map.of("TERM", "xterm"), "script", "-qec", analyze + " -q",
                "/dev/null");
        assertEquals(0, quiet.code, quiet.err);
        assertTrue(quiet.out.isEmpty(), quiet.out);
        Result toFile = run(tmp, Map.of(), launcher.toString(), "analyze", big.toString(), "-o",
                "/dev/null");
        assertEquals(0, toFile.code, toFile.err);
        assertFalse(toFile.err.contains("reading ["), toFile.err);
    }

    /**
     * Ctrl-C on {@code tcpdump … | synscope analyze - --export X}: the report of what was read,
     * and the export of its connections' packets too (the second pass is not stopped by the
     * Ctrl-C that ended reading). The whole capture went down the pipe before the Ctrl-C, so
     * the export must be the one the file gives without any (ExportTest holds that one to
     * tshark), byte for byte, and not a bare header.
     */
    @Test
    void ctrlCOnAPipeStillExportsWhatTheReportLists() throws Exception {
        Path export = tmp.resolve("interrupted.pcap");
        Path report = tmp.resolve("interrupted.txt");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "analyze", "-", "--export",
                export.toString(), "-o", report.toString()).directory(tmp.toFile())
                .redirectError(tmp.resolve("interrupted.err").toFile());
        Process p = pb.start();
        // The pipe stays open, as tcpdump's does, until the Ctrl-C, which ends tcpdump too.
        p.getOutputStream().write(Files.readAllBytes(DEMO));
        p.getOutputStream().flush();
        Thread.sleep(3000);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits after SIGINT");
        String err = Files.readString(tmp.resolve("interrupted.err"));
        assertEquals(130, p.exitValue(), err);
        assertTrue(Files.readString(report).contains("failed"), "the report was written");
        Path whole = tmp.resolve("uninterrupted.pcap");
        Result r = run(tmp, Map.of(), launcher.toString(), "analyze", DEMO.toString(),
                "--export", whole.toString(), "-o", "/dev/null");
        assertEquals(0, r.code, r.err);
        assertTrue(Files.size(whole) > 24, "the demo capture has failures to export");
        assertTrue(Arrays.equals(Files.readAllBytes(whole), Files.readAllBytes(export)),
                "the interrupted export is the whole one: " + err);
    }

    /**
     * The launcher hands TMPDIR to Java (which ignores it otherwise): standard input's copy for
     * --export goes there. A TMPDIR that does not exist shows it: the report is still written,
     * the export is not, exit 8, and the message names that folder.
     */
    @Test
    void temporaryFilesGoWhereTmpdirSays() throws Exception {
        Path report = tmp.resolve("tmpdir-report.txt");
        Path export = tmp.resolve("tmpdir-export.pcap");
        Result r = run(tmp, Map.of("TMPDIR", "/nonexistent-synscope-tmp"), "sh", "-c",
                launcher + " analyze - --export " + export + " -o " + report + " < " + DEMO);
        assertEquals(8, r.code, r.err);
        assertTrue(r.err.contains("/nonexistent-synscope-tmp"), r.err);
        assertTrue(Files.readString(report).contains("failed"), "the report was written");
        assertFalse(Files.exists(export), "no empty export left behind");
    }

    /** A pcap of at least {@code bytes}: the same 64 KiB non-IP Ethernet frame over and over. */
    private static void writeLargeCapture(Path file, long bytes) throws IOException {
        int frameBytes = 65_000;
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(24)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262_144).putInt(1).flip();
        java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(16 + frameBytes)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            out.write(header);
            for (long written = 24, i = 0; written < bytes; written += 16 + frameBytes, i++) {
                record.clear();
                record.putInt((int) (1_767_225_600 + i / 1000)).putInt((int) (i % 1000) * 1000)
                        .putInt(frameBytes).putInt(frameBytes);
                // Ethernet with EtherType 0x88b5 (local experimental): counted as not IP.
                record.put(new byte[12]).put((byte) 0x88).put((byte) 0xb5);
                record.position(16 + frameBytes).flip();
                out.write(record);
            }
        }
    }

    record Result(int code, String out, String err) {
    }

    /**
     * Runs COMMAND in DIR with the environment plus ENV (or, with ENV null, the environment
     * as it is); at most a minute.
     */
    static Result run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        if (env != null) {
            pb.environment().putAll(env);
        }
        pb.environment().remove("SYNSCOPE_DEBUG");
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
