package io.pinbroker.cli;

import io.pinbroker.client.EntryExistsException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "import",
    description = {
      "Adopt an object pinned in bpffs (BPF_OBJ_GET), or a tree of them, under NAME.",
      "If BPFFS_PATH is a directory, its whole tree is: each directory in it becomes a directory"
          + " (mode 0777 less the broker's umask; NAME itself may exist already), each object an"
          + " entry with --mode and --group. Symbolic links, and the kernel's maps.debug and"
          + " progs.debug at the root of a bpffs mount, are skipped.",
      "A tree's import stops at the first failure, and what it imported stays. Prints nothing"
          + " on success; a tree's import shows objects done/total on stderr while it runs, when"
          + " stdout and stderr are terminals."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker import /sys/fs/bpf/tc/globals/stats /net/stats",
      "  pinbroker import --mode 0640 /sys/fs/bpf/tc /tc"
    })
final class ImportCommand implements Callable<Integer> {
  /** Mode asked for the directories of an imported tree, as {@code mkdir} asks. */
  private static final int DIRECTORY_MODE = 0777;

  /** The iterators the kernel itself pins at the root of every bpffs mount (bpf_preload). */
  private static final Set<String> PRELOADED = Set.of("maps.debug", "progs.debug");

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Mixin EntryOptions entry;

  @Parameters(index = "0", paramLabel = "BPFFS_PATH")
  String bpffsPath;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Override
  public Integer call() throws Exception {
    PinOptions options = entry.options(0600);
    Path source = Path.of(bpffsPath);
    if (!Files.isDirectory(source)) {
      try (Fd fd = Bpf.get(bpffsPath, 0); PinbrokerClient client = main.connect()) {
        client.pin(name, fd.value(), options);
      }
      return 0;
    }
    List<Path> directories = new ArrayList<>();
    List<Path> objects = new ArrayList<>();
    scan(source, directories, objects);
    try (PinbrokerClient client = main.connect();
        Progress progress = Progress.forTerminal(spec.commandLine().getErr(), "imported %d/%d")) {
      for (Path dir : directories) {
        makeDirectory(client, target(source, dir));
      }
      progress.update(0, objects.size());
      for (int i = 0; i < objects.size(); i++) {
        Path object = objects.get(i);
        try (Fd fd = Bpf.get(object.toString(), 0)) {
          client.pin(target(source, object), fd.value(), options);
        }
        progress.update(i + 1, objects.size());
      }
    }
    return 0;
  }

  /** The directories (source first, parents before children) and objects of a bpffs tree. */
  private static void scan(Path source, List<Path> directories, List<Path> objects)
      throws IOException {
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : walk.sorted().toList()) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          directories.add(p);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !isPreloaded(p)) {
          objects.add(p);
        }
      }
    }
  }

  /** Whether {@code p} is one of the kernel's iterators at the root of a bpffs mount. */
  private static boolean isPreloaded(Path p) throws IOException {
    if (!PRELOADED.contains(p.getFileName().toString())) {
      return false;
    }
    Path dir = p.toAbsolutePath().getParent();
    Path above = dir.getParent();
    return above == null || !device(dir).equals(device(above)); // dir is a mount's root
  }

  private static Object device(Path p) throws IOException {
    return Files.getAttribute(p, "unix:dev");
  }

  /** The broker name of {@code p}, a path in the tree at {@code source}. */
  private String target(Path source, Path p) {
    String base = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    StringBuilder sb = new StringBuilder(base);
    for (Path part : source.relativize(p)) {
      if (!part.toString().isEmpty()) {
        sb.append('/').append(part);
      }
    }
    return sb.isEmpty() ? "/" : sb.toString();
  }

  /** mkdir, where an existing directory is fine (as with {@code mkdir -p}). */
  private static void makeDirectory(PinbrokerClient client, String path) throws IOException {
    if (path.equals("/")) {
      return;
    }
    try {
      client.mkdir(path, DIRECTORY_MODE);
    } catch (EntryExistsException e) {
      if (!client.stat(path).isDirectory()) {
        throw e;
      }
    }
  }
}
