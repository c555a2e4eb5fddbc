package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.EntryExistsException;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.QuotaExceededException;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.ChangeLog;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.persist.Persistence;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.daemon.systemd.Activation;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.StatsMetric;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistence through the fd store, in-process: a broker restarted from what its service manager
 * kept has the same tree (names, owners, modes, generations, times, objects), holds the same open
 * files, and lets go of what was never acknowledged.
 */
class PersistenceTest {
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);
  /** A sim hash map of 65536 16-byte elements: 1 MiB, TestBroker.MAPS's largest. */
  private static final MapSpec MEBIBYTE_SIM_MAP = new MapSpec(true, 1, 8, 8, 65536, 0, "persist");
  @TempDir Path dir;
  private final RecordingNotifier manager = new RecordingNotifier();
  private final List<Broker> brokers = new ArrayList<>();
  private int baseline;

  @BeforeEach
  void countFds() throws IOException {
    baseline = FdCount.self();
  }

  @AfterEach
  void releaseEverything() throws Exception {
    for (Broker b : brokers) {
      b.stop();
      empty(b.namespace());
    }
    manager.closeStore();
    long pid = ProcessHandle.current().pid();
    assertEquals(baseline, FdCount.settle(pid, baseline, Duration.ofSeconds(5)), "fds leaked");
  }

  private Broker start(int generation, Activation.Inherited inherited) throws IOException {
    BrokerConfig config =
        new BrokerConfig(
            dir.resolve("b" + generation + ".sock"),
            0666,
            new NamespaceConfig(01777, 022, true, 1000),
            new ServerConfig(16),
            TestBroker.MAPS,
            64);
    Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(generation * 3600L);
    Broker b =
        DaggerTestComponent.factory().create(config, InstantSource.fixed(t), manager).broker();
    brokers.add(b);
    b.start(inherited);
    return b;
  }

  private static PinbrokerClient client(Broker b, Path socket) throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void aRestartRebuildsTheSameTreeWithTheSameObjects() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    NodeInfo stats;
    try (PinbrokerClient c = client(first, dir.resolve("b1.sock"))) {
      c.mkdir("/net", 0755);
      stats = pinMemfd(c, "/net/stats", "hello", PinOptions.DEFAULT.mode(0640));
      Fd[] pipe = FileOps.pipe();
      try (Fd r = pipe[0]) {
        pipe[1].close();
        c.pin("/net/pipe", r.value(), PinOptions.DEFAULT.mode(0644));
      }
      c.mkdir("/net/sub", 0700);
      pinMemfd(c, "/net/sub/x", "x", PinOptions.DEFAULT);
      c.rename("/net/sub", "/moved", RenameMode.NOREPLACE);
      pinMemfd(c, "/a", "a", PinOptions.DEFAULT);
      pinMemfd(c, "/b", "b", PinOptions.DEFAULT);
      c.rename("/a", "/b", RenameMode.EXCHANGE);
      pinMemfd(c, "/net/pipe", "replaced the pipe", PinOptions.DEFAULT.replacing());
      c.chmod("/net/stats", 0600);
      c.chown("/moved/x", 1234, 5678);
      pinMemfd(c, "/gone", "gone", PinOptions.DEFAULT);
      c.unlink("/gone");
      for (int i = 0; i < 4; i++) { // 4 x 1 MiB: the uid's whole quota
        c.createMap("/map" + i, MEBIBYTE_SIM_MAP, PinOptions.DEFAULT);
      }
      assertThrows(
          QuotaExceededException.class,
          () -> c.createMap("/map4", MEBIBYTE_SIM_MAP, PinOptions.DEFAULT));
    }
    List<Change> before = tree(first);
    assertEquals(
        storeNamesFor(before, 1), sorted(manager.storedNames()), "the fd store holds what is named");
    Map<String, Fd> kept = manager.inheritStore();
    first.stop();

    Broker second = start(2, new Activation.Inherited(null, kept));
    assertEquals(before, tree(second), "the same tree, attributes and object ids");
    try (PinbrokerClient c = client(second, dir.resolve("b2.sock"));
        ReceivedFd got = c.get("/net/stats", Access.READ_ONLY)) {
      NodeInfo now = got.info();
      assertEquals(stats.dev(), now.dev(), "the same memfd");
      assertEquals(stats.ino(), now.ino(), "the same memfd");
      assertEquals("hello", read(got.fd()));
      assertEquals(stats.generation(), now.generation());
      assertThrows(EntryExistsException.class, () -> pinMemfd(c, "/net/stats", "", PinOptions.DEFAULT));
      NodeInfo fresh = pinMemfd(c, "/fresh", "new", PinOptions.DEFAULT);
      assertTrue(fresh.generation() > maxGeneration(before), "generations keep rising");
      assertThrows(
          QuotaExceededException.class,
          () -> c.createMap("/map4", MEBIBYTE_SIM_MAP, PinOptions.DEFAULT),
          "the maps' charges come back with them");
    }
    assertEquals(
        storeNamesFor(tree(second), 2),
        sorted(manager.storedNames()),
        "the old journal is gone from the store, the new one and every object are there");
  }

  @Test
  void timesToLiveAndEphemeralPinsSurviveARestart() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    PinbrokerClient owner = client(first, dir.resolve("b1.sock"));
    try (PinbrokerClient c = client(first, dir.resolve("b1.sock"))) {
      pinMemfd(c, "/lease", "l", PinOptions.DEFAULT.ttl(Duration.ofHours(3)));
      pinMemfd(owner, "/eph", "e", PinOptions.DEFAULT.whileConnected());
      pinMemfd(c, "/short", "s", PinOptions.DEFAULT.ttl(Duration.ofMinutes(30)));
    }
    List<Change> before = tree(first);
    Map<String, Fd> kept = manager.inheritStore();
    first.stop(); // closes the owner's connection: the ephemeral pin stays for its process
    owner.close();
    assertEquals(before, tree(first), "stopping removed nothing");

    Broker second = start(2, new Activation.Inherited(null, kept));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (entryPaths(tree(second)).contains("/short") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(
        List.of("/eph", "/lease"),
        entryPaths(tree(second)),
        "the second broker's clock is an hour on: /short ran out while it was down, /lease not");
    for (String path : List.of("/eph", "/lease")) {
      assertEquals(
          entry(before, path), entry(tree(second), path), "the same lifetime: expiry, owner");
    }
  }

  @Test
  void statsReportTheFdStoreAndTheRestoredNames() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    try (PinbrokerClient c = client(first, dir.resolve("b1.sock"))) {
      c.mkdir("/d", 0755);
      pinMemfd(c, "/d/a", "a", PinOptions.DEFAULT);
      pinMemfd(c, "/d/b", "b", PinOptions.DEFAULT);
      c.createMap("/d/m", MEBIBYTE_SIM_MAP, PinOptions.DEFAULT);
      Stats s = c.stats();
      assertEquals(
          OptionalLong.of(3 + 1), s.value(StatsMetric.FD_STORE_USED), "3 objects, 1 journal");
      assertEquals(OptionalLong.of(64), s.value(StatsMetric.FD_STORE_MAX));
    }
    Map<String, Fd> kept = manager.inheritStore();
    first.stop();
    Broker second = start(2, new Activation.Inherited(null, kept));
    try (PinbrokerClient c = client(second, dir.resolve("b2.sock"))) {
      Stats s = c.stats();
      assertEquals(
          List.of(1L, 2L, 1L),
          List.of(s.names(ObjectKind.NONE), s.names(ObjectKind.FD), s.names(ObjectKind.SIM_MAP)),
          "names by kind, counted afresh after the restore");
      assertEquals(OptionalLong.of(3), s.value(StatsMetric.FDS_HELD));
      assertEquals(OptionalLong.of(3 + 1), s.value(StatsMetric.FD_STORE_USED));
    }
  }

  @Test
  void fdsNoJournalNamesAreDiscardedAndNamesWithoutTheirFdAreReported() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    try (PinbrokerClient c = client(first, dir.resolve("b1.sock"))) {
      pinMemfd(c, "/kept", "k", PinOptions.DEFAULT);
      pinMemfd(c, "/lost", "l", PinOptions.DEFAULT);
    }
    List<Change> before = tree(first);
    Map<String, Fd> kept = manager.inheritStore();
    first.stop();
    String lost = Persistence.objectName(entry(before, "/lost").objectId());
    kept.remove(lost).close();
    manager.send("FDSTOREREMOVE=1\nFDNAME=" + lost); // as systemd drops an fd that hangs up
    kept.put("o999", FileOps.memfd("never-acknowledged", 1, 0));

    Broker second = start(2, new Activation.Inherited(null, kept));
    List<Change> after = tree(second);
    assertEquals(List.of("/kept"), entryPaths(after), "the entry whose fd is gone is removed");
    assertTrue(
        second.status().endsWith("; 1 names lost at restore (see the log)"), second.status());
    assertTrue(
        manager.messages().contains("FDSTOREREMOVE=1\nFDNAME=o999"),
        "an fd no journal entry names is dropped from the store");
    assertEquals(storeNamesFor(after, 2), sorted(manager.storedNames()));
  }

  @Test
  void aTornLastRecordIsIgnoredAndEverythingBeforeItKept() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    try (PinbrokerClient c = client(first, dir.resolve("b1.sock"))) {
      c.mkdir("/d", 0755);
      c.mkdir("/d/e", 0755);
      c.chmod("/d", 0700);
    }
    List<Change> full = tree(first);
    Map<String, Fd> kept = manager.inheritStore();
    first.stop();
    Fd journal = kept.get("journal-1");
    long size = FileOps.stat(journal.value()).size();
    try (var ch =
        java.nio.channels.FileChannel.open(
            Path.of("/proc/self/fd/" + journal.value()), java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size - 3); // the last record (the chmod) cut short, as by a crash
    }
    Broker second = start(2, new Activation.Inherited(null, kept));
    List<Change> after = tree(second);
    assertEquals(List.of("/d", "/d/e"), directoryPaths(after));
    assertEquals(0755, ((Change.PutDirectory) after.get(1)).meta().mode(), "the chmod was cut");
    assertEquals(0700, ((Change.PutDirectory) full.get(1)).meta().mode());
  }

  @Test
  void withoutAServiceManagerNothingIsStored() throws Exception {
    try (TestBroker b = TestBroker.start(dir)) {
      try (PinbrokerClient c = b.client()) {
        pinMemfd(c, "/x", "x", PinOptions.DEFAULT);
        c.unlink("/x");
      }
    }
    assertEquals(List.of(), manager.storedNames());
  }

  // ---- helpers ----

  /**
   * A pin waits for the fd store's BARRIER=1 before it is acknowledged; while it waits, other
   * clients' GET, STAT and LIST are served, and the pin completes once the barrier is answered.
   */
  @Test
  void aPinWaitingForTheFdStoreStallsNobodyElse() throws Exception {
    Broker b = start(1, Activation.Inherited.NOTHING);
    Path socket = dir.resolve("b1.sock");
    ExecutorService pinner = Executors.newSingleThreadExecutor();
    List<PinbrokerClient> readers = new ArrayList<>();
    try (PinbrokerClient writer = client(b, socket)) {
      pinMemfd(writer, "/ready", "r", PinOptions.DEFAULT);
      for (int i = 0; i < 4; i++) { // connections are spread over the loops: one shares the writer's
        readers.add(client(b, socket));
      }
      manager.holdBarriers();
      Future<NodeInfo> pin = pinner.submit(() -> pinMemfd(writer, "/waits", "w", PinOptions.DEFAULT));
      Thread.sleep(200);
      assertTrue(!pin.isDone(), "the pin waits for the barrier");
      for (PinbrokerClient reader : readers) {
        for (int i = 0; i < 20; i++) {
          try (ReceivedFd got = reader.get("/ready", Access.READ_ONLY)) {
            assertEquals("r", read(got.fd()));
          }
          assertEquals(NodeType.ENTRY, reader.stat("/ready").type());
          assertTrue(reader.list("/").size() >= 1);
        }
      }
      assertTrue(!pin.isDone(), "still waiting while others were served");
      manager.releaseBarriers();
      NodeInfo pinned = pin.get(5, TimeUnit.SECONDS);
      assertEquals(pinned.generation(), readers.get(0).stat("/waits").generation());
    } finally {
      manager.releaseBarriers();
      pinner.shutdownNow();
      for (PinbrokerClient reader : readers) {
        reader.close();
      }
    }
  }

  private static NodeInfo pinMemfd(PinbrokerClient c, String path, String content, PinOptions o)
      throws IOException {
    try (Fd fd = FileOps.memfd("persist", 0, 0)) {
      Files.writeString(Path.of("/proc/self/fd/" + fd.value()), content);
      return c.pin(path, fd.value(), o);
    }
  }

  private static String read(Fd fd) throws IOException {
    return Files.readString(Path.of("/proc/self/fd/" + fd.value()));
  }

  private static List<Change> tree(Broker b) {
    List<Change> out = new ArrayList<>();
    b.namespace().snapshot(out::add);
    return out;
  }

  private static List<String> storeNamesFor(List<Change> tree, long journalEpoch) {
    List<String> names = new ArrayList<>();
    names.add("journal-" + journalEpoch);
    for (Change c : tree) {
      if (c instanceof Change.PutEntry p) {
        names.add(Persistence.objectName(p.objectId()));
      }
    }
    return sorted(names);
  }

  private static List<String> sorted(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    Collections.sort(copy);
    return copy;
  }

  private static Change.PutEntry entry(List<Change> tree, String path) {
    for (Change c : tree) {
      if (c instanceof Change.PutEntry p && p.path().equals(path)) {
        return p;
      }
    }
    throw new AssertionError(path + " not in the tree");
  }

  private static List<String> entryPaths(List<Change> tree) {
    return tree.stream()
        .filter(c -> c instanceof Change.PutEntry)
        .map(c -> ((Change.PutEntry) c).path())
        .toList();
  }

  private static List<String> directoryPaths(List<Change> tree) {
    return tree.stream()
        .filter(c -> c instanceof Change.PutDirectory)
        .map(c -> ((Change.PutDirectory) c).path())
        .toList();
  }

  private static long maxGeneration(List<Change> tree) {
    long max = 0;
    for (Change c : tree) {
      Change.Meta m =
          switch (c) {
            case Change.PutEntry p -> p.meta();
            case Change.PutDirectory p -> p.meta();
            case Change.SetMeta s -> s.meta();
            default -> throw new AssertionError(c);
          };
      max = Math.max(max, m.generation());
    }
    return max;
  }

  /** Removes every node, deepest first, without telling the fd store: the process "ends". */
  private static void empty(Namespace ns) throws Exception {
    ns.persistTo(ChangeLog.NONE);
    List<Change> all = new ArrayList<>();
    ns.snapshot(all::add);
    Collections.reverse(all);
    for (Change c : all) {
      switch (c) {
        case Change.PutEntry p -> ns.unlink(ROOT, PathName.parse(p.path()), true);
        case Change.PutDirectory p -> ns.rmdir(ROOT, PathName.parse(p.path()));
        default -> {}
      }
    }
  }
}
