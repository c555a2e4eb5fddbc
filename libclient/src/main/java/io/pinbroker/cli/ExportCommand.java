package io.pinbroker.cli;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.unix.Bpf;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "export",
    description = {
      "Pin a held BPF object into bpffs (BPF_OBJ_PIN) for tools that only know bpffs.",
      "Needs read-write access to NAME and write access to the bpffs directory.",
      "Prints nothing on success."
    },
    footerHeading = "%nExample:%n",
    footer = {"  pinbroker export /net/stats /sys/fs/bpf/stats"})
final class ExportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", paramLabel = "BPFFS_PATH")
  String bpffsPath;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = main.connect(); ReceivedFd got = client.get(name, Access.READ_WRITE)) {
      Bpf.pin(got.fd().value(), bpffsPath);
    }
    return 0;
  }
}
