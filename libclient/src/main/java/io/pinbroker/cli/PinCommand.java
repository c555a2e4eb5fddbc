package io.pinbroker.cli;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "pin",
    description = {
      "Bind an fd to NAME (fails with 'File exists' if NAME is taken).",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker pin --memfd 4K --mode 0640 --group 1234 /net/stats",
      "  pinbroker pin --file /var/log/app.log /logs/app",
      "  pinbroker pin --fd 3 /pipes/in 3</some/fifo",
      "  pinbroker pin --replace --memfd 1M /net/stats",
      "  pinbroker pin --ttl 30s --memfd 4K /tmp/lease          # gone in 30 s, restarts included",
      "  pinbroker pin --ephemeral --memfd 4K /run/me &          # there while this command runs"
    })
final class PinCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin EntryOptions entry;


  @Option(names = "--replace", description = "Replace NAME atomically if it exists.")
  boolean replace;

  @Option(
      names = "--if-generation",
      paramLabel = "GEN",
      description = "Replace only if NAME still has this generation (compare-and-swap).")
  Long ifGeneration;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      converter = Durations.class,
      description = "Remove NAME after DURATION (500ms, 30s, 5m, 2h, 1d), broker restarts included.")
  Duration ttl;

  @Option(
      names = "--ephemeral",
      description = {
        "NAME lives while this command runs: it keeps its connection open until interrupted or"
            + " killed, and then the broker removes NAME (after a broker restart: once this"
            + " process is gone)."
      })
  boolean ephemeral;

  @ArgGroup(multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--fd", paramLabel = "N", description = "An fd this process inherited.")
    Integer fd;

    @Option(names = "--file", paramLabel = "PATH", description = "Open this file (read-write, else read-only).")
    Path file;

    @Option(
        names = "--memfd",
        paramLabel = "SIZE",
        converter = Sizes.class,
        description = "A new memfd of SIZE bytes (suffixes K, M, G: powers of 1024).")
    Long memfd;
  }

  @Parameters(paramLabel = "NAME", description = "Absolute name in the broker, e.g. /net/stats.")
  String name;

  @Override
  public Integer call() throws Exception {
    PinOptions options = entry.options(0600);
    if (ifGeneration != null) {
      options = options.replacingGeneration(ifGeneration);
    } else if (replace) {
      options = options.replacing();
    }
    if (ttl != null) {
      options = options.ttl(ttl);
    }
    if (ephemeral) {
      options = options.whileConnected();
    }
    try (Fd owned = openSource(); PinbrokerClient client = main.connect()) {
      int fd = owned != null ? owned.value() : source.fd;
      client.pin(name, fd, options);
      if (ephemeral) {
        holdUntilInterrupted();
      }
    }
    return 0;
  }

  /** Keeps the connection (and so the ephemeral name) until a signal ends the process. */
  private void holdUntilInterrupted() throws InterruptedException {
    if (System.console() != null) {
      System.err.println(
          "pinbroker: " + name + " is pinned while this runs; interrupt to remove it");
    }
    new CountDownLatch(1).await();
  }

  /** The fd to pin if this command opens it (and so must close it); null for --fd. */
  private Fd openSource() throws IOException, UsageException {
    if (source.fd != null) {
      try {
        FileOps.statusFlags(source.fd);
      } catch (ErrnoException e) {
        throw new UsageException("--fd " + source.fd + ": not an open fd in this process");
      }
      return null;
    }
    if (source.file != null) {
      try {
        return FileOps.open(source.file.toString(), FileOps.O_RDWR);
      } catch (ErrnoException e) {
        return FileOps.open(source.file.toString(), FileOps.O_RDONLY);
      }
    }
    String base = name.substring(name.lastIndexOf('/') + 1);
    return FileOps.memfd(base.isEmpty() ? "pinbroker" : base, source.memfd, FileOps.MFD_ALLOW_SEALING);
  }

}
