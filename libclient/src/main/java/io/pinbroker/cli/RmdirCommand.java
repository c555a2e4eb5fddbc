package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "rmdir",
    description = {
      "Remove an empty directory. Needs w and x on the parent (and ownership in a sticky directory).",
      "Prints nothing on success."
    },
    footerHeading = "%nExample:%n",
    footer = {"  pinbroker rmdir /net/old"})
final class RmdirCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = main.connect()) {
      client.rmdir(path);
    }
    return 0;
  }
}
