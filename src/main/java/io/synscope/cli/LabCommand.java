package io.synscope.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code synscope lab}'s command line: makes real captures of TCP failure modes in two network
 * namespaces, with ground truth from the programs that made them, and checks synscope against
 * that truth. What it does is {@link LabRunner}'s, so that other commands load no lab class.
 */
final class LabCommand implements Callable<Integer> {
    final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);
    private final PositionalParamSpec modeName = PositionalParamSpec.builder().index("0")
            .arity("0..1").type(String.class).paramLabel("MODE")
            .description("the mode to run (--list)").build();
    private final OptionSpec list = Main.add(spec, Main.flag("--list")
            .description("list the modes, one line each"));
    private final OptionSpec all = Main.add(spec, Main.flag("--all")
            .description("run every mode (and write demo.pcap); needs -o"));
    private final OptionSpec dir = Main.add(spec, OptionSpec.builder("-o", "--output-dir")
            .type(Path.class).paramLabel("DIR")
            .description("where captures go (default for one mode: a new temporary directory)"));
    private final OptionSpec variants = Main.add(spec, Main.flag("--variants")
            .description("also the modes' variant captures: client side, tcpdump -i any"
                    + " (cooked v1/v2), pcapng (needs dumpcap/editcap from wireshark-common)"));
    private final OptionSpec retries = Main.add(spec, OptionSpec.builder("--retries")
            .type(int.class).paramLabel("N").defaultValue("0")
            .converters(OptionRange.ints("--retries", 0, 100, ""))
            .description("run a mode again, up to N times, when its truth does not show the"
                    + " failures the mode is meant to show (bursts are races; default"
                    + " ${DEFAULT-VALUE})"));
    private final OptionSpec maxLadders = Main.add(spec, OptionSpec.builder("--max-ladders")
            .type(int.class).paramLabel("N").defaultValue("3")
            .converters(OptionRange.ints("--max-ladders", 0, ReportOptions.MAX_LADDERS,
                    "--format json lists every failure"))
            .description("ladders in synscope's report of each capture (default ${DEFAULT-VALUE})"));

    LabCommand() {
        spec.name("lab");
        Main.standardHelpOptions(spec);
        spec.usageMessage().description("Makes a real capture of a TCP failure mode (Linux,"
                        + " root): two network namespaces joined by a veth pair, a Java server"
                        + " and Java clients, tcpdump.",
                "Writes DIR/MODE.pcap and DIR/MODE.expected.json (each connection's verdict from"
                        + " what the client and the kernel saw), prints synscope's report of the"
                        + " capture and, per connection, the truth next to synscope's verdict.",
                "Needs ip, tc, nstat (iproute2) and tcpdump; the lossy modes also ethtool.");
        Main.exitCodes(spec,
                "0:every connection's verdict matches the truth",
                "1:internal error (a bug: please report it)",
                "2:bad command line",
                "8:I/O error while writing",
                "10:synscope's verdict differs from the truth for some connection",
                "11:not Linux",
                "12:not root",
                "13:a program the lab needs is missing (the message names its package)",
                "14:cannot create network namespaces",
                "15:a lab run failed (a command, a capture or a lab program)",
                "130:interrupted (Ctrl-C); the namespaces are removed");
        spec.addPositional(modeName);
    }

    @Override
    public Integer call() {
        return new LabRunner(spec.commandLine().getOut(), spec.commandLine().getErr(),
                maxLadders.getValue()).run(modeName.getValue(), list.getValue(), all.getValue(),
                dir.getValue(), variants.getValue(), retries.getValue());
    }
}
