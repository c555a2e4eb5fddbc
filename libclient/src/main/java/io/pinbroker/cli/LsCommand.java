package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.NodeInfo;
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
    name = "ls",
    description = "List a directory (needs r and x on it), or show one entry.",
    footer = {"", "Examples:", "  pinbroker ls /", "  pinbroker ls -l /net", "  pinbroker ls --json /net"})
final class LsCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "-l", description = "Long format: mode, owner, group, kind, size, generation, time.")
  boolean longFormat;

  @Option(names = "--json", description = "One JSON array of nodes.")
  boolean json;

  @Parameters(paramLabel = "PATH", defaultValue = "/", description = "Default: /.")
  String path;

  @Override
  public Integer call() throws Exception {
    List<DirEntry> entries;
    try (PinbrokerClient client = main.connect()) {
      NodeInfo target = client.stat(path);
      if (target.isDirectory()) {
        entries = client.list(path);
      } else {
        entries = List.of(new DirEntry(path.substring(path.lastIndexOf('/') + 1), target));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    Names names = Names.load();
    if (json) {
      List<Map<String, Object>> nodes = new ArrayList<>();
      for (DirEntry e : entries) {
        Map<String, Object> m = NodeFormat.json(child(e.name()), e.info(), names);
        m.put("name", e.name());
        nodes.add(m);
      }
      out.println(Json.write(nodes));
    } else if (longFormat) {
      for (DirEntry e : entries) {
        out.println(longLine(e, names));
      }
    } else {
      for (DirEntry e : entries) {
        out.println(e.name());
      }
    }
    out.flush();
    return 0;
  }

  private String child(String name) {
    return path.endsWith("/") ? path + name : path + "/" + name;
  }

  static String longLine(DirEntry e, Names names) {
    NodeInfo n = e.info();
    String size = n.isDirectory() ? Integer.toString(n.children()) : Long.toString(n.size());
    String details = NodeFormat.details(n);
    return String.format(
        "%s %-8s %-8s %-12s %8s gen %-4d %s %s%s",
        NodeFormat.modeString(n),
        names.user(n.uid()),
        names.group(n.gid()),
        NodeFormat.kind(n),
        size,
        n.generation(),
        NodeFormat.lsTime(n.mtimeNanos()),
        e.name(),
        details.isEmpty() ? "" : "  [" + details + "]");
  }
}
