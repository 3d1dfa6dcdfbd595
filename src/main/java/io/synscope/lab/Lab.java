package io.synscope.lab;

import io.synscope.lab.LabException.Kind;
import io.synscope.lab.LabMode.Variant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The lab's driver: makes one real kernel run of a {@link LabMode} and writes its capture and
 * {@code expected.json}.
 *
 * <p>A run: namespaces {@code ssc-<pid>} (client) and {@code sss-<pid>} (server) joined by a
 * veth pair {@code vc-<pid>}/{@code vs-<pid>}, 10.77.0.1 ↔ 10.77.0.2 (fd77::1 ↔ fd77::2 for
 * IPv6; IPv6 is off on the veth otherwise, so no router solicitations land in the capture);
 * the mode's sysctls; tc tbf on the server's veth when the mode paces SYN-ACKs; static
 * neighbour entries for spoofed sources; {@code nstat} of both namespaces before; tcpdump
 * ({@code --immediate-mode -U -s 128}) on the capture side's veth, waited for until it says it
 * is listening; {@link LabServer} and {@link LabClient} as child JVMs ({@code ip netns exec NS
 * <this java> -cp <this classpath> …}), the client's requests (gate, forget) relayed by this
 * driver; {@code nstat} after; captures stopped with SIGINT and waited for; the server stopped
 * with SIGTERM (it then records connections still open). Everything created is removed after
 * each run, and also on Ctrl-C or failure (a shutdown hook does the same teardown).
 *
 * <p>A mode with a {@link LabMode.Relay} puts a lossy path between the two: a middle namespace
 * {@code ssm-<pid>} where the client's veth ends as {@code mc-<pid>} and the server's as
 * {@code ms-<pid>}, {@link LabRelay} forwarding frames between them with delay and loss, and
 * tx checksum offload off on both endpoints ({@code ethtool -K DEV tx off}) so that forwarded
 * frames carry real checksums. Such a run is captured on both sides, and each side gets its
 * own truth: a frame the relay dropped is in one side's capture only.
 */
public final class Lab implements AutoCloseable {
    public static final int SNAPLEN = 128;
    /** The spoofed sources' neighbour entries point here: a locally administered MAC nobody has. */
    private static final String NOBODY_MAC = "02:00:5e:77:00:99";
    private static final long STEP_TIMEOUT_SECONDS = 15;
    private static final long CLIENT_TIMEOUT_SECONDS = 60;
    /** After the client is done, so that the last packets reach the capture. */
    private static final long SETTLE_MILLIS = 500;

    private final Preflight.Tools tools;
    private final boolean variants;
    /** Also run {@code synscope live} on the capture side's veth (see {@link LiveRun}). */
    private boolean live;
    /** More arguments for that {@code synscope live} (a selection, an export). */
    private List<String> liveArgs = List.of();
    private final PrintWriter log;
    private final String cns;
    private final String sns;
    /** The "rebooted" server namespace of half-open. */
    private final String rns;
    /** The lossy path's middle namespace, and its ends of the client's and the server's veth. */
    private final String mns;
    private final String mc;
    private final String ms;
    private final String cv;
    private final String sv;
    /** What teardown must remove: live children and namespaces created. */
    private final Set<Process> children = new LinkedHashSet<>();
    private final Set<String> namespaces = new LinkedHashSet<>();
    /** The threads reading captures' stdout, to be waited for when a capture stops. */
    private final Map<Process, Thread> outputReaders = new java.util.concurrent.ConcurrentHashMap<>();
    /** What each running capture said on stderr so far. */
    private final Map<Process, StringBuilder> captureStderr =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread shutdownHook = new Thread(this::interrupted, "synscope-lab-teardown");
    /** Set by the shutdown hook: failures of a run after it are the interruption's. */
    private volatile boolean stopping;

    private Lab(Preflight.Tools tools, boolean variants, PrintWriter log) {
        this.tools = tools;
        this.variants = variants;
        this.log = log;
        String id = Long.toString(ProcessHandle.current().pid());
        cns = "ssc-" + id;
        sns = "sss-" + id;
        rns = "ssr-" + id;
        mns = "ssm-" + id;
        mc = "mc-" + id;
        ms = "ms-" + id;
        cv = "vc-" + id;
        sv = "vs-" + id;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Checks the host (Linux, root, tools) and returns a driver.
     *
     * @param variants also make the modes' variant captures (pcapng ones need Wireshark's tools)
     * @param log      progress lines
     */
    public static Lab open(boolean variants, PrintWriter log) throws LabException {
        return new Lab(Preflight.check(variants), variants, log);
    }

    /**
     * Also run {@code synscope live --format ndjson --all} on the capture side's veth during
     * every run, from the host's namespace with {@code --netns}, writing {@code -w} a pcapng;
     * stopped with SIGINT like tcpdump. For the tests of live mode.
     */
    public Lab withLive() {
        this.live = true;
        return this;
    }

    /** As {@link #withLive()}, {@code synscope live} given {@code args} too, from the next run. */
    public Lab withLive(List<String> args) {
        this.live = true;
        this.liveArgs = List.copyOf(args);
        return this;
    }

    /**
     * What {@code synscope live} said during a run: each stdout line with the wall-clock time it
     * arrived, its exit code, and the capture it wrote.
     */
    public record LiveRun(List<TimedLine> lines, int exitCode, Path capture, String stderr) {
    }

    /** A line of output and when it was read, in nanoseconds since the epoch. */
    public record TimedLine(long receivedNanos, String line) {
    }

    /** A capture of a run and the truth for its vantage point. */
    public record Capture(Path file, LabMode.Side side, List<Expected.Row> rows) {
    }

    /**
     * What one run produced: the main capture and its truth, the variant captures (for a mode
     * with a relay, the client side's among them), the relay's totals (null without one);
     * {@code live} is null unless {@link #withLive()}; the server namespace's counters'
     * rises over the run, as {@code nstat} named them ({@code TcpExtListenOverflows}).
     */
    public record Run(LabMode mode, Path capture, List<Expected.Row> rows,
                      List<Capture> variantCaptures, Truth.RelayStats relay, LiveRun live,
                      Map<String, Long> nstatServer) {
        /** verdict/outcome=count of the truth, sorted, e.g. {@code ok/ok=3 refused/failed=1}. */
        public String shown() {
            Map<String, Integer> counts = new TreeMap<>();
            for (Expected.Row r : rows) {
                counts.merge(r.expectation().verdict().key() + "/"
                        + r.expectation().outcome().key(), 1, Integer::sum);
            }
            List<String> parts = new ArrayList<>();
            counts.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(" ", parts);
        }

        /** The relay's path and what it did, in words; null without a relay. */
        public String relaySummary() {
            if (relay == null) {
                return null;
            }
            LabMode.Relay p = relay.path();
            List<String> kinds = new ArrayList<>();
            relay.droppedKinds().forEach((k, n) -> kinds.add(n + " " + k));
            return String.format(java.util.Locale.ROOT, "%d ± %d ms each way, %.1f %% random loss,"
                            + " targeted drops: %s; forwarded %d frames to the server and %d to"
                            + " the client, dropped %d and %d (%s); %d frames left more than 1 ms"
                            + " after their planned time, the latest %.1f ms",
                    p.delayMillis(), p.jitterMillis(),
                    p.lossPercent(), p.drop().key(), relay.forwardedToServer(),
                    relay.forwardedToClient(), relay.droppedToServer(), relay.droppedToClient(),
                    kinds.isEmpty() ? "nothing" : String.join(", ", kinds),
                    relay.lateOverOneMs(), relay.maxLateUs() / 1000.0);
        }

        /** Whether the truth shows exactly what the mode is meant to show. */
        public boolean intendedShown() {
            List<String> want = new ArrayList<>(List.of(mode.intended().split(" ")));
            List<String> got = new ArrayList<>(List.of(shown().split(" ")));
            want.sort(null);
            got.sort(null);
            return want.equals(got);
        }
    }

    /** Makes one run of {@code mode}; writes {@code outDir/MODE.pcap} and its expected.json. */
    public Run run(LabMode mode, Path outDir) throws LabException, IOException {
        Files.createDirectories(outDir);
        Path work = Files.createTempDirectory("synscope-lab-" + mode.name() + "-");
        boolean ok = false;
        try {
            Run run = runIn(mode, outDir, work);
            ok = true;
            return run;
        } catch (LabException | IOException e) {
            if (stopping) {
                throw new LabException(Kind.RUN_FAILED, "interrupted");
            }
            throw e;
        } finally {
            teardown();
            if (ok) {
                deleteTree(work);
            } else {
                log.println("lab: " + mode.name() + ": work files kept in " + work);
                log.flush();
            }
        }
    }

    /**
     * Runs {@code mode} until its truth shows what the mode is meant to show (which burst
     * connections overflow is a race the kernel may run the other way), at most
     * {@code attempts} times; returns the last run, shown or not. Each rerun is said on the log.
     */
    public Run runShowing(LabMode mode, Path outDir, int attempts)
            throws LabException, IOException {
        Run run = run(mode, outDir);
        for (int attempt = 1; attempt < attempts && !run.intendedShown(); attempt++) {
            log.println("lab " + mode.name() + ": the truth shows " + run.shown()
                    + ", not the intended " + mode.intended() + "; running it again");
            log.flush();
            run = run(mode, outDir);
        }
        return run;
    }

    private Run runIn(LabMode mode, Path outDir, Path work) throws LabException, IOException {
        LabMode.Relay relay = mode.relay();
        if (relay != null && tools.ethtool() == null) {
            throw new LabException(Kind.TOOL_MISSING, "the lossy modes need `ethtool` (tx"
                    + " checksum offload off on the lab's veths): install ethtool"
                    + " (apt-get install ethtool)");
        }
        say(mode, "setting up namespaces");
        addNamespace(cns);
        addNamespace(sns);
        if (relay == null) {
            ip("link", "add", cv, "netns", cns, "type", "veth", "peer", "name", sv, "netns", sns);
        } else {
            addMiddle();
        }
        configureLink(mode, cns, cv, mode.clientIp());
        configureLink(mode, sns, sv, mode.serverIp());
        if (relay != null) {
            inNs(cns, tools.ethtool().toString(), "-K", cv, "tx", "off");
            inNs(sns, tools.ethtool().toString(), "-K", sv, "tx", "off");
        }
        awaitLinkUp(cns, cv);
        awaitLinkUp(sns, sv);
        Process relayProcess = null;
        if (relay != null) {
            say(mode, "starting the relay");
            relayProcess = startRelay(mode, work);
        }
        LabMode.Sysctls s = mode.sysctls();
        Map<String, Integer> serverSettings = new LinkedHashMap<>();
        serverSettings.put("net.core.somaxconn", s.somaxconn());
        serverSettings.put("net.ipv4.tcp_abort_on_overflow", s.abortOnOverflow());
        serverSettings.put("net.ipv4.tcp_syncookies", s.syncookies());
        serverSettings.put("net.ipv4.tcp_max_syn_backlog", s.maxSynBacklog());
        serverSettings.put("net.ipv4.tcp_synack_retries", s.synackRetries());
        writeSysctls(sns, serverSettings);
        writeSysctls(cns, Map.of("net.ipv4.tcp_syn_retries", s.clientSynRetries()));
        String tc = "none";
        if (mode.paceSynAcks()) {
            // ~12 ms per packet of at most 100 bytes: every server packet of these modes fits.
            inNs(sns, tools.tc().toString(), "qdisc", "add", "dev", sv, "root", "tbf", "rate",
                    "64kbit", "burst", "100", "mtu", "100", "limit", "10000");
            tc = inNs(sns, tools.tc().toString(), "qdisc", "show", "dev", sv).lines().findFirst()
                    .orElse("?").strip();
        }
        for (int n = 1; n <= mode.spoofedSyns(); n++) {
            ip("-n", sns, "neigh", "replace", LabMode.spoofedIp(n), "lladdr", NOBODY_MAC, "dev", sv,
                    "nud", "permanent");
        }
        // Read back what was written: what the kernel took is the truth, not what was asked.
        Map<String, Long> serverSysctls = readSysctls(sns,
                serverSettings.keySet().toArray(String[]::new));
        Map<String, Long> clientSysctls = readSysctls(cns, "net.ipv4.tcp_syn_retries",
                "net.ipv4.tcp_syn_linear_timeouts");
        Map<String, Long> nstatServerBefore = nstat(sns);
        Map<String, Long> nstatClientBefore = nstat(cns);

        // Captures: the main one, then the variants of the same run.
        Map<String, Process> captures = new LinkedHashMap<>();
        boolean serverSide = mode.captureSide() == LabMode.Side.SERVER;
        captures.put("main", startCapture("main", serverSide ? sns : cns,
                tcpdump(serverSide ? sv : cv, work.resolve("main.pcap")), null));
        List<TimedLine> liveLines = new ArrayList<>();
        if (live) {
            List<String> cmd = javaCommand(io.synscope.cli.Main.class);
            cmd.addAll(List.of("live", "--netns", serverSide ? sns : cns, "-i",
                    serverSide ? sv : cv, "--format", "ndjson", "--all", "--interval", "1", "-w",
                    work.resolve("live.pcapng").toString()));
            cmd.addAll(liveArgs);
            captures.put("live", startCapture("live", null, cmd, liveLines));
        }
        Set<Variant> wanted = new LinkedHashSet<>(variants ? mode.variants() : Set.of());
        if (relay != null || mode.captureSide() == LabMode.Side.SERVER) {
            // Every verdict must hold from both vantage points: the client's side too.
            wanted.add(Variant.CLIENT_SIDE);
        }
        for (Variant v : wanted) {
            List<String> cmd = switch (v) {
                case CLIENT_SIDE -> tcpdump(cv, work.resolve(v.name()));
                case ANY_SLL -> withLinkType(tcpdump("any", work.resolve(v.name())), "LINUX_SLL");
                case ANY_SLL2 -> withLinkType(tcpdump("any", work.resolve(v.name())), "LINUX_SLL2");
                case PCAPNG_LIVE -> List.of(tools.dumpcap().toString(), "-q", "-i", sv, "-s",
                        Integer.toString(SNAPLEN), "-w", work.resolve(v.name()).toString());
                case PCAPNG_COPY -> null;
            };
            if (cmd != null) {
                captures.put(v.name(), startCapture(v.name(),
                        v == Variant.CLIENT_SIDE ? cns : sns, cmd, null));
            }
        }

        Process server = null;
        if (mode.server() != null) {
            say(mode, "starting the server");
            server = startServer(mode, work);
        }
        Set<Integer> forgotten = new HashSet<>();
        say(mode, "running the client");
        boolean serverMoved = runClient(mode, work, server, forgotten);
        sleep(SETTLE_MILLIS);
        Map<String, Long> nstatServer = delta(nstatServerBefore, nstat(serverMoved ? rns : sns));
        Map<String, Long> nstatClient = delta(nstatClientBefore, nstat(cns));
        Map<String, String> captureSaid = new LinkedHashMap<>();
        for (Map.Entry<String, Process> c : captures.entrySet()) {
            captureSaid.put(c.getKey(), stopCapture(c.getValue()));
        }
        LiveRun liveRun = null;
        if (live) {
            synchronized (liveLines) {
                liveRun = new LiveRun(List.copyOf(liveLines), captures.get("live").exitValue(),
                        work.resolve("live.pcapng"), captureSaid.get("live"));
            }
        }
        if (server != null) {
            stop(server);
        }
        Truth.RelayStats relayStats = null;
        Map<io.synscope.diagnose.HostPort, Truth.Relayed> relayed = new LinkedHashMap<>();
        if (relayProcess != null) {
            stopRelay(relayProcess, work);
            relayStats = LabJson.MAPPER.readValue(work.resolve("relay-stats.json").toFile(),
                    Truth.RelayStats.class);
            for (Truth.Relayed r : LabJson.readLines(work.resolve("relay.jsonl"),
                    Truth.Relayed.class)) {
                relayed.put(r.client(), r);
            }
        }

        List<Truth.Client> clients = LabJson.readLines(work.resolve("client.jsonl"), Truth.Client.class);
        List<Truth.Server> servers = LabJson.readLines(work.resolve("server.jsonl"), Truth.Server.class);
        List<Truth.Spoofed> spoofed = LabJson.readLines(work.resolve("spoofed.jsonl"), Truth.Spoofed.class);
        int unreadCloses = (int) servers.stream().filter(x -> x.unreadBytes() > 0).count();
        TruthRules.RunFacts facts = new TruthRules.RunFacts(
                serverSysctls.getOrDefault("net.ipv4.tcp_abort_on_overflow", 0L).intValue(),
                nstatServer, forgotten, unreadCloses, relayed);
        Map<LabMode.Side, List<Expected.Row>> rowsBySide = new LinkedHashMap<>();
        for (LabMode.Side side : LabMode.Side.values()) {
            rowsBySide.put(side, Expected.rows(clients, servers, spoofed, facts, side));
        }
        List<Expected.Row> rows = rowsBySide.get(mode.captureSide());
        Expected.RunInfo info = new Expected.RunInfo(mode, kernel(), tc, serverSysctls,
                clientSysctls, nstatServer, nstatClient, relayStats);

        String dump = "tcpdump -i <veth> -s " + SNAPLEN + " --immediate-mode -U";
        String side = serverSide ? "server" : "client";
        Path capture = emit(work.resolve("main.pcap"), outDir, mode.name() + ".pcap", side,
                "ethernet", dump + " (" + side + " side)", info, rows);
        List<Capture> extra = new ArrayList<>();
        for (Variant v : wanted) {
            String name = v.fileName(mode.name());
            LabMode.Side vantage = v == Variant.CLIENT_SIDE ? LabMode.Side.CLIENT
                    : LabMode.Side.SERVER;
            Path made = switch (v) {
                case CLIENT_SIDE -> emit(work.resolve(v.name()), outDir, name, "client", "ethernet",
                        dump + " (client side, same run as " + mode.name() + ".pcap)", info,
                        rowsBySide.get(vantage));
                case ANY_SLL -> emit(work.resolve(v.name()), outDir, name, "server", "linux-sll",
                        "tcpdump -i any -y LINUX_SLL -s " + SNAPLEN + " in the server namespace",
                        info, rowsBySide.get(vantage));
                case ANY_SLL2 -> emit(work.resolve(v.name()), outDir, name, "server", "linux-sll2",
                        "tcpdump -i any -y LINUX_SLL2 -s " + SNAPLEN + " in the server namespace",
                        info, rowsBySide.get(vantage));
                case PCAPNG_LIVE -> emit(work.resolve(v.name()), outDir, name, "server", "ethernet",
                        "dumpcap -i <veth> -s " + SNAPLEN + " (server side, same run as "
                                + mode.name() + ".pcap)", info, rowsBySide.get(vantage));
                case PCAPNG_COPY -> {
                    Path copy = work.resolve(v.name());
                    run(List.of(tools.editcap().toString(), "-F", "pcapng",
                            work.resolve("main.pcap").toString(), copy.toString()));
                    yield emit(copy, outDir, name, "server", "ethernet",
                            "editcap -F pcapng " + mode.name() + ".pcap", info,
                            rowsBySide.get(vantage));
                }
            };
            extra.add(new Capture(made, vantage, rowsBySide.get(vantage)));
        }
        if (relayProcess != null) {
            Files.copy(work.resolve("relay.jsonl"), outDir.resolve(mode.name() + ".relay.jsonl"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        if (liveRun != null) {
            Path kept = outDir.resolve(mode.name() + ".live.pcapng");
            Files.copy(liveRun.capture(), kept, StandardCopyOption.REPLACE_EXISTING);
            liveRun = new LiveRun(liveRun.lines(), liveRun.exitCode(), kept, liveRun.stderr());
        }
        return new Run(mode, capture, rows, extra, relayStats, liveRun, nstatServer);
    }

    private Path emit(Path made, Path outDir, String name, String side, String linkType,
                      String madeBy, Expected.RunInfo info, List<Expected.Row> rows)
            throws IOException {
        Path target = outDir.resolve(name);
        Files.copy(made, target, StandardCopyOption.REPLACE_EXISTING);
        // dumpcap makes its files 0600, and the copy keeps the mode.
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        String stem = name.substring(0, name.lastIndexOf('.'));
        Expected.write(outDir.resolve(stem + ".expected.json"), name, side, linkType, madeBy,
                info, rows);
        return target;
    }

    // ---- namespaces and links ----------------------------------------------------------

    private void addNamespace(String ns) throws LabException {
        try {
            ip("netns", "add", ns);
        } catch (LabException e) {
            throw new LabException(Kind.NAMESPACE, "cannot create network namespace " + ns
                    + " (the lab needs namespace support and CAP_SYS_ADMIN): " + e.getMessage());
        }
        synchronized (namespaces) {
            namespaces.add(ns);
        }
    }

    /** Address and link up; IPv6 off on the link for IPv4 modes, no DAD/RS for IPv6 ones. */
    private void configureLink(LabMode mode, String ns, String dev, String address)
            throws LabException {
        ip("-n", ns, "link", "set", "lo", "up");
        if (mode.ipv6()) {
            writeSysctls(ns, Map.of("net.ipv6.conf." + dev + ".accept_ra", 0,
                    "net.ipv6.conf." + dev + ".router_solicitations", 0));
            ip("-n", ns, "addr", "add", address + "/64", "dev", dev, "nodad");
        } else {
            ipv6Off(ns, dev);
            ip("-n", ns, "addr", "add", address + "/24", "dev", dev);
        }
        ip("-n", ns, "link", "set", dev, "up");
    }

    /** No IPv6 on {@code dev}, so the kernel sends no router solicitations or MLD reports. */
    private void ipv6Off(String ns, String dev) throws LabException {
        // Absent when the kernel has IPv6 off altogether: then there is nothing to silence.
        inNs(ns, "/bin/sh", "-c", "f=/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6;"
                + " [ ! -e $f ] || echo 1 > $f");
    }

    /**
     * The lossy path's middle namespace, with the client's veth ending there as {@code mc} and
     * the server's as {@code ms}: links up, no addresses, no IPv6, so that the only frames
     * between client and server are theirs, moved by the relay.
     */
    private void addMiddle() throws LabException {
        addNamespace(mns);
        ip("link", "add", cv, "netns", cns, "type", "veth", "peer", "name", mc, "netns", mns);
        ip("link", "add", sv, "netns", sns, "type", "veth", "peer", "name", ms, "netns", mns);
        for (String dev : List.of(mc, ms)) {
            ipv6Off(mns, dev);
            ip("-n", mns, "link", "set", dev, "up");
        }
    }

    /** Sets sysctls, named as sysctl(8) names them, inside {@code ns} (they are per namespace). */
    private void writeSysctls(String ns, Map<String, Integer> values) throws LabException {
        StringBuilder script = new StringBuilder("set -e;");
        values.forEach((k, v) -> script.append(" echo ").append(v).append(" > /proc/sys/")
                .append(k.replace('.', '/')).append(';'));
        inNs(ns, "/bin/sh", "-c", script.toString());
    }

    /** The values of {@code keys} in {@code ns}; keys this kernel lacks are left out. */
    private Map<String, Long> readSysctls(String ns, String... keys) throws LabException {
        StringBuilder script = new StringBuilder();
        for (String k : keys) {
            script.append("cat /proc/sys/").append(k.replace('.', '/'))
                    .append(" 2>/dev/null || echo -;");
        }
        List<String> lines = inNs(ns, "/bin/sh", "-c", script.toString()).lines().toList();
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < keys.length && i < lines.size(); i++) {
            String v = lines.get(i).strip();
            if (v.matches("-?\\d+")) {
                out.put(keys[i], Long.parseLong(v));
            }
        }
        return out;
    }

    /** Absolute values of every counter in {@code ns} ({@code nstat -azs}: history untouched). */
    private Map<String, Long> nstat(String ns) throws LabException {
        Map<String, Long> out = new TreeMap<>();
        for (String line : inNs(ns, tools.nstat().toString(), "-azs").lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 2 && !line.startsWith("#") && w[1].matches("\\d+")) {
                out.put(w[0], Long.parseLong(w[1]));
            }
        }
        return out;
    }

    /** Counters that changed, by how much. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    /**
     * The server host "reboots": its veth end moves to a fresh namespace with the same address
     * and MAC but no sockets; the old namespace keeps the server process, cut off. Nothing is
     * sent on the wire by this. Returns once the client's end of the link is up again.
     */
    private void forget(LabMode mode) throws LabException {
        addNamespace(rns);
        ip("-n", sns, "link", "set", sv, "netns", rns);
        configureLink(mode, rns, sv, mode.serverIp());
        awaitLinkUp(rns, sv);
        awaitLinkUp(cns, cv);
    }

    /**
     * Makes every IPv4 packet that reaches the server's veth end vanish, or undoes it. A policy
     * rule ({@code ip rule ... iif DEV blackhole}) drops them in input routing: after the
     * packet taps (a capture on either end still sees them) and silently (a blackhole sends no
     * ICMP), while ARP still works. The rule must come before the
     * {@code lookup local} rule, which is moved from priority 0 to behind it. iproute2 alone
     * does it; netem and tc drop actions are not in every kernel, and netem on an egress would
     * drop before the capture tap.
     */
    private void silence(boolean on) throws LabException {
        if (on) {
            ip("-n", sns, "rule", "add", "pref", "20", "lookup", "local");
            ip("-n", sns, "rule", "add", "pref", "10", "iif", sv, "blackhole");
            ip("-n", sns, "rule", "del", "pref", "0", "lookup", "local");
        } else {
            ip("-n", sns, "rule", "del", "pref", "10");
        }
    }

    /**
     * Waits until {@code dev} is operationally up. The kernel reports carrier changes up to a
     * second late (linkwatch), and until then IPv6 neighbour discovery goes unanswered: a first
     * connect() would wait a second for it and look like a retransmitted SYN.
     */
    private void awaitLinkUp(String ns, String dev) throws LabException {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!ip("-n", ns, "link", "show", dev).contains("state UP")) {
            if (System.nanoTime() > limit) {
                throw new LabException(Kind.RUN_FAILED, dev + " in " + ns + " did not come up");
            }
            sleep(20);
        }
    }

    // ---- captures ----------------------------------------------------------------------

    private List<String> tcpdump(String dev, Path file) {
        return List.of(tools.tcpdump().toString(), "-Z", "root", "-s", Integer.toString(SNAPLEN),
                "--immediate-mode", "-U", "-i", dev, "-w", file.toString());
    }

    private static List<String> withLinkType(List<String> cmd, String linkType) {
        List<String> out = new ArrayList<>(cmd);
        out.addAll(List.of("-y", linkType));
        return out;
    }

    /**
     * Starts a capture in {@code ns} (null: this process's namespace) and returns once it
     * reports that it is listening. When {@code lines} is not null, the capture's stdout lines
     * are added to it as they come, each with the time it arrived.
     */
    private Process startCapture(String name, String ns, List<String> cmd, List<TimedLine> lines)
            throws LabException, IOException {
        Process p = start(ns, cmd, lines == null ? ProcessBuilder.Redirect.DISCARD
                : ProcessBuilder.Redirect.PIPE, ProcessBuilder.Redirect.PIPE);
        if (lines != null) {
            Thread out = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(
                        p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        java.time.Instant now = java.time.Instant.now();
                        synchronized (lines) {
                            lines.add(new TimedLine(now.getEpochSecond() * 1_000_000_000L
                                    + now.getNano(), line));
                        }
                    }
                } catch (IOException e) {
                    // The process ended.
                }
            }, "capture-" + name + "-out");
            out.setDaemon(true);
            out.start();
            outputReaders.put(p, out);
        }
        CountDownLatch listening = new CountDownLatch(1);
        StringBuilder said = new StringBuilder();
        captureStderr.put(p, said);
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    synchronized (said) {
                        said.append(line).append('\n');
                    }

                    if (line.contains("listening on") || line.contains("Capturing on")) {
                        listening.countDown();
                    }
                }
            } catch (IOException e) {
                // The process ended; waitFor below tells.
            }
        }, "capture-" + name);
        reader.setDaemon(true);
        reader.start();
        try {
            if (!listening.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                synchronized (said) {
                    throw new LabException(Kind.RUN_FAILED, "capture " + String.join(" ", cmd)
                            + " did not start: " + said.toString().strip());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException(Kind.RUN_FAILED, "interrupted while starting a capture");
        }
        return p;
    }

    /**
     * SIGINT, as a user's Ctrl-C: tcpdump (and synscope live) writes what it has and exits;
     * what it printed is read to its end. Returns what it said on stderr.
     */
    private String stopCapture(Process p) throws LabException {
        try {
            Native.check(Native.libc().kill((int) p.pid(), Native.SIGINT), "kill(SIGINT)");
        } catch (IOException e) {
            throw new LabException(Kind.RUN_FAILED, "cannot stop a capture: " + e.getMessage());
        }
        waitOrKill(p);
        Thread out = outputReaders.remove(p);
        if (out != null) {
            try {
                out.join(TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        StringBuilder said = captureStderr.remove(p);
        synchronized (said) {
            return said.toString();
        }
    }

    // ---- the programs ------------------------------------------------------------------

    private Process startServer(LabMode mode, Path work) throws LabException, IOException {
        List<String> cmd = javaCommand(LabServer.class);
        // Like the client, the server looks its part of the mode up by name.
        cmd.addAll(List.of("--mode", mode.name(), "--truth",
                work.resolve("server.jsonl").toString()));
        return startReady(sns, cmd, work.resolve("server.log"), "LISTENING", "the lab server");
    }

    /** The relay, with a fresh seed for its loss and delays (the seed goes into its stats). */
    private Process startRelay(LabMode mode, Path work) throws LabException, IOException {
        List<String> cmd = javaCommand(LabRelay.class);
        cmd.addAll(List.of("--mode", mode.name(), "--client-if", mc, "--server-if", ms,
                "--seed", Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong()),
                "--log", work.resolve("relay.jsonl").toString(),
                "--stats", work.resolve("relay-stats.json").toString()));
        return startReady(mns, cmd, work.resolve("relay.log"), "RELAYING", "the lab relay");
    }

    /** Starts a lab program in {@code ns} and waits for the line saying it is ready. */
    private Process startReady(String ns, List<String> cmd, Path log, String ready, String what)
            throws LabException, IOException {
        Process p = start(ns, cmd, ProcessBuilder.Redirect.PIPE,
                ProcessBuilder.Redirect.to(log.toFile()));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII));
        String line = readLineWithin(out, STEP_TIMEOUT_SECONDS, p);
        if (!ready.equals(line)) {
            throw new LabException(Kind.RUN_FAILED, what + " did not start (see " + log + ")");
        }
        return p;
    }

    /** Closes the relay's stdin: it writes its log and exits; a relay that failed fails the run. */
    private void stopRelay(Process relay, Path work) throws LabException, IOException {
        relay.getOutputStream().close();
        waitOrKill(relay);
        if (relay.exitValue() != 0) {
            throw new LabException(Kind.RUN_FAILED, "the lab relay failed (exit "
                    + relay.exitValue() + "; see " + work.resolve("relay.log") + ")");
        }
    }

    /**
     * Runs the client to its end, relaying its requests: {@code GATE v} to the server,
     * {@code HOOK forget|silence|heal PORT} done here and answered {@code DONE}. Returns whether the
     * server's link was moved (half-open).
     */
    private boolean runClient(LabMode mode, Path work, Process server, Set<Integer> forgotten)
            throws LabException, IOException {
        List<String> cmd = javaCommand(LabClient.class);
        cmd.addAll(List.of("--mode", mode.name(), "--truth", work.resolve("client.jsonl").toString(),
                "--spoof-truth", work.resolve("spoofed.jsonl").toString()));
        Process client = start(cns, cmd, ProcessBuilder.Redirect.PIPE,
                ProcessBuilder.Redirect.to(work.resolve("client.log").toFile()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLIENT_TIMEOUT_SECONDS);
        boolean moved = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.US_ASCII));
             Writer toClient = client.outputWriter(StandardCharsets.US_ASCII)) {
            String line;
            while ((line = readLineWithin(out, Math.max(1, TimeUnit.NANOSECONDS.toSeconds(
                    deadline - System.nanoTime())), client)) != null) {
                String[] w = line.trim().split(" ");
                if (w[0].equals("GATE") && server != null) {
                    Writer toServer = server.outputWriter(StandardCharsets.US_ASCII);
                    toServer.write(line.trim() + "\n");
                    toServer.flush();
                } else if (w[0].equals("HOOK") && w.length == 3) {
                    switch (w[1]) {
                        case "forget" -> {
                            say(mode, "making the server forget port " + w[2]);
                            forget(mode);
                            moved = true;
                            forgotten.add(Integer.parseInt(w[2]));
                        }
                        case "silence" -> {
                            say(mode, "the path to the server goes silent");
                            silence(true);
                        }
                        case "heal" -> {
                            say(mode, "the path to the server works again");
                            silence(false);
                        }
                        default -> throw new LabException(Kind.RUN_FAILED,
                                "the lab client asked for an unknown hook: " + line.trim());
                    }
                    toClient.write("DONE\n");
                    toClient.flush();
                }
            }
        }
        try {
            if (!client.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS) || client.exitValue() != 0) {
                throw new LabException(Kind.RUN_FAILED, "the lab client failed (see "
                        + work.resolve("client.log") + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException(Kind.RUN_FAILED, "interrupted while the client ran");
        }
        forgetChild(client);
        return moved;
    }

    /** A line from a child, or null at its end; fails when none comes within the time. */
    private static String readLineWithin(BufferedReader in, long seconds, Process p)
            throws LabException {
        String[] line = new String[1];
        IOException[] error = new IOException[1];
        Thread t = new Thread(() -> {
            try {
                line[0] = in.readLine();
            } catch (IOException e) {
                error[0] = e;
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
        try {
            t.join(TimeUnit.SECONDS.toMillis(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            p.destroyForcibly();
            throw new LabException(Kind.RUN_FAILED, "a lab program (pid " + p.pid()
                    + ") said nothing for " + seconds + " s; stopped it");
        }
        return error[0] == null ? line[0] : null;
    }

    /**
     * {@code ip netns exec NS java <same options> -cp <this classpath> MAIN}. The client reads
     * TCP_INFO with the socket's descriptor from the JDK's {@code sun.nio.ch}, hence the export.
     */
    private static List<String> javaCommand(Class<?> main) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx128m", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
    }

    /**
     * Starts {@code cmd} in {@code ns} (null: this process's own); teardown kills it if it is
     * still running then.
     */
    private Process start(String ns, List<String> cmd, ProcessBuilder.Redirect out,
                          ProcessBuilder.Redirect err) throws IOException {
        List<String> full = new ArrayList<>();
        if (ns != null) {
            full.addAll(List.of(tools.ip().toString(), "netns", "exec", ns));
        }
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectOutput(out).redirectError(err).start();
        synchronized (children) {
            children.add(p);
        }
        return p;
    }

    private void stop(Process p) {
        p.destroy();
        waitOrKill(p);
    }

    private void waitOrKill(Process p) {
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        forgetChild(p);
    }

    private void forgetChild(Process p) {
        synchronized (children) {
            children.remove(p);
        }
    }

    // ---- commands ----------------------------------------------------------------------

    private String ip(String... args) throws LabException {
        List<String> cmd = new ArrayList<>(List.of(tools.ip().toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private String inNs(String ns, String... cmd) throws LabException {
        List<String> full = new ArrayList<>(List.of(tools.ip().toString(), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full);
    }

    /** Runs a short command; its stdout, or a RUN_FAILED naming the command and its stderr. */
    private static String run(List<String> cmd) throws LabException {
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException(Kind.RUN_FAILED, String.join(" ", cmd) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new LabException(Kind.RUN_FAILED, String.join(" ", cmd) + ": "
                        + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException(Kind.RUN_FAILED, String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException(Kind.RUN_FAILED, String.join(" ", cmd) + ": interrupted");
        }
    }

    private static String kernel() {
        return System.getProperty("os.version", "?");
    }

    // ---- teardown ----------------------------------------------------------------------

    /** The shutdown hook (Ctrl-C, SIGTERM): says so if a run was going on, then tears down. */
    private void interrupted() {
        stopping = true;
        boolean running;
        synchronized (namespaces) {
            running = !namespaces.isEmpty();
        }
        if (running) {
            log.println("lab: interrupted: stopping the lab's programs and deleting its namespaces");
            log.flush();
        }
        teardown();
    }

    /** Kills what is still running and deletes the namespaces; safe to call more than once. */
    private void teardown() {
        List<Process> left;
        synchronized (children) {
            left = new ArrayList<>(children);
            children.clear();
        }
        for (Process p : left) {
            p.destroyForcibly();
        }
        for (Process p : left) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> ns;
        synchronized (namespaces) {
            ns = new ArrayList<>(namespaces);
            namespaces.clear();
        }
        for (String n : ns) {
            try {
                ip("netns", "del", n);
            } catch (LabException e) {
                log.println("lab: could not delete namespace " + n + ": " + e.getMessage());
                log.flush();
            }
        }
    }

    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run.
        }
    }

    private void say(LabMode mode, String what) {
        log.println("lab " + mode.name() + ": " + what);
        log.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
