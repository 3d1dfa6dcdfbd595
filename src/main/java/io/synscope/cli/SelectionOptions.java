package io.synscope.cli;

import io.synscope.capture.Printable;
import io.synscope.diagnose.Verdict;
import io.synscope.report.Selection;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.util.Set;

/**
 * {@code analyze}'s selection options (docs/usage.md#selecting-connections): which connections
 * the report lists. Kept as text by picocli and parsed by {@link Selection}, so that a bad value
 * is one clear line naming the option and what it takes.
 */
final class SelectionOptions {
    private final OptionSpec server;
    private final OptionSpec client;
    private final OptionSpec port;
    private final OptionSpec verdict;
    private final OptionSpec outcome;
    private final OptionSpec since;
    private final OptionSpec until;

    SelectionOptions(CommandSpec spec) {
        server = text(spec, "--server", "HOST[:PORT]", "list only connections to this server"
                + " (an IP address; IPv6 with a port as [fd00::1]:443)");
        client = text(spec, "--client", "HOST[:PORT]", "list only connections from this client");
        port = text(spec, "--port", "N", "list only connections with port N on either side");
        verdict = text(spec, "--verdict", "LIST", "list only these verdicts (comma-separated:"
                + " refused,syn-dropped,…)");
        outcome = text(spec, "--outcome", "LIST", "list only these outcomes (comma-separated:"
                + " failed,recovered,ok,incomplete)");
        since = text(spec, "--since", "TIME", "list only connections seen at or after TIME: ISO"
                + " (2026-11-21T06:52:37Z; UTC without an offset) or +30s, +2m, +500ms after"
                + " the capture's first packet");
        until = text(spec, "--until", "TIME", "list only connections seen at or before TIME"
                + " (as --since)");
    }

    private static OptionSpec text(CommandSpec spec, String name, String label, String help) {
        return Main.add(spec, OptionSpec.builder(name).type(String.class).paramLabel(label)
                .description(help));
    }

    /**
     * The selection, or null after printing what is wrong with an option's value (a usage
     * error).
     */
    Selection parse(PrintWriter err) {
        try {
            String portText = port.getValue();
            String verdicts = verdict.getValue();
            String outcomes = outcome.getValue();
            Set<Verdict> v = verdicts == null ? null
                    : Selection.parseVerdicts("--verdict", verdicts);
            return new Selection(address(server), address(client),
                    portText == null ? -1 : Selection.parsePort("--port", portText), v,
                    outcomes == null ? null : Selection.parseOutcomes("--outcome", outcomes),
                    time(since), time(until), given());
        } catch (IllegalArgumentException e) {
            err.println("synscope: " + Printable.escape(e.getMessage()));
            return null;
        }
    }

    private static Selection.Address address(OptionSpec o) {
        String text = o.getValue();
        return text == null ? null : Selection.parseAddress(o.longestName(), text);
    }

    private static Selection.Time time(OptionSpec o) {
        String text = o.getValue();
        return text == null ? null : Selection.parseTime(o.longestName(), text);
    }

    /** The options given, as typed: what the text report says it selected by. */
    private String given() {
        StringBuilder b = new StringBuilder();
        for (OptionSpec o : new OptionSpec[] {server, client, port, verdict, outcome, since,
                until}) {
            String value = o.getValue();
            if (value != null) {
                b.append(b.isEmpty() ? "" : " ").append(o.longestName()).append(' ').append(value);
            }
        }
        return b.toString();
    }
}
