package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.ChangeLog;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.persist.Snapshot;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.daemon.systemd.Activation;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.PathName;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BPF objects kept by pins in the broker's bpffs instead of fds: the broker's fd count does not
 * grow with them, GET opens them from the pin (read-only enforced by the kernel), unlink removes
 * the pin, a restart finds them through the journal with nothing in the fd store, and removes the
 * pins its earlier runs left that no entry holds, and no other file.
 */
class BpfStoreTest {
  private static final int MAPS = 300;
  @TempDir Path dir;
  private Path store;
  private final RecordingNotifier manager = new RecordingNotifier();
  /** The service manager of a second broker on the same store. */
  private final RecordingNotifier otherManager = new RecordingNotifier();
  private final List<Broker> brokers = new ArrayList<>();
  private final Logger brokerLog = Logger.getLogger(Broker.class.getName());
  private final List<String> logged = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          synchronized (logged) {
            logged.add(r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void mountAStore() {
    Capability.requireBpf("pin BPF objects in a bpffs of the broker's");
    store = dir.resolve("bpffs");
    brokerLog.addHandler(capture);
  }

  @AfterEach
  void cleanUp() throws Exception {
    brokerLog.removeHandler(capture);
    for (Broker b : brokers) {
      b.stop();
      b.namespace().thaw();
      b.namespace().persistTo(ChangeLog.NONE);
      List<Change> all = new ArrayList<>();
      b.namespace().snapshot(all::add);
      for (Change c : all.reversed()) {
        if (c instanceof Change.PutEntry p) {
          b.namespace().unlink(new PeerCredentials(1, 0, 0), PathName.parse(p.path()), true);
        }
      }
    }
    manager.closeStore();
    otherManager.closeStore();
    if (store != null && Files.isDirectory(store)) {
      new ProcessBuilder("umount", store.toString()).inheritIO().start().waitFor();
    }
  }

  private Broker start(int generation, Activation.Inherited inherited) throws IOException {
    return start(generation, inherited, manager, 64);
  }

  /** A broker on the store; with {@code fdStoreMax} 0 it keeps no fd store (as outside systemd). */
  private Broker start(
      int generation, Activation.Inherited inherited, RecordingNotifier manager, long fdStoreMax)
      throws IOException {
    BrokerConfig config =
        new BrokerConfig(
            dir.resolve("b" + generation + ".sock"), 0666,
            new NamespaceConfig(01777, 022, true, 10_000), new ServerConfig(16), TestBroker.MAPS,
            fdStoreMax, store.toString());
    Broker b =
        DaggerTestComponent.factory().create(config, InstantSource.system(), manager).broker();
    brokers.add(b);
    b.start(inherited);
    return b;
  }

  private static PinbrokerClient client(Path socket) throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(10)).build();
  }

  @Test
  void pinnedMapsCostTheBrokerNoFdAndOpenFromTheirPins() throws Exception {
    Broker broker = start(1, Activation.Inherited.NOTHING);
    int before = FdCount.self();
    List<Integer> ids = new ArrayList<>();
    try (PinbrokerClient c = client(dir.resolve("b1.sock"))) {
      for (int i = 0; i < MAPS; i++) {
        try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 1, 0, "m" + i)) {
          ids.add(Bpf.mapInfo(map.value()).id());
          c.pin("/m" + i, map.value(), PinOptions.DEFAULT.mode(0644));
        }
      }
      int growth = FdCount.self() - before;
      assertTrue(growth < 20, MAPS + " maps held grew the process's fds by " + growth);
      assertEquals(MAPS, pins().size(), "one pin per map in the store");

      try (ReceivedFd ro = c.get("/m7", Access.READ_ONLY);
          ReceivedFd rw = c.get("/m7", Access.READ_WRITE)) {
        assertEquals(Handout.REOPENED, ro.handout());
        assertEquals(ids.get(7), Bpf.mapInfo(ro.fd().value()).id(), "the same kernel map");
        byte[] value = {42, 0, 0, 0, 0, 0, 0, 0};
        Bpf.update(rw.fd().value(), Bpf.u32(0), value, Bpf.ANY);
        assertThrows(ErrnoException.class, () -> Bpf.update(ro.fd().value(), Bpf.u32(0), value, Bpf.ANY));
      }
      assertEquals(ids.get(7), ((ObjectDetails.MapDetails) c.stat("/m7").details()).id());
      c.unlink("/m7");
      assertEquals(MAPS - 1, pins().size(), "unlink removes the pin");
      c.createMap("/created", new MapSpec(false, Bpf.HASH, 4, 4, 8, 0, "created"), PinOptions.DEFAULT);
      assertEquals(MAPS, pins().size(), "a map the broker creates is pinned too");
    }
    assertFalse(broker.status().isEmpty());
  }

  @Test
  void aRestartFindsPinnedObjectsThroughTheJournalAlone() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    int id;
    try (PinbrokerClient c = client(dir.resolve("b1.sock"));
        Fd map = Bpf.createMap(Bpf.HASH, 4, 4, 8, 0, "kept")) {
      id = Bpf.mapInfo(map.value()).id();
      c.pin("/kept", map.value(), PinOptions.DEFAULT);
    }
    assertEquals(List.of("journal-1"), manager.storedNames(), "no fd of a pinned map is stored");
    List<Path> firstPins = pins();
    Map<String, Fd> kept = manager.inheritStore();
    first.stop();
    Broker second = start(2, new Activation.Inherited(null, kept));
    try (PinbrokerClient c = client(dir.resolve("b2.sock"));
        ReceivedFd got = c.get("/kept", Access.READ_ONLY)) {
      assertEquals(id, Bpf.mapInfo(got.fd().value()).id(), "the same kernel map after the restart");
    }
    assertEquals(firstPins, pins(), "kept by the pin the journal named");
    assertTrue(second.status().startsWith("serving 1 names"), second.status());
    try (PinbrokerClient c = client(dir.resolve("b2.sock"));
        Fd map = Bpf.createMap(Bpf.HASH, 4, 4, 8, 0, "later")) {
      c.pin("/later", map.value(), PinOptions.DEFAULT);
      c.unlink("/kept");
    }
    assertEquals(1, pins().size(), "the replayed object's pin went with its name");
    assertNotEquals(firstPins, pins(), "a new run pins under a name of its own");
  }

  @Test
  void aRestartRemovesThePinsItsEarlierRunLeftAndNothingElse() throws Exception {
    Broker first = start(1, Activation.Inherited.NOTHING);
    try (PinbrokerClient c = client(dir.resolve("b1.sock"));
        Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 1, 0, "kept")) {
      c.pin("/kept", map.value(), PinOptions.DEFAULT);
    }
    Path kept = pins().getFirst();
    String run = runOf(kept);
    // as if the broker had pinned a map, then been killed before its journal record was written
    Path stray = pinNewMap(run + 1000);
    Path otherRun = pinNewMap("zz9-1"); // a run no journal names: another broker's, perhaps
    Path notAPin = pinNewMap(run + "custom");
    Path aDirectory = Files.createDirectory(store.resolve(run + 1001));
    Map<String, Fd> stored = manager.inheritStore();
    first.stop();

    start(2, new Activation.Inherited(null, stored));
    assertFalse(Files.exists(stray), "the stray pin of the earlier run is removed");
    assertTrue(Files.exists(kept), "the pin the journal names stays");
    assertTrue(Files.exists(otherRun), "a pin of a run no journal names stays");
    assertTrue(Files.exists(notAPin), "a file not named like a pin stays");
    assertTrue(Files.isDirectory(aDirectory), "a directory stays, whatever its name");
    try (PinbrokerClient c = client(dir.resolve("b2.sock"));
        ReceivedFd got = c.get("/kept", Access.READ_ONLY)) {
      assertEquals(Bpf.ARRAY, Bpf.mapInfo(got.fd().value()).type());
    }
    assertTrue(
        logged().stream().anyMatch(m -> m.contains(", 1 stray pins removed,")),
        logged().toString());
  }

  @Test
  void aStartWithNoJournalRemovesNoPinOfABrokerSharingTheDirectory() throws Exception {
    start(1, Activation.Inherited.NOTHING);
    try (PinbrokerClient c = client(dir.resolve("b1.sock"));
        Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 1, 0, "live")) {
      c.pin("/live", map.value(), PinOptions.DEFAULT);
    }
    Path live = pins().getFirst();
    Path inTheMaking = pinNewMap(runOf(live) + 2); // a pin the first broker has yet to journal

    start(2, Activation.Inherited.NOTHING, otherManager, 64);
    assertTrue(Files.exists(live), "the other broker's pin stays");
    assertTrue(Files.exists(inTheMaking), "so does one its journal has yet to name");
    try (PinbrokerClient c = client(dir.resolve("b2.sock"));
        Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 1, 0, "second")) {
      c.pin("/second", map.value(), PinOptions.DEFAULT);
    }
    assertEquals(3, pins().size());
    assertEquals(2, pins().stream().map(BpfStoreTest::runOf).distinct().count(), "a run each");
  }

  @Test
  void aTakeoverRemovesStrayPinsOfThePredecessorsRunsButNotWhatItHolds() throws Exception {
    Broker old = start(1, Activation.Inherited.NOTHING, manager, 0);
    try (PinbrokerClient c = client(dir.resolve("b1.sock"));
        Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 1, 0, "handed")) {
      c.pin("/handed", map.value(), PinOptions.DEFAULT);
    }
    Path handed = pins().getFirst();
    Path stray = pinNewMap(runOf(handed) + 77);
    old.namespace().freeze(); // as a handoff does before it writes the snapshot
    Map<String, Fd> fromOld = new HashMap<>();
    fromOld.put(Snapshot.NAME, Snapshot.of(old.namespace()));

    start(2, new Activation.Inherited(null, fromOld), manager, 0);
    assertFalse(Files.exists(stray), "the stray pin of the predecessor's run is removed");
    assertTrue(Files.exists(handed), "the pin the snapshot names stays");
    try (PinbrokerClient c = client(dir.resolve("b2.sock"));
        ReceivedFd got = c.get("/handed", Access.READ_ONLY)) {
      assertEquals(Bpf.ARRAY, Bpf.mapInfo(got.fd().value()).type());
    }
  }

  /** A new array map, pinned at {@code name} in the store; only the pin keeps it. */
  private Path pinNewMap(String name) throws IOException {
    Path pin = store.resolve(name);
    try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 1, 0, "planted")) {
      Bpf.pin(map.value(), pin.toString());
    }
    return pin;
  }

  /** The run's prefix in a pin's name: {@code m3x9k2a-} of {@code m3x9k2a-1}. */
  private static String runOf(Path pin) {
    return pin.getFileName().toString().replaceAll("[0-9]+$", "");
  }

  private List<String> logged() {
    synchronized (logged) {
      return List.copyOf(logged);
    }
  }

  /** The pins in the store (a new bpffs also shows the kernel's maps.debug and progs.debug). */
  private List<Path> pins() throws IOException {
    try (Stream<Path> s = Files.list(store)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".debug")).toList();
    }
  }
}
