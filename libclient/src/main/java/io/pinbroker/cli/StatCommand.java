package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.ObjectDetails;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "stat",
    description = "Show a node's owner, mode, generation, times and object identity.",
    footerHeading = "%nExamples:%n",
    footer = {"  pinbroker stat /net/stats", "  pinbroker stat --json /net"})
final class StatCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "One JSON object.")
  boolean json;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    NodeInfo n;
    try (PinbrokerClient client = main.connect()) {
      n = client.stat(path);
    }
    Names names = Names.load();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(NodeFormat.json(path, n, names)));
    } else {
      out.println("  Path: " + path);
      out.println("  Kind: " + NodeFormat.kind(n));
      out.printf(
          "  Mode: %s (%s)  Owner: %d (%s)  Group: %d (%s)%n",
          NodeFormat.octal(n.mode()),
          NodeFormat.modeString(n),
          Integer.toUnsignedLong(n.uid()),
          names.user(n.uid()),
          Integer.toUnsignedLong(n.gid()),
          names.group(n.gid()));
      out.println("  Generation: " + n.generation());
      if (n.isDirectory()) {
        out.println("  Children: " + n.children());
      } else {
        out.println("  Object: dev:ino " + NodeFormat.identity(n) + "  size " + n.size());
      }
      String details = NodeFormat.details(n);
      if (!details.isEmpty()) {
        out.println("  " + n.kind().label() + ": " + details);
      }
      if (n.details() instanceof ObjectDetails.MapDetails m && !m.members().isEmpty()) {
        out.println("  Members:");
        for (ObjectDetails.ProgArraySlot s : m.members()) {
          String holder = s.holder().isEmpty() ? "(not held by the broker)" : s.holder();
          out.printf("    slot %d: prog %d %s%n", s.slot(), s.progId(), holder);
        }
      }
      out.println("  Modify: " + NodeFormat.isoTime(n.mtimeNanos()));
      out.println("  Change: " + NodeFormat.isoTime(n.ctimeNanos()));
    }
    out.flush();
    return 0;
  }
}
