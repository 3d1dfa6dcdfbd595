import io.synscope.cli.Main;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Build-time generator, run by the package phase (see pom.xml, exec-maven-plugin) with Java's
 * single-file source launcher on the shaded jar and picocli-codegen; it is never compiled into
 * the jar. From the command model that runs, {@link Main#commandLine()}, it writes
 *
 * <ul>
 *   <li>{@code OUT/adoc/synscope.adoc} and one {@code synscope-COMMAND.adoc} per subcommand:
 *       picocli-codegen's man pages in AsciiDoc, which asciidoctor's manpage backend then turns
 *       into troff;</li>
 *   <li>{@code OUT/completion/synscope}: picocli's bash completion script (zsh reads it too,
 *       through bashcompinit).</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp synscope.jar:picocli-codegen.jar GenerateDocs.java OUT}
 */
public final class GenerateDocs {
    private GenerateDocs() {
    }

    /** CL and all its subcommands, depth first. */
    private static List<CommandLine> all(CommandLine cl) {
        List<CommandLine> list = new ArrayList<>();
        list.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            list.addAll(all(sub));
        }
        return list;
    }

    /** A SEE ALSO section, unless the command has a footer of its own. */
    private static void seeAlso(CommandLine cl, String pages) {
        CommandLine.Model.UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
        if (usage.footer().length == 0 && !pages.isEmpty()) {
            usage.footerHeading("See also").footer(pages);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GenerateDocs OUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        CommandLine cl = Main.commandLine();

        // Man page conventions, for the pages only (the --help text keeps its own headings):
        // the exit codes under EXIT STATUS, and a SEE ALSO naming each subcommand's page.
        for (CommandLine c : all(cl)) {
            CommandSpec spec = c.getCommandSpec();
            if (!spec.usageMessage().exitCodeList().isEmpty()) {
                spec.usageMessage().exitCodeListHeading("Exit status");
            }
        }
        List<String> seeAlso = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                seeAlso.add(cl.getCommandName() + "-" + sub.getCommandName() + "(1)");
            }
        }
        seeAlso(cl, String.join(", ", seeAlso));
        for (CommandLine sub : cl.getSubcommands().values()) {
            seeAlso(sub, cl.getCommandName() + "(1)");
        }

        Path adoc = Files.createDirectories(out.resolve("adoc"));
        // One page for synscope and, recursively, one per subcommand (synscope-analyze, ...);
        // synscope.adoc lists the subcommands with their descriptions. No templates, overwrite.
        int code = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true,
                cl.getCommandSpec());
        if (code != 0) {
            throw new IOException("picocli ManPageGenerator exited with " + code);
        }

        Path completion = Files.createDirectories(out.resolve("completion"));
        String script = AutoComplete.bash(cl.getCommandName(), cl);
        Files.writeString(completion.resolve(cl.getCommandName()), script, StandardCharsets.UTF_8);

    }
}
