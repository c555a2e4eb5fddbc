package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "rm",
    description = {
      "Remove an entry; its fd is closed once nobody else holds it. Needs w and x on the parent (and ownership in a sticky directory).",
      "Prints nothing on success."
    },
    footerHeading = "%nExample:%n",
    footer = {"  pinbroker rm /net/old"})
final class RmCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-f", "--force"}, description = "Remove a program even while a prog array holds it.")
  boolean force;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = main.connect()) {
      if (force) {
        client.forceUnlink(path);
      } else {
        client.unlink(path);
      }
    }
    return 0;
  }
}
