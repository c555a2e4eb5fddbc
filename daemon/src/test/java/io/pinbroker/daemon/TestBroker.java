package io.pinbroker.daemon;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** A broker running in this JVM on a socket in a temporary directory. */
final class TestBroker implements AutoCloseable {
  final Broker broker;
  final Path socket;

  private TestBroker(Broker broker, Path socket) {
    this.broker = broker;
    this.socket = socket;
  }

  static TestBroker start(Path dir) throws IOException {
    return start(dir, new NamespaceConfig(01777, 022, true, 100_000), new ServerConfig(256));
  }

  static TestBroker start(Path dir, NamespaceConfig ns, ServerConfig server) throws IOException {
    return start(dir, ns, server, MAPS);
  }

  /** Hash, array and prog_array maps; 1 MiB each at most; 4 MiB per uid. */
  static final MapPolicy MAPS = new MapPolicy(Set.of(1, 2, 3), 1 << 20, 4 << 20);

  static TestBroker start(Path dir, NamespaceConfig ns, ServerConfig server, MapPolicy maps)
      throws IOException {
    AuditCapture.install();
    Path socket = dir.resolve("pinbroker.sock");
    Broker broker = Broker.create(new BrokerConfig(socket, 0666, ns, server, maps, 0));
    broker.start();
    return new TestBroker(broker, socket);
  }

  PinbrokerClient client() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public void close() throws IOException {
    broker.stop();
    Files.deleteIfExists(socket);
  }
}
