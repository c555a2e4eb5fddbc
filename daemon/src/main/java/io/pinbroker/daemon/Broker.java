package io.pinbroker.daemon;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.server.Server;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.inject.Inject;
import javax.inject.Singleton;

/** The broker's lifecycle: bind the socket, serve, stop. */
@Singleton
public final class Broker {
  private final BrokerConfig config;
  private final Server server;
  private final Namespace namespace;
  private Path socket;

  @Inject
  Broker(BrokerConfig config, Server server, Namespace namespace) {
    this.config = config;
    this.server = server;
    this.namespace = namespace;
  }

  /** Builds a broker for {@code config}. */
  public static Broker create(BrokerConfig config) {
    return DaggerBrokerComponent.factory().create(config).broker();
  }

  /** Binds the socket and starts serving; returns where it listens. */
  public synchronized Path start() throws IOException {
    Path path = SocketBinding.choose(config.socket(), System.getenv());
    SeqpacketListener listener = SocketBinding.bind(path, config.socketMode());
    server.start(listener);
    socket = path;
    return path;
  }

  /** Stops serving and removes the socket file. Held fds are released when the process ends. */
  public synchronized void stop() {
    server.stop();
    if (socket != null) {
      try {
        Files.deleteIfExists(socket);
      } catch (IOException e) {
        // best effort: a stale socket is detected and replaced at the next start
      }
      socket = null;
    }
  }

  public Namespace namespace() {
    return namespace;
  }

  public Server server() {
    return server;
  }
}
