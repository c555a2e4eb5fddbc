package io.pinbroker.cli;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.maps.MapHandle;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.unix.Bpf;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "update",
    description = {
      "Set KEY to VALUE (hex bytes).",
      "For a prog array, VALUE may be @NAME: the program the broker holds under NAME.",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker map update /net/counters 01000000 2a00000000000000",
      "  pinbroker map update /jmp 00000000 @/progs/v2"
    })
final class MapUpdateCommand extends MapElementCommand {
  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Parameters(index = "2", paramLabel = "VALUE")
  String value;

  @Option(names = "--if-absent", description = "Only add a new key (BPF_NOEXIST).")
  boolean ifAbsent;

  @Option(names = "--if-present", description = "Only change an existing key (BPF_EXIST).")
  boolean ifPresent;

  @Override
  boolean writes() {
    return true;
  }

  @Override
  int act(PinbrokerClient client, MapHandle handle) throws IOException, UsageException {
    if (ifAbsent && ifPresent) {
      throw new UsageException("--if-absent and --if-present exclude each other");
    }
    int flags = ifAbsent ? (int) Bpf.NOEXIST : ifPresent ? (int) Bpf.EXIST : (int) Bpf.ANY;
    byte[] k = Hex.parse(key, handle.keySize(), "KEY");
    if (!value.startsWith("@")) {
      handle.update(k, Hex.parse(value, handle.valueSize(), "VALUE"), flags);
      return 0;
    }
    // a program by broker name: real prog arrays take its fd, sim ones its id
    try (ReceivedFd prog = client.get(value.substring(1), Access.READ_ONLY)) {
      if (!(prog.info().details() instanceof ObjectDetails.ProgDetails p)) {
        throw new UsageException(value.substring(1) + " is not a program");
      }
      int v = prog.info().kind() == ObjectKind.BPF_PROG ? prog.fd().value() : p.id();
      handle.update(k, Bpf.u32(v), flags);
    }
    return 0;
  }
}
