package io.pinbroker.daemon;

import io.pinbroker.client.SocketLocation;
import io.pinbroker.daemon.namespace.ChangeLog;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.object.BpfStore;
import io.pinbroker.daemon.object.MapFactory;
import io.pinbroker.daemon.persist.Persistence;
import io.pinbroker.daemon.persist.Restore;
import io.pinbroker.daemon.server.Handoff;
import io.pinbroker.daemon.server.Server;
import io.pinbroker.daemon.server.StatsCollector;
import io.pinbroker.daemon.systemd.Activation;
import io.pinbroker.daemon.systemd.Heartbeat;
import io.pinbroker.daemon.systemd.Notifier;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * The broker's lifecycle: take the listening socket and the fd store from systemd (restoring the
 * tree) or bind a socket, serve, tell the service manager, and stop as a lame duck.
 */
@Singleton
public final class Broker {
  /** How long a stop waits for connections to finish the requests they are serving. */
  static final Duration DRAIN = Duration.ofSeconds(5);
  /** fd store slots kept for the journal: the current one and its successor during a rewrite. */
  static final int JOURNAL_SLOTS = 2;
  private static final Logger LOG = Logger.getLogger(Broker.class.getName());

  private final BrokerConfig config;
  private final Server server;
  private final Namespace namespace;
  private final Notifier notifier;
  private final MapFactory maps;
  private final BpfStore store;
  private final Reloader reloader;
  private final Handoff handoff;
  private final StatsCollector stats;
  private Path socket;
  private volatile int lostAtRestore;
  private Persistence persistence;
  private boolean boundByUs;
  private Heartbeat heartbeat;

  @Inject
  Broker(
      BrokerConfig config,
      Server server,
      Namespace namespace,
      Notifier notifier,
      MapFactory maps,
      BpfStore store,
      Reloader reloader,
      Handoff handoff,
      StatsCollector stats) {
    this.config = config;
    this.server = server;
    this.namespace = namespace;
    this.notifier = notifier;
    this.maps = maps;
    this.store = store;
    this.reloader = reloader;
    this.handoff = handoff;
    this.stats = stats;
  }

  /** Builds a broker for {@code config}. */
  public static Broker create(BrokerConfig config) {
    FileOps.procFds(); // GETs reopen through it: open it now, so the fd count is steady from here
    return DaggerBrokerComponent.factory().create(config).broker();
  }

  /**
   * Takes what systemd passed (LISTEN_FDS: the socket named "api" and the fd store), restores the
   * tree from the fd store, or binds a socket; then starts serving and sends READY=1. Returns
   * where it listens.
   */
  public Path start() throws IOException {
    return start(Activation.inherit(System.getenv(), ProcessHandle.current().pid()));
  }

  /**
   * Takes over from the broker running on this broker's socket (PROTOCOL.md §6.12): its
   * listening socket, tree and fds; then serves, and lets the old broker go. Outside systemd
   * only: under systemd a restart keeps everything through the fd store.
   */
  public synchronized Path takeOver() throws IOException {
    if (notifier.present()) {
      throw new IOException(
          "--takeover is for brokers outside systemd; under systemd, restart the service (the fd"
              + " store keeps every name)");
    }
    Path from =
        config.socket() != null ? config.socket() : SocketLocation.forClient(System.getenv());
    try (Successor successor = Successor.connect(from)) {
      Path serving = start(successor.receive());
      boundByUs = true; // the socket file is this broker's to remove now
      successor.done();
      LOG.info("took over from the broker on " + from);
      return serving;
    }
  }

  /** Completes when a successor has taken this broker over; it should then exit. */
  public CompletableFuture<Void> handedOver() {
    return handoff.handedOver();
  }

  /** {@link #start()} with what the service manager (or a predecessor) passed. */
  synchronized Path start(Activation.Inherited inherited) throws IOException {
    Map<String, String> env = System.getenv();
    long pid = ProcessHandle.current().pid();
    SeqpacketListener listener = inherited.listener();
    try {
      restore(inherited.stored(), env);
    } catch (IOException | RuntimeException e) {
      if (listener != null) {
        listener.close();
      }
      throw e;
    }
    boundByUs = listener == null;
    if (boundByUs) {
      Path path = SocketBinding.choose(config.socket(), env);
      listener = SocketBinding.bind(path, config.socketMode());
    }
    socket = listener.path();
    server.start(listener);
    notifier.send("READY=1\nSTATUS=" + status());
    heartbeat = Heartbeat.start(notifier, this::status, socket, env, pid);
    return socket;
  }

  /**
   * With a service manager, rebuilds the tree from its fd store and keeps every later change
   * there; without one, the tree lives as long as the process. Either way, what a restored tree
   * does not hold is let go before the broker serves: fds, and pins of its earlier runs.
   */
  private void restore(Map<String, Fd> stored, Map<String, String> env) throws IOException {
    long slots = fdStoreSlots(env);
    boolean keep = notifier.present() && slots > JOURNAL_SLOTS;
    if (notifier.present() && !keep) {
      LOG.warning("the fd store is off (FDSTORE=0): names will not survive a restart");
    }
    if (!keep && stored.isEmpty()) {
      return;
    }
    long began = System.nanoTime();
    Restore.Outcome o =
        keep
            ? Restore.run(namespace, stored, notifier, maps, store, slots - JOURNAL_SLOTS)
            : Restore.replayOnly(namespace, stored, maps, store);
    persistence = o.log();
    if (persistence != null) {
      stats.fdStore(persistence::storedFds, slots);
    }
    lostAtRestore = o.lost().size();
    if (o.journal() == null) {
      LOG.info("fd store: nothing to restore; keeping the tree there from now on");
      return;
    }
    LOG.info(
        String.format(
            "restored %d names from %s in %d ms: %d lost, %d unacknowledged fds"
                + " discarded, %d stray pins removed, %d journal records skipped%s",
            o.names(), o.journal(), (System.nanoTime() - began) / 1_000_000, o.lost().size(),
            o.discarded(), o.strayPins(), o.skipped(),
            o.damage().isEmpty() ? "" : "; the journal ended in " + o.damage()));
  }

  /** fd store slots: --fd-store-max, or less if systemd says so (FDSTORE=, systemd 254+). */
  private long fdStoreSlots(Map<String, String> env) {
    long max = config.fdStoreMax();
    String fromManager = env.get("FDSTORE");
    if (fromManager != null) {
      try {
        max = Math.min(max, Long.parseLong(fromManager));
      } catch (NumberFormatException e) {
        LOG.warning("ignoring FDSTORE=" + fromManager);
      }
    }
    return max;
  }

  /** Whether the listening socket came from systemd. */
  public synchronized boolean socketActivated() {
    return socket != null && !boundByUs;
  }

  /** One line for STATUS= and logs; the broker's own watchdog probe is not a client. */
  public String status() {
    int own = heartbeat == null ? 0 : heartbeat.ownConnections();
    String status =
        "serving " + namespace.size() + " names to " + (server.connectionCount() - own) + " clients";
    int lost = lostAtRestore;
    if (lost != 0) {
      status += "; " + lost + " names lost at restore (see the log)";
    }
    String fds = server.fdLimitStatus();
    return fds == null ? status : status + "; " + fds;
  }

  /**
   * Reloads the configuration that {@code next} reads afresh, between RELOADING=1 and READY=1
   * (see {@link Reloader}). Only while serving: before the start or after the stop it does nothing.
   */
  synchronized void reload(Callable<Settings> next) {
    if (socket != null) {
      reloader.reload(next, this::status);
    }
  }

  /**
   * Lame-duck stop: STOPPING=1, accept no one new, let requests in flight finish. Removes the
   * socket file only if this process bound it; systemd keeps its own for the next instance.
   * The journal is let go (the fd store keeps it); held fds are released when the process ends.
   */
  public synchronized void stop() {
    if (socket == null) {
      return;
    }
    notifier.send("STOPPING=1");
    heartbeat.stop();
    namespace.stopping();
    server.stop(DRAIN);
    if (persistence != null) {
      stats.noFdStore();
      namespace.persistTo(ChangeLog.NONE);
      persistence.close();
      persistence = null;
    }
    if (boundByUs && !handoff.handedOver().isDone()) {
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        // best effort: a stale socket is detected and replaced at the next start
      }
    }
    socket = null;
  }

  public Namespace namespace() {
    return namespace;
  }

  public Server server() {
    return server;
  }
}
