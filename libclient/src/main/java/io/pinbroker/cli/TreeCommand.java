package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.PinbrokerException;
import io.pinbroker.protocol.DirEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "tree",
    description = "Show the tree below PATH with each entry's kind; unreadable directories say why.",
    footer = {"", "Examples:", "  pinbroker tree", "  pinbroker tree /net"})
final class TreeCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PATH", defaultValue = "/", description = "Default: /.")
  String path;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (PinbrokerClient client = main.connect()) {
      client.stat(path); // a missing or hidden PATH is an error, not an empty tree
      out.println(path);
      print(client, path, "", out);
    }
    out.flush();
    return 0;
  }

  private static void print(PinbrokerClient client, String dir, String indent, PrintWriter out)
      throws IOException {
    List<DirEntry> children;
    try {
      children = client.list(dir);
    } catch (PinbrokerException e) {
      out.println(indent + "└── [" + e.status().message() + "]");
      return;
    }
    for (int i = 0; i < children.size(); i++) {
      DirEntry e = children.get(i);
      boolean last = i == children.size() - 1;
      String kind = e.info().isDirectory() ? "" : "  [" + NodeFormat.kind(e.info()) + "]";
      out.println(indent + (last ? "└── " : "├── ") + e.name() + kind);
      if (e.info().isDirectory()) {
        String child = dir.endsWith("/") ? dir + e.name() : dir + "/" + e.name();
        print(client, child, indent + (last ? "    " : "│   "), out);
      }
    }
  }
}
