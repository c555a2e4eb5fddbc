package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "import",
    description = "Adopt an object pinned in bpffs (BPF_OBJ_GET) under NAME in the broker.",
    footer = {"", "Example:", "  pinbroker import /sys/fs/bpf/tc/globals/stats /net/stats"})
final class ImportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin EntryOptions entry;

  @Parameters(index = "0", paramLabel = "BPFFS_PATH")
  String bpffsPath;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Override
  public Integer call() throws Exception {
    try (Fd fd = Bpf.get(bpffsPath, 0); PinbrokerClient client = main.connect()) {
      client.pin(name, fd.value(), entry.options(0600));
    }
    return 0;
  }
}
