package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.BrokerUnreachableException;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.NoSpaceException;
import io.pinbroker.client.OperationNotPermittedException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.QuotaExceededException;
import io.pinbroker.client.TimedOutException;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.AuditLog;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration reload in process, over the real graph with a recording notifier. */
class ReloadTest {
  private static final NamespaceConfig NS = new NamespaceConfig(01777, 022, true, 100);
  private static final String READY = "READY=1\nSTATUS=serving 0 names to 0 clients";

  @TempDir Path dir;
  private Path socket;
  private BrokerConfig initial;
  private TestComponent graph;
  private Broker broker;
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Logger reloaderLog = Logger.getLogger(Reloader.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("pinbroker.sock");
    initial = new BrokerConfig(socket, 0666, NS, new ServerConfig(8), TestBroker.MAPS, 0);
    graph = DaggerTestComponent.factory()
            .create(initial, InstantSource.fixed(Instant.EPOCH), new RecordingNotifier());
    broker = graph.broker();
    broker.start();
    reloaderLog.addHandler(capture);
  }

  @AfterEach
  void stop() {
    reloaderLog.removeHandler(capture);
    broker.stop();
  }

  private PinbrokerClient client() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(5)).build();
  }

  private static Settings settings(BrokerConfig config) {
    return new Settings(config, Level.INFO);
  }

  private BrokerConfig with(NamespaceConfig ns) {
    return new BrokerConfig(socket, 0666, ns, initial.server(), initial.maps(), 0);
  }

  private List<String> messages(Level level) {
    return logged.stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
  }

  @Test
  void reloadingWithTheMonotonicClockThenReadyAndTheNewUmaskApplies() throws Exception {
    try (PinbrokerClient c = client()) {
      assertEquals(0755, c.mkdir("/before", 0777).mode());

      long earliest = System.nanoTime() / 1000;
      broker.reload(() -> settings(with(new NamespaceConfig(01777, 077, true, 100))));
      long latest = System.nanoTime() / 1000;

      List<String> told = graph.notifier().messages();
      assertEquals(3, told.size(), told::toString);
      assertEquals(READY, told.get(0));
      String[] reloading = told.get(1).split("\n");
      assertEquals(2, reloading.length, told.get(1));
      assertEquals("RELOADING=1", reloading[0]);
      assertTrue(reloading[1].startsWith("MONOTONIC_USEC="), reloading[1]);
      long usec = Long.parseLong(reloading[1].substring("MONOTONIC_USEC=".length()));
      assertTrue(
          earliest <= usec && usec <= latest,
          usec + " is CLOCK_MONOTONIC in µs, read during the reload [" + earliest + ", " + latest + "]");
      assertEquals("READY=1\nSTATUS=serving 1 names to 1 clients", told.get(2));

      assertEquals(0700, c.mkdir("/after", 0777).mode(), "the new umask applies to the next mkdir");
      assertEquals(0755, c.stat("/before").mode(), "what exists keeps its mode");
    }
    assertEquals(List.of("reloaded: umask 022 -> 077"), messages(Level.INFO));
  }

  @Test
  void anInvalidConfigKeepsTheRunningOneAndStillEndsReady() throws Exception {
    Path file = Files.writeString(dir.resolve("pinbrokerd.conf"), "umask=077\nmax-names=oops\n");
    broker.reload(() -> Main.settings(new String[] {"--socket", socket.toString(), "--config", file.toString()}));

    List<String> told = graph.notifier().messages();
    assertEquals(3, told.size(), told::toString);
    assertTrue(told.get(1).startsWith("RELOADING=1\nMONOTONIC_USEC="), told.get(1));
    assertEquals(READY, told.get(2));
    List<String> errors = messages(Level.SEVERE);
    assertEquals(1, errors.size(), errors::toString);
    assertTrue(
        errors.getFirst().startsWith("reload failed, the running configuration stays: " + file + ": ")
            && errors.getFirst().contains("--max-names"),
        errors::toString);
    assertEquals(List.of(), messages(Level.INFO), "no 'reloaded' line");
    try (PinbrokerClient c = client()) {
      assertEquals(0755, c.mkdir("/d", 0777).mode(), "the umask stays");
    }
  }

  @Test
  void aRestartOnlyChangeIsReportedNotApplied() throws Exception {
    BrokerConfig next =
        new BrokerConfig(
            dir.resolve("elsewhere.sock"),
            0600,
            new NamespaceConfig(0700, 022, true, 100),
            new ServerConfig(1, 8, Duration.ZERO, ServerConfig.DEFAULT_SEND_TIMEOUT),
            initial.maps(),
            64);
    broker.reload(() -> settings(next));

    List<String> warnings = messages(Level.WARNING);
    assertEquals(5, warnings.size(), warnings::toString);
    for (String setting :
        List.of("socket", "socket-mode", "root-mode", "max-connections", "fd-store-max")) {
      assertTrue(
          warnings.stream().anyMatch(w -> w.startsWith(setting + " changed in the config (")
              && w.endsWith("; takes effect at the next start")),
          setting + " in " + warnings);
    }
    assertTrue(warnings.contains("socket-mode changed in the config (0666 -> 0600); takes effect at the next start"));
    assertEquals(List.of("reloaded: nothing changed"), messages(Level.INFO));
    assertEquals(
        PosixFilePermissions.fromString("rw-rw-rw-"), Files.getPosixFilePermissions(socket));
    assertTrue(Files.notExists(dir.resolve("elsewhere.sock")));
    try (PinbrokerClient a = client();
        PinbrokerClient b = client()) {
      assertEquals(01777, a.stat("/").mode(), "the root keeps its mode");
      assertEquals(01777, b.stat("/").mode(), "a second client: max-connections is still 8");
    }
  }

  @Test
  void lowerLimitsRefuseWhatComesNextAndTakeNothingAway() throws Exception {
    MapSpec sim = new MapSpec(true, Bpf.HASH, 4, 8, 64, 0, "m"); // 1 KiB by MapPolicy.estimate
    try (PinbrokerClient c = client();
        Fd memfd = FileOps.memfd("t", 8, 0)) {
      c.pin("/a", memfd.value(), PinOptions.DEFAULT);
      c.createMap("/m1", sim, PinOptions.DEFAULT);

      MapPolicy tighter = new MapPolicy(Set.of(Bpf.HASH), 1 << 20, 4 << 20, 1024);
      NamespaceConfig twoNames = new NamespaceConfig(01777, 022, true, 2, 100);
      broker.reload(
          () -> settings(new BrokerConfig(socket, 0666, twoNames, initial.server(), tighter, 0)));
      assertEquals(
          List.of(
              "reloaded: max-names 100 -> 2, map-types array,hash,prog_array -> hash,"
                  + " sim-map-quota 4194304 -> 1024"),
          messages(Level.INFO));

      assertThrows(NoSpaceException.class, () -> c.pin("/b", memfd.value(), PinOptions.DEFAULT));
      c.unlink("/a");
      c.pin("/b", memfd.value(), PinOptions.DEFAULT); // back under the limit
      assertThrows(QuotaExceededException.class, () -> c.createMap("/m2", sim, PinOptions.DEFAULT));
      assertThrows(
          OperationNotPermittedException.class,
          () -> c.createMap("/a", new MapSpec(true, Bpf.ARRAY, 4, 8, 1, 0, "a"), PinOptions.DEFAULT));
      assertTrue(
          c.list("/").stream().anyMatch(e -> e.name().equals("m1")),
          "the map over the new quota stays");
    }
  }

  @Test
  void theBoundsOnUidsAndTimeoutsAndTheAuditLogReloadToo() throws Exception {
    BrokerConfig next =
        new BrokerConfig(
            socket,
            0666,
            new NamespaceConfig(01777, 022, true, 100, 1),
            new ServerConfig(8, 2, Duration.ofMillis(300), Duration.ofSeconds(3)),
            initial.maps(),
            0);
    try (PinbrokerClient before = client()) {
      broker.reload(() -> new Settings(next, Level.INFO, false));
      assertEquals(
          List.of(
              "reloaded: max-names-per-uid 100 -> 1, max-connections-per-uid 8 -> 2, idle-timeout"
                  + " off -> 300ms, send-timeout 10000ms -> 3000ms, audit true -> false"),
          messages(Level.INFO));
      assertTrue(!AuditLog.isEnabled(), "the audit log is off");

      before.mkdir("/one", 0755);
      assertThrows(QuotaExceededException.class, () -> before.mkdir("/two", 0755));

      try (PinbrokerClient second = client()) {
        BrokerUnreachableException e = assertThrows(BrokerUnreachableException.class, this::client);
        assertInstanceOf(QuotaExceededException.class, e.getCause());
        Thread.sleep(600); // past the new idle timeout
        TimedOutException idle =
            assertThrows(TimedOutException.class, () -> second.stat("/"), "accepted after it");
        assertTrue(idle.getMessage().contains("idle for 300 ms"), idle.getMessage());
      }
      assertEquals(01777, before.stat("/").mode(), "accepted before: no idle timeout");
    } finally {
      AuditLog.enabled(true);
    }
  }
}
