package io.pinbroker.cli;

import io.pinbroker.client.BrokerUnreachableException;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.PinbrokerException;
import io.pinbroker.client.SocketLocation;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.sim.SimMapException;
import io.pinbroker.unix.ErrnoException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pinbroker}: drive a running pinbrokerd from a shell. */
@Command(
    name = "pinbroker",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = Main.Version.class,
    description = {
      "Pin file descriptors under names in pinbrokerd, and get them back.",
      "",
      "The socket is --socket, else $" + SocketLocation.ENV + ", else " + SocketLocation.DEFAULT
          + " (or the fallback the broker announced when it started).",
      "",
      "Commands that print something take --json for one JSON object or array on stdout; the"
          + " others print nothing on success. Errors go to stderr. Long operations (import of a"
          + " bpffs tree) show progress on stderr when both stdout and stderr are terminals."
    },
    subcommands = {
      PinCommand.class,
      GetCommand.class,
      ExecCommand.class,
      LsCommand.class,
      StatCommand.class,
      MkdirCommand.class,
      RmdirCommand.class,
      RmCommand.class,
      MvCommand.class,
      ChmodCommand.class,
      ChownCommand.class,
      MapCommand.class,
      ProgCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      TreeCommand.class,
      StatsCommand.class,
      WatchCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:refused (by the broker, the kernel or a read-only map)",
      "2:usage error",
      "3:cannot reach the broker"
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker mkdir -m 0755 /net",
      "  pinbroker pin --memfd 4K --mode 0640 /net/stats",
      "  pinbroker ls -l /net",
      "  pinbroker help pin"
    })
public final class Main {
  static final int REFUSED = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      scope = CommandLine.ScopeType.INHERIT,
      description = "The broker's socket.")
  Path socket;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Longest wait for any one reply (default: ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  /** Connects to the broker this invocation names. */
  PinbrokerClient connect() throws IOException, UsageException {
    if (!(timeoutSeconds > 0)) {
      throw new UsageException("--timeout must be a positive number of seconds");
    }
    PinbrokerClient.Builder b =
        PinbrokerClient.builder().callTimeout(Duration.ofMillis((long) (timeoutSeconds * 1000)));
    if (socket != null) {
      b.socket(socket);
    }
    return b.build();
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit status. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, to execute once. */
  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setExecutionExceptionHandler(Main::handle);
    // everything after PROG belongs to PROG, options included
    cmd.getSubcommands().get("exec").setStopAtPositional(true);
    return cmd;
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println("pinbroker: " + e.getMessage());
    if (e instanceof PathSyntaxException) {
      err.flush();
      return REFUSED;
    }
    err.flush();
    return switch (e) {
      case PinbrokerException refused -> REFUSED;
      case BrokerUnreachableException unreachable -> UNREACHABLE;
      case UsageException usage -> USAGE;
      case ErrnoException kernel -> REFUSED;
      case SimMapException mapping -> REFUSED;
      case IOException io -> UNREACHABLE;
      default -> {
        e.printStackTrace(err);
        yield REFUSED;
      }
    };
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"pinbroker " + (v == null ? "dev" : v)};
    }
  }
}
