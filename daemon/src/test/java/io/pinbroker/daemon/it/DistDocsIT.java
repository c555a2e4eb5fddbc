package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The distribution carries a man page (man/man1/*.1, troff from picocli-codegen and Asciidoctor)
 * for pinbrokerd and for every command and subcommand of pinbroker, and the bash completion
 * script. The pages are read as text, so that {@code man} need not be installed.
 */
class DistDocsIT {
  private static final Path DIST = Path.of(System.getProperty("pinbroker.dist", "target/pinbroker"));

  /** Every command of both programs, as picocli sees their definitions. */
  static Stream<CommandSpec> commands() {
    List<CommandSpec> specs = new ArrayList<>();
    collect(new CommandLine(new io.pinbroker.cli.Main()).getCommandSpec(), specs);
    collect(new CommandLine(new io.pinbroker.daemon.Main()).getCommandSpec(), specs);
    return specs.stream();
  }

  private static void collect(CommandSpec spec, List<CommandSpec> specs) {
    if (spec.usageMessage().hidden()) {
      return;
    }
    specs.add(spec);
    for (CommandLine sub : spec.subcommands().values()) {
      collect(sub.getCommandSpec(), specs);
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void everyCommandHasAManPageWithItsDescription(CommandSpec spec) throws IOException {
    String name = spec.qualifiedName("-");
    Path page = DIST.resolve("man/man1/" + name + ".1");
    assertTrue(Files.isRegularFile(page), "no man page " + page);
    List<String> lines = Files.readAllLines(page);
    String title = lines.stream().filter(l -> l.startsWith(".TH ")).findFirst().orElseThrow();
    assertTrue(title.startsWith(".TH \"" + name.toUpperCase().replace("-", "\\-") + "\" \"1\" "), title);
    int at = lines.indexOf(".SH \"NAME\"");
    assertTrue(at > 0, "no NAME section in " + page);
    // picocli-codegen names a command by its header if it has one (help does), else its description
    String[] summary = spec.usageMessage().header();
    if (summary.length == 0) {
      summary = spec.usageMessage().description();
    }
    assertEquals(name + " - " + summary[0], plain(lines.get(at + 1)));
    for (String section : List.of("SYNOPSIS", "DESCRIPTION", "OPTIONS")) {
      assertTrue(lines.contains(".SH \"" + section + "\""), section + " in " + page);
    }
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\.SH \"EXAMPLES?:\"")), "examples in " + page);
  }

  /** A line of troff as text: the escapes Asciidoctor writes for plain text undone. */
  private static String plain(String troff) {
    return troff.replace("\\-", "-").replace("\\*(Aq", "'").replace("\\(aq", "'").replace("\\&", "");
  }

  @Test
  void theShippedCompletionScriptIsWhatTheCliGenerates() throws Exception {
    Path script = DIST.resolve("completion/pinbroker.bash");
    assertTrue(Files.isRegularFile(script), "no " + script);
    Path home = Files.createTempDirectory("pinbroker-docs");
    try {
      Proc.Result generated =
          Proc.run(List.of(DIST.resolve("bin/pinbroker").toString(), "generate-completion"), Map.of(), home);
      assertEquals(0, generated.exit(), generated::toString);
      assertEquals(generated.out().strip(), Files.readString(script).strip());
    } finally {
      TempTree.delete(home);
    }
    String text = Files.readString(script);
    commands()
        .filter(s -> s.root().name().equals("pinbroker"))
        .map(s -> "function _picocli_" + s.qualifiedName("_").replace("-", "") + "() {")
        .forEach(f -> assertTrue(text.contains(f), f + " in " + script));
  }
}
