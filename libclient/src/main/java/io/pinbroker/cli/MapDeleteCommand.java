package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.maps.MapHandle;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "delete",
    description = {
      "Delete KEY (hex bytes); exit 1 if it is absent.",
      "Prints nothing on success."
    },
    footerHeading = "%nExample:%n",
    footer = {"  pinbroker map delete /net/flows 0a000001"})
final class MapDeleteCommand extends MapElementCommand {
  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Override
  boolean writes() {
    return true;
  }

  @Override
  int act(PinbrokerClient client, MapHandle handle) throws IOException, UsageException {
    if (!handle.delete(Hex.parse(key, handle.keySize(), "KEY"))) {
      spec.commandLine().getErr().println("pinbroker: " + path + ": no element " + key);
      return Main.REFUSED;
    }
    return 0;
  }
}
