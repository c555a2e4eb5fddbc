package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's lifecycle as the service manager sees it, over the real graph with fakes. */
class LifecycleTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  @Test
  void readyOnceServingThenStoppingAndTheSocketIsGone(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("pinbroker.sock");
    BrokerConfig config =
        new BrokerConfig(
            socket, 0666, new NamespaceConfig(01777, 022, true, 100), new ServerConfig(8), TestBroker.MAPS, 1024);
    TestComponent graph = DaggerTestComponent.factory()
            .create(config, InstantSource.fixed(T0), new RecordingNotifier());
    Broker broker = graph.broker();

    assertEquals(socket, broker.start());
    assertFalse(broker.socketActivated());
    assertEquals(List.of("READY=1\nSTATUS=serving 0 names to 0 clients"), graph.notifier().messages());

    try (PinbrokerClient client =
            PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(5)).build();
        Fd memfd = FileOps.memfd("t", 8, 0)) {
      NodeInfo pinned = client.pin("/t", memfd.value(), PinOptions.DEFAULT);
      long nanos = T0.getEpochSecond() * 1_000_000_000L + T0.getNano();
      assertEquals(nanos, pinned.mtimeNanos(), "times come from the injected clock");
      assertEquals("serving 1 names to 1 clients", broker.status());
      client.unlink("/t");
    }

    broker.stop();
    List<String> told = graph.notifier().messages();
    assertEquals("STOPPING=1", told.getLast());
    assertFalse(Files.exists(socket), "a socket the broker bound is removed at stop");
    graph.notifier().closeStore();
  }
}
