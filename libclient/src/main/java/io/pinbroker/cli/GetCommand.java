package io.pinbroker.cli;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
    footer = {"", "Examples:", "  pinbroker get /net/stats", "  pinbroker get --ro /net/stats"})
final class GetCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = "--ro", description = "Ask for read-only access (needs only r).")
  boolean readOnly;

  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = main.connect();
        ReceivedFd got = client.get(name, readOnly ? Access.READ_ONLY : Access.READ_WRITE)) {
      int fd = got.fd().value();
      FileStat st = FileOps.stat(fd);
      int flags = FileOps.statusFlags(fd);
      PrintWriter out = spec.commandLine().getOut();
      out.println("name:     " + name);
      out.println("kind:     " + NodeFormat.kind(got.info()));
      out.println("handout:  " + got.handout().name().toLowerCase(Locale.ROOT));
      out.println("dev:ino:  " + st.identity());
      out.println("access:   " + accessName(flags));
      out.println("fdinfo:");
      List<String> lines = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd));
      for (String line : lines) {
        out.println("  " + line);
      }
      out.flush();
    }
    return 0;
  }

  static String accessName(int flags) {
    return switch (flags & FileOps.O_ACCMODE) {
      case FileOps.O_RDONLY -> "read-only";
      case FileOps.O_WRONLY -> "write-only";
      default -> "read-write";
    };
  }
}
