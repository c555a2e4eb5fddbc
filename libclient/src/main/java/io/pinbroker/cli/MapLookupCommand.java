package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.maps.MapHandle;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "lookup",
    description = "Print the value of KEY (hex bytes); exit 1 if it is absent.",
    footer = {"", "Example:", "  pinbroker map lookup /net/counters 01000000"})
final class MapLookupCommand extends MapElementCommand {
  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Override
  boolean writes() {
    return false;
  }

  @Override
  int act(PinbrokerClient client, MapHandle handle) throws IOException, UsageException {
    byte[] value = handle.lookup(Hex.parse(key, handle.keySize(), "KEY"));
    if (value == null) {
      spec.commandLine().getErr().println("pinbroker: " + path + ": no element " + key);
      return Main.REFUSED;
    }
    spec.commandLine().getOut().println(Hex.format(value));
    return 0;
  }
}
