package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.PinbrokerException;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.NodeInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "tree",
    description = "Show the tree below PATH with each entry's kind; unreadable directories say why.",
    footerHeading = "%nExamples:%n",
    footer = {"  pinbroker tree", "  pinbroker tree /net", "  pinbroker tree --json /net"})
final class TreeCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = "--json",
      description =
          "One JSON object: PATH as stat --json shows it, and in each directory 'entries', its"
              + " children the same way with their 'name' (or 'error' if it cannot be listed).")
  boolean json;

  @Parameters(paramLabel = "PATH", defaultValue = "/", description = "Default: /.")
  String path;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (PinbrokerClient client = main.connect()) {
      NodeInfo root = client.stat(path); // a missing or hidden PATH is an error, not an empty tree
      if (json) {
        out.println(Json.write(json(client, path, root, Names.load())));
      } else {
        out.println(path);
        print(client, path, "", out);
      }
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
        print(client, child(dir, e.name()), indent + (last ? "    " : "│   "), out);
      }
    }
  }

  /** The node at {@code path} as JSON, with its entries below it if it is a directory. */
  private static Map<String, Object> json(
      PinbrokerClient client, String path, NodeInfo info, Names names) throws IOException {
    Map<String, Object> node = NodeFormat.json(path, info, names);
    if (!info.isDirectory()) {
      return node;
    }
    List<DirEntry> children;
    try {
      children = client.list(path);
    } catch (PinbrokerException e) {
      node.put("error", e.status().message());
      return node;
    }
    List<Map<String, Object>> entries = new ArrayList<>();
    for (DirEntry e : children) {
      Map<String, Object> child = json(client, child(path, e.name()), e.info(), names);
      child.put("name", e.name());
      entries.add(child);
    }
    node.put("entries", entries);
    return node;
  }

  private static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
