package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.RenameMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "mv",
    description = {
      "Rename atomically. By default an existing DST is replaced, as rename(2) does.",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker mv /net/new /net/stats",
      "  pinbroker mv --exchange /prog/a /prog/b",
      "  pinbroker mv --no-replace /tmp/x /net/x"
    })
final class MvCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @ArgGroup(exclusive = true)
  Mode mode;

  static final class Mode {
    @Option(names = "--exchange", description = "Swap SRC and DST; both must exist.")
    boolean exchange;

    @Option(names = "--no-replace", description = "Fail with 'File exists' if DST exists.")
    boolean noReplace;
  }

  @Parameters(index = "0", paramLabel = "SRC")
  String from;

  @Parameters(index = "1", paramLabel = "DST")
  String to;

  @Override
  public Integer call() throws Exception {
    RenameMode m = RenameMode.REPLACE;
    if (mode != null && mode.exchange) {
      m = RenameMode.EXCHANGE;
    } else if (mode != null && mode.noReplace) {
      m = RenameMode.NOREPLACE;
    }
    try (PinbrokerClient client = main.connect()) {
      client.rename(from, to, m);
    }
    return 0;
  }
}
