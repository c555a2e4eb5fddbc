package io.pinbroker.cli;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "get",
    description = "Open NAME and show what arrived: kind, dev:ino, access mode and fdinfo.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker get /net/stats",
      "  pinbroker get --ro /net/stats",
      "  pinbroker get --json /net/stats"
    })
final class GetCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--ro", description = "Ask for read-only access (needs only r).")
  boolean readOnly;

  @Option(
      names = "--json",
      description =
          "One JSON object: the node, as stat --json shows it, plus handout, and fd: the"
              + " identity, access and fdinfo of what arrived.")
  boolean json;

  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = main.connect();
        ReceivedFd got = client.get(name, readOnly ? Access.READ_ONLY : Access.READ_WRITE)) {
      int fd = got.fd().value();
      FileStat st = FileOps.stat(fd);
      String access = accessName(FileOps.statusFlags(fd));
      String handout = got.handout().name().toLowerCase(Locale.ROOT);
      List<String> fdinfo = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> node = NodeFormat.json(name, got.info(), Names.load());
        node.put("handout", handout);
        Map<String, Object> received = new LinkedHashMap<>();
        received.put("identity", st.identity());
        received.put("access", access);
        received.put("fdinfo", fdinfoJson(fdinfo));
        node.put("fd", received);
        out.println(Json.write(node));
      } else {
        out.println("name:     " + name);
        out.println("kind:     " + NodeFormat.kind(got.info()));
        out.println("handout:  " + handout);
        out.println("dev:ino:  " + st.identity());
        out.println("access:   " + access);
        out.println("fdinfo:");
        for (String line : fdinfo) {
          out.println("  " + line);
        }
      }
      out.flush();
    }
    return 0;
  }

  /** {@code key: value} lines as an object; a key that repeats (epoll's tfd) gets an array. */
  static Map<String, Object> fdinfoJson(List<String> lines) {
    Map<String, Object> info = new LinkedHashMap<>();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String key = line.substring(0, colon);
      String value = line.substring(colon + 1).strip();
      Object seen = info.get(key);
      if (seen == null) {
        info.put(key, value);
      } else {
        List<Object> values = new ArrayList<>();
        if (seen instanceof List<?> list) {
          values.addAll(list);
        } else {
          values.add(seen);
        }
        values.add(value);
        info.put(key, values);
      }
    }
    return info;
  }

  static String accessName(int flags) {
    return switch (flags & FileOps.O_ACCMODE) {
      case FileOps.O_RDONLY -> "read-only";
      case FileOps.O_WRONLY -> "write-only";
      default -> "read-write";
    };
  }
}
