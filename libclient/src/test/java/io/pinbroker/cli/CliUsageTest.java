package io.pinbroker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Every command explains itself, and bad arguments are usage errors (exit 2), not crashes. */
class CliUsageTest {
  record Outcome(int exit, String out, String err) {}

  static Outcome run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }

  /** Every command and subcommand by its words, e.g. "map create"; picocli's help has none. */
  static Stream<String> commands() {
    List<String> names = new ArrayList<>();
    collect(Main.commandLine(), names);
    return names.stream().filter(c -> !c.equals("help"));
  }

  private static void collect(CommandLine cmd, List<String> names) {
    for (CommandLine sub : cmd.getSubcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        names.add(sub.getCommandSpec().qualifiedName().substring("pinbroker ".length()));
        collect(sub, names);
      }
    }
  }

  static Stream<String> leafCommands() {
    return commands()
        .filter(c -> !c.equals("generate-completion"))
        .filter(c -> spec(c).subcommands().isEmpty());
  }

  static CommandSpec spec(String command) {
    CommandLine cmd = Main.commandLine();
    for (String word : command.split(" ")) {
      cmd = cmd.getSubcommands().get(word);
    }
    return cmd.getCommandSpec();
  }

  @ParameterizedTest
  @MethodSource("commands")
  void everyCommandHasHelpWithExamples(String command) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Outcome o = run(args.toArray(String[]::new));
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().startsWith("Usage: pinbroker " + command), o.out());
    assertTrue(o.out().contains("Example"), "examples in the help of " + command);
    // picocli-codegen puts a footer into the man page only under a footerHeading
    assertTrue(
        spec(command).usageMessage().footerHeading().contains("Example"),
        command + ": footerHeading = \"%nExamples:%n\", so that the man page has them too");
  }

  @ParameterizedTest
  @MethodSource("leafCommands")
  void everyCommandPrintsJsonOrSaysItPrintsNothing(String command) {
    CommandSpec spec = spec(command);
    String description = String.join(" ", spec.usageMessage().description());
    assertTrue(
        spec.findOption("--json") != null || description.contains("Prints nothing"),
        command + " prints something without --json, or its help does not say it prints nothing");
  }

  @ParameterizedTest
  @MethodSource("badArguments")
  void badArgumentsAreUsageErrors(List<String> args) {
    Outcome o = run(args.toArray(String[]::new));
    assertEquals(Main.USAGE, o.exit(), o.err());
    assertTrue(o.err().length() > 0, "says what is wrong");
  }

  static Stream<List<String>> badArguments() {
    return Stream.of(
        List.of("pin", "/x"),
        List.of("pin", "--memfd", "4K", "--fd", "3", "/x"),
        List.of("pin", "--memfd", "lots", "/x"),
        List.of("pin", "--mode", "0999", "--memfd", "1", "/x"),
        List.of("pin", "--fd", "987", "/x"),
        List.of("exec", "--fd", "nolabel", "--", "true"),
        List.of("exec", "--fd", "a:b=/x", "--", "true"),
        List.of("mv", "--exchange", "--no-replace", "/a", "/b"),
        List.of("chmod", "rw", "/a"),
        List.of("chown", ":", "/a"),
        List.of("chown", "no-such-user-here", "/a"),
        List.of("--timeout", "0", "ls"),
        List.of("watch"),
        List.of("frobnicate"));
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void sizesTakeBinarySuffixes(String text, long bytes) {
    assertEquals(bytes, Sizes.parse(text));
  }

  static Stream<Arguments> sizes() {
    return Stream.of(
        Arguments.of("4096", 4096L),
        Arguments.of("4K", 4096L),
        Arguments.of("1M", 1L << 20),
        Arguments.of("2G", 2L << 30),
        Arguments.of("3KiB", 3072L));
  }
}
