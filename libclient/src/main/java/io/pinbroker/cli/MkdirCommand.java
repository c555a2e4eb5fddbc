package io.pinbroker.cli;

import io.pinbroker.client.EntryExistsException;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.PathName;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "mkdir",
    description = {
      "Create a directory (needs w and x on the parent).",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  pinbroker mkdir -m 0755 /net", "  pinbroker mkdir -p /a/b/c"})
final class MkdirCommand implements Callable<Integer> {
  private static final int DEFAULT_MODE = 0777;

  @ParentCommand Main main;

  @Option(
      names = {"-p", "--parents"},
      description = "Create missing parents; an existing directory is fine.")
  boolean parents;

  @Option(
      names = {"-m", "--mode"},
      paramLabel = "MODE",
      converter = OctalMode.class,
      description = "Mode, masked by the broker's umask (default: 0777).")
  Integer mode;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    int finalMode = mode == null ? DEFAULT_MODE : mode;
    try (PinbrokerClient client = main.connect()) {
      if (!parents) {
        client.mkdir(path, finalMode);
        return 0;
      }
      PathName target = PathName.parse(path);
      StringBuilder prefix = new StringBuilder();
      for (String part : target.components()) {
        prefix.append('/').append(part);
        boolean last = prefix.length() == target.toString().length();
        try {
          client.mkdir(prefix.toString(), last ? finalMode : DEFAULT_MODE);
        } catch (EntryExistsException e) {
          if (!client.stat(prefix.toString()).isDirectory()) {
            throw e;
          }
        }
      }
    }
    return 0;
  }
}
