package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "chmod",
    description = {
      "Change the mode of a node (owner or root). MODE is octal, at most 1777.",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  pinbroker chmod 0640 /net/stats", "  pinbroker chmod 1777 /shared"})
final class ChmodCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "MODE", converter = OctalMode.class)
  int mode;

  @Parameters(index = "1", paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = main.connect()) {
      client.chmod(path, mode);
    }
    return 0;
  }
}
