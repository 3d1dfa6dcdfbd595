package io.synscope.cli;

import io.synscope.capture.CaptureException;
import io.synscope.capture.CaptureWriter;
import io.synscope.capture.Captures;
import io.synscope.capture.Interfaces;
import io.synscope.capture.LiveCapture;
import io.synscope.capture.Netns;
import io.synscope.capture.PacketSource;
import io.synscope.capture.Printable;
import io.synscope.capture.RecordingSource;
import io.synscope.pipeline.AnalysisSink;
import io.synscope.pipeline.Analyzer;
import io.synscope.pipeline.CaptureInfo;
import io.synscope.pipeline.KernelDocument;
import io.synscope.pipeline.KernelLog;
import io.synscope.pipeline.KernelSources;
import io.synscope.pipeline.TeeSink;
import io.synscope.report.CsvReport;
import io.synscope.report.LiveText;
import io.synscope.report.NdjsonReport;
import io.synscope.report.Selection;
import io.synscope.report.metrics.KernelGauges;
import io.synscope.report.metrics.MetricsSink;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code synscope live}: captures on an interface with libpcap and reports each connection the
 * moment it is decided, through the same pipeline as {@code analyze}; on Ctrl-C, SIGTERM,
 * {@code --duration} or {@code --count} it decides what is still open and writes the full
 * report.
 */
final class LiveCommand implements Callable<Integer> {
    enum OutputFormat { text, ndjson, json, csv, html }

    /** libpcap takes the buffer size in bytes as an int. */
    private static final int MAX_BUFFER_KIB = Integer.MAX_VALUE / 1024;
    /** A year: a capture's end time in nanoseconds stays far from overflowing. */
    private static final long MAX_DURATION_SECONDS = 365L * 24 * 3600;
    private static final long MAX_INTERVAL_SECONDS = 24 * 3600;

    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    private final OptionSpec device = Main.add(spec, OptionSpec.builder("-i", "--interface")
            .type(String.class).paramLabel("IFACE").description("interface to capture on"
                    + " (default: the first one up that is not loopback); any: all of them"));
    private final OptionSpec listInterfaces = Main.add(spec, Main.flag("--list-interfaces")
            .description("list the interfaces (name, addresses, up/running) and exit"));
    private final OptionSpec filter = Main.add(spec, OptionSpec.builder("-f", "--filter")
            .type(String.class).paramLabel("EXPR").description("BPF filter, as tcpdump takes it"
                    + " (e.g. 'tcp port 8080'); compiled by libpcap"));
    private final OptionSpec snaplen = Main.add(spec, OptionSpec.builder("-s", "--snaplen")
            .type(int.class).paramLabel("BYTES").defaultValue("" + LiveCapture.DEFAULT_SNAPLEN)
            .converters(OptionRange.ints("--snaplen", 68, 262_144,
                    "the IPv6 and TCP headers fit in 68 bytes; 262144 is tcpdump's largest"))
            .description("bytes kept of each packet (default ${DEFAULT-VALUE}): synscope reads"
                    + " headers only, never payload, and a small snap length loses fewer"
                    + " packets under load"));
    private final OptionSpec bufferKib = Main.add(spec, OptionSpec.builder("-B", "--buffer-size")
            .type(int.class).paramLabel("KIB").defaultValue("65536")
            .converters(OptionRange.ints("--buffer-size", 0, MAX_BUFFER_KIB,
                    "libpcap takes the bytes as an int"))
            .description("the kernel's capture buffer in KiB, as tcpdump -B (default"
                    + " ${DEFAULT-VALUE}); raise it if the kernel drops packets"));
    private final OptionSpec promiscuous = Main.add(spec, Main.flag("--promiscuous")
            .description("also see traffic not addressed to this host (off by default)"));
    private final OptionSpec durationSeconds = Main.add(spec, OptionSpec.builder("--duration")
            .type(long.class).paramLabel("SECONDS").defaultValue("0")
            .converters(OptionRange.longs("--duration", 0, MAX_DURATION_SECONDS,
                    "a year; 0: until Ctrl-C"))
            .description("stop after this long (default: until Ctrl-C)"));
    private final OptionSpec count = Main.add(spec, OptionSpec.builder("-c", "--count")
            .type(long.class).paramLabel("N").defaultValue("0")
            .converters(OptionRange.longs("--count", 0, Long.MAX_VALUE, "0: until Ctrl-C"))
            .description("stop after N packets (default: until Ctrl-C)"));
    private final OptionSpec write = Main.add(spec, OptionSpec.builder("-w", "--write")
            .type(String.class).paramLabel("FILE").description("also write every captured"
                    + " packet to FILE, as tcpdump -w (pcapng if FILE ends in .pcapng, which also"
                    + " keeps the capture's end time and drop counts; else pcap)"));
    private final OptionSpec netns = Main.add(spec, OptionSpec.builder("--netns")
            .type(String.class).paramLabel("NAME").description("capture inside this network"
                    + " namespace: a name from ip netns list, or a path such as"
                    + " /proc/PID/ns/net (a container's)"));
    private final OptionSpec format = Main.add(spec, OptionSpec.builder("--format")
            .type(OutputFormat.class).paramLabel("<format>").defaultValue("text")
            .description("text: a line per failure, then the analyze report; ndjson: a JSON"
                    + " object per line (docs/ndjson.md); json: analyze's document at the end; csv: a row per connection as decided"
                    + " (docs/csv.md); html: analyze's page at the end (docs/html.md)"));
    private final OptionSpec intervalSeconds = Main.add(spec, OptionSpec.builder("--interval")
            .type(long.class).paramLabel("SECONDS").defaultValue("10")
            .converters(OptionRange.longs("--interval", 1, MAX_INTERVAL_SECONDS, "a day"))
            .description("ndjson: a status record this often (default ${DEFAULT-VALUE})"));
    private final OptionSpec metrics = Main.add(spec, OptionSpec.builder("--metrics")
            .type(String.class).paramLabel("ADDR:PORT").description("also serve Prometheus"
                    + " metrics at http://ADDR:PORT/metrics while capturing: connections by"
                    + " server, verdict and outcome, open connections, packets and drops"
                    + " (docs/metrics.md). E.g. 127.0.0.1:9464; :9464 for every address of this"
                    + " host; port 0 for any free one (printed). Served in synscope's own"
                    + " network namespace, not --netns's"));
    private final OptionSpec metricsListeners = Main.add(spec, OptionSpec.builder(
            "--metrics-listeners").type(int.class).paramLabel("N").defaultValue("100")
            .converters(OptionRange.ints("--metrics-listeners", 0, Integer.MAX_VALUE, ""))
            .description("--metrics: the first N servers (address and port) seen get series of"
                    + " their own, later ones are counted together under ip and port \"other\","
                    + " so that a scan cannot flood Prometheus (default ${DEFAULT-VALUE})"));
    private final OptionSpec noKernel = Main.add(spec, Main.flag("--no-kernel")
            .description("do not read the kernel's evidence (listen queues, TCP counters, traced"
                    + " resets and drops; docs/kernel.md): packets only"));
    private final ReportOptions report = new ReportOptions(spec, "tracking threads, the"
            + " reading one included (default 1: a capture shares the box with its services)");
    private final SelectionOptions selection = new SelectionOptions(spec);
    private final ExportOption export = new ExportOption(spec, "at the end, write the packets"
            + " of the connections the output lists (failures by default) to FILE: pcap, or"
            + " pcapng if FILE ends in .pcapng (also keeps the kernel's evidence). The capture"
            + " is kept until then in -w's file, else in a temporary file (disk, not memory)");
    /** The selection given, or null before {@link #call} parsed it. */
    private Selection selected;
    /** The run's kernel evidence as a document, for a pcapng export; null without. */
    private String lastKernelDocument;

    LiveCommand() {
        spec.name("live");
        Main.standardHelpOptions(spec);
        spec.usageMessage().description("Captures on a network interface and names each TCP"
                        + " connection's failure as soon as it is decided; on Ctrl-C, the full"
                        + " report analyze prints.",
                "Needs root, or CAP_NET_RAW and CAP_NET_ADMIN (--netns: CAP_SYS_ADMIN), and"
                        + " libpcap. See docs/live.md.");
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        selected = selection.parse(err);
        if (selected == null) {
            return ExitCode.USAGE;
        }
        if (write.getValue() != null && export.clashes(List.of(write.<String>getValue()), err)
                || export.clashesWithReport(report.output(), err)) {
            return ExitCode.USAGE;
        }
        if (listInterfaces.<Boolean>getValue() || metrics.getValue() == null) {
            return run(err, null);
        }
        InetSocketAddress at = metricsAddress(metrics.getValue());
        if (at == null) {
            err.println("synscope: --metrics " + Printable.escape(metrics.getValue())
                    + ": expected ADDR:PORT, [IPv6]:PORT or :PORT, with a port from 0 to 65535");
            return ExitCode.USAGE;
        }
        MetricsSink sink = new MetricsSink(metricsListeners.getValue(), Main.version(),
                Main.Version.commit(Main.Version.buildInfo()));
        // Before --netns is entered: the endpoint is reached from this host's network, where
        // Prometheus scrapes, whatever namespace the capture is in.
        try (MetricsSink.Endpoint endpoint = sink.serve(at)) {
            err.println("synscope: serving metrics on http://" + endpoint.address() + "/metrics");
            return run(err, sink);
        } catch (UnknownHostException e) {
            err.println("synscope: --metrics " + Printable.escape(metrics.getValue()) + ": "
                    + Printable.escape(at.getHostString()) + " is not a known address");
            return ExitCode.METRICS_UNAVAILABLE;
        } catch (IOException e) {
            err.println("synscope: --metrics " + Printable.escape(metrics.getValue())
                    + ": cannot listen there: " + Printable.escape(String.valueOf(e.getMessage())));
            return ExitCode.METRICS_UNAVAILABLE;
        }
    }

    /** Captures (or lists interfaces), also feeding {@code metricsSink} if not null. */
    private Integer run(PrintWriter err, MetricsSink metricsSink) {
        try {
            if (netns.getValue() != null) {
                // This thread only; the capture opened on it stays in that namespace.
                Netns.enter(netns.getValue());
            }
            if (listInterfaces.<Boolean>getValue()) {
                printInterfaces(spec.commandLine().getOut());
                return ExitCode.OK;
            }
            return capture(err, metricsSink);
        } catch (CaptureException e) {
            err.println("synscope: " + e.describe());
            return ExitCode.of(e.kind());
        }
    }

    /**
     * {@code ADDR:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (every address), unresolved; null
     * when it is none of these.
     */
    static InetSocketAddress metricsAddress(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String host = s.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 0 || port > 65535) {
            return null;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            return null; // an IPv6 address must be bracketed: its colons would be ambiguous
        }
        return host.isEmpty() ? new InetSocketAddress(port)
                : InetSocketAddress.createUnresolved(host, port);
    }

    private Integer capture(PrintWriter err, MetricsSink metricsSink) throws CaptureException {
        String dev = device.getValue() != null ? device.getValue() : Interfaces.defaultDevice();
        ExportOption.Target exporting = export.path() == null ? null : export.open(err);
        if (export.path() != null && exporting == null) {
            return ExitCode.IO_ERROR;
        }
        try (ExportOption.Target target = exporting) {
            return captureThenExport(err, metricsSink, dev, target);
        }
    }

    /**
     * Captures and reports; then, for {@code --export}, writes the export from what was
     * recorded: {@code -w}'s file, or a temporary one removed at the end.
     */
    private Integer captureThenExport(PrintWriter err, MetricsSink metricsSink, String dev,
                                      ExportOption.Target target) throws CaptureException {
        LiveCapture capture = LiveCapture.open(new LiveCapture.Options(dev, snaplen.getValue(),
                bufferKib.<Integer>getValue() * 1024, promiscuous.getValue(), filter.getValue(),
                count.getValue(), TimeUnit.SECONDS.toNanos(durationSeconds.getValue())));
        // --since and --until count from now.
        Selection chosen = selected.startingAt(Instant.now());
        Path spool = null;
        if (target != null && write.getValue() == null) {
            try {
                spool = Files.createTempFile("synscope-live-", ".pcap");
                // A Ctrl-C during the export (the signal handlers are Java's again by then)
                // shuts the JVM down past the finally below: it still goes.
                spool.toFile().deleteOnExit();
            } catch (IOException e) {
                closeQuietly(capture);
                err.println("synscope: --export: cannot create a temporary file for the capture: "
                        + Printable.escape(String.valueOf(e.getMessage())));
                return ExitCode.IO_ERROR;
            }
        }
        try {
            int code = capture(err, metricsSink, dev, capture, chosen, target,
                    spool != null ? spool.toString() : write.getValue());
            if (target == null || !target.analysed()) {
                return code;
            }
            String recorded = spool != null ? spool.toString() : write.getValue();
            try (PacketSource again = Captures.open(recorded)) {
                int exported = target.write(again, lastKernelDocument, err, false, () -> false);
                return code == ExitCode.OK || code == ExitCode.INTERRUPTED ? (exported
                        == ExitCode.OK ? code : exported) : code;
            } catch (IOException e) {
                return Main.writeFailure(err, recorded, e);
            }
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    // A temporary file: the system cleans it up eventually.
                }
            }
        }
    }

    private Integer capture(PrintWriter err, MetricsSink metricsSink, String dev,
                            LiveCapture capture, Selection chosen, ExportOption.Target target,
                            String recordTo) throws CaptureException {
        Stop stop = new Stop(capture);
        // From here a Ctrl-C ends the capture, so that -w's file is finished however early.
        stop.install();
        String output = report.output();
        KernelLog kernelLog = noKernel.<Boolean>getValue() ? null : new KernelLog();
        if (metricsSink != null && kernelLog != null) {
            KernelGauges.register(metricsSink.registry(), kernelLog::now,
                    metricsListeners.getValue());
        }
        try (PacketSource source = record(capture, kernelLog, recordTo, err);
             OutputStream toFile = report.openOutput();
             Writer out = toFile != null ? new OutputStreamWriter(toFile, StandardCharsets.UTF_8)
                     : Main.stdout(spec)) {
            err.println("synscope: listening on " + Printable.escape(dev + " ("
                    + capture.describe() + ")") + "; Ctrl-C to stop");
            err.flush();
            OutputFormat f = format.getValue();
            AnalysisSink sink = report.selectedAndExported(sink(f, out, toFile, err, chosen),
                    chosen, target);
            if (metricsSink != null) {
                // Metrics count every connection, whatever the output lists.
                sink = new TeeSink(sink, metricsSink);
            }
            Integer threads = report.threads();
            Analyzer analyzer = new Analyzer(report.config().forLiveCapture(),
                    threads == null ? 1 : threads)
                    .statusEveryNanos(f == OutputFormat.ndjson
                            ? TimeUnit.SECONDS.toNanos(intervalSeconds.getValue())
                            : TimeUnit.SECONDS.toNanos(1));
            CaptureInfo info;
            try (KernelSources kernel = kernelLog == null ? null
                    : KernelSources.start(kernelLog, netns.getValue(), localAddresses())) {
                info = analyzer.kernel(kernelLog, kernel).run(source, sink);
            } catch (CaptureException e) {
                // The interface went away: the report of what came before is written.
                err.println("synscope: " + e.describe());
                return ExitCode.of(e.kind());
            }
            if (output != null || f != OutputFormat.text) {
                Main.printWarnings(err, info);
            }
            if (target != null && kernelLog != null) {
                lastKernelDocument = KernelDocument.write(kernelLog);
            }
            return stop.bySignal() ? ExitCode.INTERRUPTED : ExitCode.OK;
        } catch (IOException e) {
            return Main.writeFailure(err, output, e);
        } finally {
            stop.uninstall();
        }
    }

    /**
     * The capture, also written to {@code -w FILE} when asked, with the kernel's evidence when
     * there is some and the file is pcapng.
     */
    private PacketSource record(LiveCapture capture, KernelLog kernelLog, String file,
                                PrintWriter err) throws CaptureException {
        if (file == null) {
            return capture;
        }
        try {
            RecordingSource recording = new RecordingSource(capture, CaptureWriter.open(file,
                    capture.linkType(), capture.snaplen(), capture.name()));
            // -w's file keeps the kernel's evidence; --export's temporary one need not.
            if (write.getValue() != null && kernelLog != null && !recording.attachAtEnd(KernelDocument.ATTACHMENT_KIND,
                    () -> KernelDocument.write(kernelLog))) {
                err.println("synscope: " + Printable.escape(file) + " is pcap, which has no"
                        + " place for the kernel's evidence: name it .pcapng to keep it");
            }
            return recording;
        } catch (CaptureException e) {
            closeQuietly(capture);
            throw e;
        }
    }

    private static void closeQuietly(LiveCapture capture) {
        try {
            capture.close();
        } catch (IOException ignored) {
            // Already failing with the more useful message.
        }
    }

    private AnalysisSink sink(OutputFormat f, Writer out, OutputStream toFile, PrintWriter err,
                              Selection chosen) throws IOException {
        boolean all = report.all(chosen);
        return switch (f) {
            case text -> new LiveText(new PrintWriter(out), statusLineTo(err), report.useColor(),
                    all, report.zone(), report.textReport(out, chosen));
            case ndjson -> toFile != null
                    ? new NdjsonReport(toFile, all, Main.version())
                    : new NdjsonReport(out, all, Main.version());
            case json -> report.jsonReport(out, toFile, all);
            case csv -> new CsvReport(out, all, true);
            case html -> report.htmlReport(out, all, chosen);
        };
    }

    /**
     * The captured namespace's own addresses (the calling thread's namespace): the kernel's
     * traced events are the whole host's, and only those involving these are kept.
     */
    private static List<InetAddress> localAddresses() throws CaptureException {
        List<InetAddress> local = new ArrayList<>();
        for (Interfaces.Interface i : Interfaces.list()) {
            for (String a : i.addresses()) {
                try {
                    // libpcap's text forms are literals: no name lookup happens here.
                    local.add(InetAddress.getByName(a));
                } catch (UnknownHostException e) {
                    // Not an address after all: nothing to match events against.
                }
            }
        }
        return local;
    }

    /** stderr when it is a terminal (a status line there helps; in a log it is noise). */
    private static PrintWriter statusLineTo(PrintWriter err) {
        return Main.isTerminal(2) ? err : null;
    }

    private void printInterfaces(PrintWriter out) throws CaptureException {
        List<Interfaces.Interface> list = Interfaces.list();
        out.printf("%-16s %-9s %s%n", "interface", "state", "addresses");
        for (Interfaces.Interface i : list) {
            String state = !i.up() ? "down" : i.running() ? "up" : "no-carrier";
            out.printf("%-16s %-9s %s%n", Printable.escape(i.name())
                    + (i.loopback() ? " (lo)" : ""), state, String.join(" ", i.addresses()));
        }
        out.flush();
    }

    /**
     * Ctrl-C and SIGTERM stop the capture; the report of what was read is then written and the
     * exit code is 130. A second Ctrl-C exits at once, for a report that takes too long.
     */
    private static final class Stop {
        private final LiveCapture capture;
        private volatile boolean signalled;
        private SignalHandler previousInt;
        private SignalHandler previousTerm;

        Stop(LiveCapture capture) {
            this.capture = capture;
        }

        void install() {
            SignalHandler handler = sig -> {
                if (signalled && sig.getName().equals("INT")) {
                    Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
                }
                signalled = true;
                capture.stop();
            };
            previousInt = Signal.handle(new Signal("INT"), handler);
            previousTerm = Signal.handle(new Signal("TERM"), handler);
        }

        void uninstall() {
            if (previousInt != null) {
                Signal.handle(new Signal("INT"), previousInt);
                Signal.handle(new Signal("TERM"), previousTerm);
            }
        }

        boolean bySignal() {
            return signalled;
        }
    }
}
