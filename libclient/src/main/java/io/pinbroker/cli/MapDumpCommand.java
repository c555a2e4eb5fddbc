package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.maps.MapHandle;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "dump",
    description = "Print every element as KEY: VALUE (hex bytes).",
    footerHeading = "%nExamples:%n",
    footer = {"  pinbroker map dump /net/counters", "  pinbroker map dump --json /net/flows"})
final class MapDumpCommand extends MapElementCommand {
  @Option(names = "--json", description = "A JSON array of key/value objects.")
  boolean json;

  @Override
  boolean writes() {
    return false;
  }

  @Override
  int act(PinbrokerClient client, MapHandle handle) throws IOException {
    List<Map<String, Object>> elements = new ArrayList<>();
    handle.forEach(
        (k, v) -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("key", Hex.format(k));
          e.put("value", Hex.format(v));
          elements.add(e);
        });
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(elements));
    } else {
      for (Map<String, Object> e : elements) {
        out.println(e.get("key") + ": " + e.get("value"));
      }
    }
    out.flush();
    return 0;
  }
}
