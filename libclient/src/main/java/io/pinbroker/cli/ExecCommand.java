package io.pinbroker.cli;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Exec;
import io.pinbroker.unix.Fd;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "exec",
    description = {
      "Run PROG in place of this process, with pinned fds at 3, 4, ...",
      "PROG keeps this PID and finds the fds the systemd way: LISTEN_FDS, LISTEN_FDNAMES (the"
          + " labels, ':'-separated) and LISTEN_PID.",
      "Prints nothing of its own: all output is PROG's. Exit status: PROG's, or 127 if it cannot"
          + " be executed."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker exec --fd s=/net/stats -- sh -c 'cat <&3'",
      "  pinbroker exec --fd s=/net/stats -- sh -c 'printf hello >&3'",
      "  pinbroker exec --ro --fd a=/x --fd b=/y -- my-daemon --flag"
    })
final class ExecCommand implements Callable<Integer> {
  /** Exit status when PROG cannot be executed, as shells use. */
  static final int EXEC_FAILED = 127;

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--ro", description = "Get every fd read-only.")
  boolean readOnly;

  @Option(
      names = "--fd",
      paramLabel = "LABEL=NAME",
      required = true,
      description = "Get NAME and pass it under LABEL (no ':', at most 255 characters).")
  List<String> fds;

  @Parameters(paramLabel = "PROG", arity = "1..*", description = "The program and its arguments.")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    List<String> labels = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String spec : fds) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new UsageException("--fd wants LABEL=NAME, got '" + spec + "'");
      }
      String label = spec.substring(0, eq);
      if (label.length() > 255 || !label.matches("[\\x21-\\x7e&&[^:]]+")) {
        throw new UsageException("label '" + label + "' must be printable ASCII without ':'");
      }
      labels.add(label);
      names.add(spec.substring(eq + 1));
    }
    List<Fd> received = new ArrayList<>();
    try {
      try (PinbrokerClient client = main.connect()) {
        for (String name : names) {
          received.add(client.get(name, readOnly ? Access.READ_ONLY : Access.READ_WRITE).fd());
        }
      }
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("LISTEN_FDS", Integer.toString(received.size()));
      env.put("LISTEN_FDNAMES", String.join(":", labels));
      env.put("LISTEN_PID", Long.toString(ProcessHandle.current().pid()));
      spec.commandLine().getOut().flush();
      ErrnoException failed = Exec.replaceProcess(command, env, received);
      spec.commandLine().getErr().println("pinbroker: " + failed.getMessage());
      return EXEC_FAILED;
    } finally {
      received.forEach(Fd::close);
    }
  }
}
