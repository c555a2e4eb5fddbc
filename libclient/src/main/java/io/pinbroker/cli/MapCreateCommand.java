package io.pinbroker.cli;

import io.pinbroker.client.MapSpec;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.unix.Bpf;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "create",
    description = {
      "Have the broker create a map at PATH.",
      "A real BPF map (no CAP_BPF needed by you), or with --sim a memfd-backed sim map. The"
          + " broker's policy and your uid's quota apply.",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker map create --type array --key-size 4 --value-size 8 --max-entries 16 /net/counters",
      "  pinbroker map create --sim --type prog_array --key-size 4 --value-size 4 --max-entries 8 /jmp"
    })
final class MapCreateCommand implements Callable<Integer> {
  @ParentCommand MapCommand map;

  @Option(names = "--sim", description = "A sim map (hash, array or prog_array) instead of a real one.")
  boolean sim;

  @Option(names = "--type", required = true, paramLabel = "TYPE", description = "hash, array, prog_array, ...")
  String type;

  @Option(names = "--key-size", required = true, paramLabel = "K")
  int keySize;

  @Option(names = "--value-size", required = true, paramLabel = "V")
  int valueSize;

  @Option(names = "--max-entries", required = true, paramLabel = "N")
  int maxEntries;

  @Option(names = "--flags", paramLabel = "F", defaultValue = "0", description = "Map flags (default: 0).")
  int flags;

  @Option(names = "--name", paramLabel = "NAME", description = "The map's name (default: the last path component).")
  String name;

  @Mixin EntryOptions entry;


  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    int number = Bpf.mapTypeNumber(type);
    if (number < 0) {
      throw new UsageException("unknown map type '" + type + "'");
    }
    String mapName = name != null ? name : path.substring(path.lastIndexOf('/') + 1);
    PinOptions options = entry.options(0600);
    try (PinbrokerClient client = map.main.connect()) {
      client.createMap(
          path, new MapSpec(sim, number, keySize, valueSize, maxEntries, flags, mapName), options);
    }
    return 0;
  }
}
