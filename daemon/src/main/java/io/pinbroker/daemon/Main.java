package io.pinbroker.daemon;

import io.pinbroker.cli.OctalMode;
import io.pinbroker.client.SocketLocation;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.BpfStore;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.AuditLog;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.FileOps;
import io.pinbroker.cli.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pinbrokerd}: the broker daemon. */
@Command(
    name = "pinbrokerd",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    description = {
      "Keeps file descriptors alive under a tree of names and hands them to other processes"
          + " over a Unix SOCK_SEQPACKET socket.",
      "",
      "Every option may also be set in the --config file as NAME=VALUE, e.g. 'umask=027'.",
      "SIGHUP (systemctl reload) re-reads the --config file and applies umask, root-override,"
          + " max-names, max-names-per-uid, max-connections-per-uid, idle-timeout, send-timeout,"
          + " map-types, max-map-bytes, map-quota, sim-map-quota, audit and verbose; the other"
          + " settings take effect at the next start. New timeouts apply to connections accepted"
          + " after the reload.",
      "Without --socket or PINBROKER_SOCKET the broker listens on "
          + SocketLocation.DEFAULT
          + ", or, if that directory cannot be created, in $XDG_RUNTIME_DIR/pinbroker/ or"
          + " $TMPDIR/pinbroker-UID/, and says where.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:after SIGTERM or SIGINT", "1:cannot start", "2:usage error"},
    // a footer shows in the man page only under a heading
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbrokerd",
      "  pinbrokerd --umask 027 --max-names 100000",
      "  pinbrokerd --config /etc/pinbroker/pinbroker.properties",
      "  pinbrokerd --socket /run/pinbroker/pinbroker.sock --takeover"
    })
public final class Main implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Read option defaults from this properties file.")
  Path config;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description = "Listen here (default: $PINBROKER_SOCKET, else the standard locations).")
  Path socket;

  @Option(
      names = "--socket-mode",
      paramLabel = "MODE",
      converter = OctalMode.class,
      defaultValue = "0666",
      description = "Mode of the socket file (default: ${DEFAULT-VALUE}).")
  int socketMode;

  @Option(
      names = "--root-mode",
      paramLabel = "MODE",
      converter = OctalMode.class,
      defaultValue = "1777",
      description = "Mode of the tree's root, owned by root:root (default: ${DEFAULT-VALUE}).")
  int rootMode;

  @Option(
      names = "--umask",
      paramLabel = "MASK",
      converter = OctalMode.class,
      defaultValue = "022",
      description = "Bits cleared from every new node's mode (default: ${DEFAULT-VALUE}).")
  int umask;

  @Option(
      names = "--root-override",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Let uid 0 bypass mode checks, as CAP_DAC_OVERRIDE does (default: on).")
  boolean rootOverride;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "1024",
      description = {
        "Most clients connected at once; one more gets an ENOSPC notice and is closed"
            + " (default: ${DEFAULT-VALUE}).",
        "The broker keeps 2 fds per connection, plus 317, free of held fds: a pin that would"
            + " take one of them gets EMFILE."
      })
  int maxConnections;

  @Option(
      names = "--max-connections-per-uid",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "Most clients of one uid connected at once, root included; one more gets an EDQUOT"
              + " notice and is closed (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerUid;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = Timeouts.class,
      description =
          "Close a connection that sends no request for this long, with an ETIMEDOUT notice;"
              + " 'off' never does. Watch streams and connections that own ephemeral pins are"
              + " never idle (default: ${DEFAULT-VALUE}).")
  Duration idleTimeout;

  @Option(
      names = "--send-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Timeouts.class,
      description =
          "Drop a client that leaves a reply unread for this long; 'off' waits for ever. Watch"
              + " streams are exempt: a watcher that does not read loses events instead"
              + " (default: ${DEFAULT-VALUE}).")
  Duration sendTimeout;

  @Option(
      names = "--max-names",
      paramLabel = "N",
      defaultValue = "1000000",
      description = "Most names held at once; a pin past it gets ENOSPC (default: ${DEFAULT-VALUE}).")
  long maxNames;

  @Option(
      names = "--max-names-per-uid",
      paramLabel = "N",
      defaultValue = "250000",
      description =
          "Most names one uid owns at once, root included; a pin past it gets EDQUOT"
              + " (default: ${DEFAULT-VALUE}).")
  long maxNamesPerUid;

  @Option(
      names = "--map-types",
      paramLabel = "TYPES",
      split = ",",
      defaultValue = "hash,array,prog_array,percpu_hash,percpu_array,lru_hash",
      description = "Map types clients may have the broker create (default: ${DEFAULT-VALUE}).")
  List<String> mapTypes;

  @Option(
      names = "--max-map-bytes",
      paramLabel = "BYTES",
      defaultValue = "64M",
      converter = Sizes.class,
      description = "Largest map the broker creates for a client (default: ${DEFAULT-VALUE}).")
  long maxMapBytes;

  @Option(
      names = "--map-quota",
      paramLabel = "BYTES",
      defaultValue = "256M",
      converter = Sizes.class,
      description =
          "Real (kernel) map memory each uid may have the broker create; past it, EDQUOT"
              + " (default: ${DEFAULT-VALUE}).")
  long mapQuota;

  @Option(
      names = "--sim-map-quota",
      paramLabel = "BYTES",
      defaultValue = "256M",
      converter = Sizes.class,
      description =
          "Sim map memory (memfds, the broker's shared memory) each uid may have the broker"
              + " create; past it, EDQUOT (default: ${DEFAULT-VALUE}).")
  long simMapQuota;

  @Option(
      names = "--fd-store-max",
      paramLabel = "N",
      defaultValue = "16384",
      description = {
        "Size of systemd's fd store: the unit's FileDescriptorStoreMax= (default: ${DEFAULT-VALUE}).",
        "Under systemd every pinned fd and the journal of the tree are kept there, so that a"
            + " restart or a crash loses nothing; a pin past N-2 objects gets ENOSPC."
      })
  long fdStoreMax;

  @Option(
      names = "--bpf-store",
      paramLabel = "DIR",
      defaultValue = BpfStore.AUTO,
      description = {
        "Keep BPF maps, programs and links pinned in DIR on a bpffs instead of holding an fd for"
            + " each, so that names are not bounded by the fd limit (default: ${DEFAULT-VALUE}:"
            + " /sys/fs/bpf/pinbroker if /sys/fs/bpf is a bpffs; 'off' holds fds). A DIR not on"
            + " a bpffs gets one mounted, in the broker's own mount namespace."
      })
  String bpfStore;

  @Option(
      names = "--takeover",
      description = {
        "Take over from the broker running on the socket: its listening socket, every name and"
            + " every fd. It exits once this one serves; clients never see a name missing."
            + " For hosts without systemd and upgrades by hand (under systemd, restart the"
            + " service: the fd store keeps everything)."
      })
  boolean takeover;

  @Option(
      names = "--audit",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Log one line per change to the tree, granted or refused, at priority notice:"
              + " 'audit: op=pin path=/a uid=1000 gid=1000 pid=42 mode=0644 result=OK gen=7'"
              + " (default: on).")
  boolean audit;

  @Option(names = "--verbose", description = "Log each dropped connection and debug detail.")
  boolean verbose;

  private final CountDownLatch stopped = new CountDownLatch(1);

  /** The command line as given, parsed again at every reload. */
  private String[] args = {};

  @Override
  public Integer call() throws Exception {
    Settings settings = settings();
    SdDaemonLogging.install(settings.logLevel());
    AuditLog.enabled(settings.audit());
    long fdLimit = FileOps.raiseFdLimit();
    Broker broker;
    try {
      broker = Broker.create(settings.config());
    } catch (IllegalStateException e) {
      LOG.severe("cannot start: " + e.getMessage());
      return 1;
    }
    ReloadOnHangup hangup = reloadOnHangup(broker);
    Path path;
    try {
      path = takeover ? broker.takeOver() : broker.start();
    } catch (IOException e) {
      LOG.severe("cannot start: " + e.getMessage());
      return 1;
    }
    if (hangup != null) {
      hangup.serving();
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("stopping");
                  broker.stop();
                  stopped.countDown();
                }));
    String how = broker.socketActivated() ? "socket-activated on " : "listening on ";
    LOG.info("pinbrokerd " + how + path + " (fd limit " + fdLimit + ")");
    if (!path.toString().equals(SocketLocation.DEFAULT)) {
      LOG.info("clients elsewhere: export " + SocketLocation.ENV + "=" + path);
    }
    broker
        .handedOver()
        .thenRunAsync(
            () -> {
              LOG.info("handed over to a successor");
              System.exit(0);
            });
    stopped.await();
    return 0;
  }

  private ReloadOnHangup reloadOnHangup(Broker broker) {
    String[] given = args.clone();
    try {
      return ReloadOnHangup.install(() -> broker.reload(() -> settings(given)));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning("SIGHUP will not reload the configuration: " + e);
      return null;
    }
  }

  /** What {@code args} say, with the config file they name read afresh: for a reload. */
  static Settings settings(String[] args) throws IOException {
    Path file = configFile(args);
    CommandLine cmd = commandLine(file);
    try {
      cmd.parseArgs(args);
      return ((Main) cmd.getCommand()).settings();
    } catch (CommandLine.ParameterException e) {
      throw new IOException((file == null ? "" : file + ": ") + e.getMessage(), e);
    }
  }

  Settings settings() {
    return new Settings(toConfig(), verbose ? Level.FINE : Level.INFO, audit);
  }

  BrokerConfig toConfig() {
    return new BrokerConfig(
        socket,
        socketMode,
        new NamespaceConfig(rootMode, umask, rootOverride, maxNames, maxNamesPerUid),
        new ServerConfig(maxConnections, maxConnectionsPerUid, idleTimeout, sendTimeout),
        new MapPolicy(mapTypeNumbers(), maxMapBytes, mapQuota, simMapQuota),
        fdStoreMax,
        bpfStore);
  }

  private Set<Integer> mapTypeNumbers() {
    Set<Integer> types = new TreeSet<>();
    for (String name : mapTypes) {
      int type = Bpf.mapTypeNumber(name.trim());
      if (type < 0) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--map-types: unknown map type '" + name + "'");
      }
      types.add(type);
    }
    return types;
  }


  public static void main(String[] args) {
    CommandLine cmd;
    try {
      cmd = commandLine(configFile(args));
    } catch (IOException e) {
      System.err.println("pinbrokerd: " + e.getMessage());
      System.exit(2);
      return;
    }
    ((Main) cmd.getCommand()).args = args.clone();
    System.exit(cmd.execute(args));
  }

  /**
   * The command line, with option defaults from {@code configFile} if there is one. The file is
   * read now, and one that cannot be read is an error, never an empty set of defaults.
   */
  static CommandLine commandLine(Path configFile) throws IOException {
    CommandLine cmd = new CommandLine(new Main());
    if (configFile != null) {
      Properties defaults = readConfig(configFile);
      cmd.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(defaults));
    }
    return cmd;
  }

  private static Properties readConfig(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new IOException("cannot read config file " + file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException("cannot read config file " + file + ": permission denied", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return p;
  }

  private static Path configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"pinbrokerd " + (v == null ? "dev" : v)};
    }
  }
}
