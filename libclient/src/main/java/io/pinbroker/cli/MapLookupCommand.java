package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.maps.MapHandle;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "lookup",
    description = "Print the value of KEY (hex bytes); exit 1 if it is absent.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker map lookup /net/counters 01000000",
      "  pinbroker map lookup --json /net/counters 01000000"
    })
final class MapLookupCommand extends MapElementCommand {
  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Option(
      names = "--json",
      description = "One JSON object: key and value in hex, as map dump --json shows them.")
  boolean json;

  @Override
  boolean writes() {
    return false;
  }

  @Override
  int act(PinbrokerClient client, MapHandle handle) throws IOException, UsageException {
    byte[] k = Hex.parse(key, handle.keySize(), "KEY");
    byte[] value = handle.lookup(k);
    if (value == null) {
      spec.commandLine().getErr().println("pinbroker: " + path + ": no element " + key);
      return Main.REFUSED;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> element = new LinkedHashMap<>();
      element.put("key", Hex.format(k));
      element.put("value", Hex.format(value));
      out.println(Json.write(element));
    } else {
      out.println(Hex.format(value));
    }
    out.flush();
    return 0;
  }
}
