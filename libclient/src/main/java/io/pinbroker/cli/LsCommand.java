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
    footerHeading = "%nExamples:%n",
    footer = {"  pinbroker ls /", "  pinbroker ls -l /net", "  pinbroker ls --json /net"})
final class LsCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(
      names = {"-l", "--long"},
      description = "Long format: mode, owner, group, kind, size or BPF details, generation, time.")
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
      longLines(entries, names).forEach(out::println);
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

  /**
   * One line per entry, as ls -l has them: mode, owner, group, kind, size (children for a
   * directory), generation, time, name and BPF details. Columns are as wide as their widest
   * value, and at least as wide as usual values need, so that short listings line up alike.
   */
  static List<String> longLines(List<DirEntry> entries, Names names) {
    List<String[]> rows = new ArrayList<>();
    int[] widths = {0, 8, 8, 12, 8, 4};
    for (DirEntry e : entries) {
      NodeInfo n = e.info();
      String details = NodeFormat.details(n);
      String[] row = {
        NodeFormat.modeString(n),
        names.user(n.uid()),
        names.group(n.gid()),
        NodeFormat.kind(n),
        n.isDirectory() ? Integer.toString(n.children()) : Long.toString(n.size()),
        Long.toString(n.generation()),
        NodeFormat.lsTime(n.mtimeNanos()) + " " + e.name()
            + (details.isEmpty() ? "" : "  [" + details + "]")
      };
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
      rows.add(row);
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : rows) {
      lines.add(
          String.format(
              "%s %-" + widths[1] + "s %-" + widths[2] + "s %-" + widths[3] + "s %" + widths[4]
                  + "s gen %-" + widths[5] + "s %s",
              (Object[]) r));
    }
    return lines;
  }
}
