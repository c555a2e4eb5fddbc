package io.pinbroker.cli;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.sim.SimProg;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "prog",
    description = "Programs.",
    subcommands = {ProgCommand.Create.class},
    footerHeading = "%nExample:%n",
    footer = {"  pinbroker prog create --sim /progs/v1"})
final class ProgCommand {
  @ParentCommand Main main;

  @Command(
      name = "create",
      description = {
        "Load the minimal program 'r0 = 0; exit' and pin it at NAME.",
        "A real one (this process needs CAP_BPF) or, with --sim, a sealed sim-prog memfd. For"
            + " demos, tests and prog arrays.",
        "Prints nothing on success."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  pinbroker prog create /progs/v1",
        "  pinbroker prog create --sim --replace /progs/v1"
      })
  static final class Create implements Callable<Integer> {
    @ParentCommand ProgCommand prog;

    @Option(names = "--sim", description = "A sim program instead of a real one.")
    boolean sim;

    @Option(
        names = "--type",
        paramLabel = "TYPE",
        defaultValue = "socket_filter",
        description = "Program type (default: ${DEFAULT-VALUE}).")
    String type;

    @Mixin EntryOptions entry;

    @Option(names = "--replace", description = "Replace NAME atomically if it exists.")
    boolean replace;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      int number = Bpf.progTypeNumber(type);
      if (number < 0) {
        throw new UsageException("unknown program type '" + type + "'");
      }
      String progName = name.substring(name.lastIndexOf('/') + 1);
      long[] insns = {Bpf.INSN_MOV64_R0_0, Bpf.INSN_EXIT};
      PinOptions options = entry.options(0600);
      if (replace) {
        options = options.replacing();
      }
      try (Fd fd = sim ? SimProg.create(number, insns, progName) : Bpf.loadProgram(number, insns, "GPL", progName);
          PinbrokerClient client = prog.main.connect()) {
        client.pin(name, fd.value(), options);
      }
      return 0;
    }
  }
}
