package io.pinbroker.daemon;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.server.Server;
import io.pinbroker.daemon.systemd.Activation;
import io.pinbroker.daemon.systemd.Heartbeat;
import io.pinbroker.daemon.systemd.Notifier;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * The broker's lifecycle: take the listening socket from systemd or bind one, serve, tell the
 * service manager, and stop as a lame duck.
 */
@Singleton
public final class Broker {
  /** How long a stop waits for connections to finish the requests they are serving. */
  static final Duration DRAIN = Duration.ofSeconds(5);

  private final BrokerConfig config;
  private final Server server;
  private final Namespace namespace;
  private final Notifier notifier;
  private final Reloader reloader;
  private Path socket;
  private boolean boundByUs;
  private Heartbeat heartbeat;

  @Inject
  Broker(
      BrokerConfig config,
      Server server,
      Namespace namespace,
      Notifier notifier,
      Reloader reloader) {
    this.config = config;
    this.server = server;
    this.namespace = namespace;
    this.notifier = notifier;
    this.reloader = reloader;
  }

  /** Builds a broker for {@code config}. */
  public static Broker create(BrokerConfig config) {
    return DaggerBrokerComponent.factory().create(config).broker();
  }

  /**
   * Takes the socket systemd passed (LISTEN_FDS, named "api"), or binds one, starts serving, and
   * sends READY=1. Returns where it listens.
   */
  public synchronized Path start() throws IOException {
    Map<String, String> env = System.getenv();
    long pid = ProcessHandle.current().pid();
    SeqpacketListener listener = Activation.listener(env, pid);
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

  /** Whether the listening socket came from systemd. */
  public synchronized boolean socketActivated() {
    return socket != null && !boundByUs;
  }

  /** One line for STATUS= and logs; the broker's own watchdog probe is not a client. */
  public String status() {
    int own = heartbeat == null ? 0 : heartbeat.ownConnections();
    return "serving " + namespace.size() + " names to " + (server.connectionCount() - own) + " clients";
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
   * Held fds are released when the process ends.
   */
  public synchronized void stop() {
    if (socket == null) {
      return;
    }
    notifier.send("STOPPING=1");
    heartbeat.stop();
    server.stop(DRAIN);
    if (boundByUs) {
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
