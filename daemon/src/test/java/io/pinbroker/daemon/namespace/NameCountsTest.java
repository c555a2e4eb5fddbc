package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Request;
import io.pinbroker.sim.SimMap;
import io.pinbroker.sim.SimMapType;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The names-by-kind counters the namespace keeps as it changes agree, after every kind of
 * change, with a count made by walking the tree.
 */
class NameCountsTest {
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);
  private final List<Namespace> namespaces = new ArrayList<>();

  private Namespace namespace() {
    Namespace ns =
        new Namespace(
            new NamespaceConfig(01777, 022, true, 1000),
            InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")));
    namespaces.add(ns);
    return ns;
  }

  @AfterEach
  void release() {
    for (Namespace ns : namespaces) {
      ns.objects().values().forEach(HeldObject::close);
    }
  }

  private static PathName p(String path) throws Exception {
    return PathName.parse(path);
  }

  private static HeldObject memfd() throws Exception {
    return adopt(FileOps.memfd("pinbroker-counts", 16, 0));
  }

  private static HeldObject simMap() throws Exception {
    return adopt(SimMap.create(SimMapType.HASH, 4, 8, 16, "counts"));
  }

  private static HeldObject adopt(Fd fd) throws Refusal {
    try {
      return HeldObject.adopt(fd);
    } catch (Refusal r) {
      fd.close();
      throw r;
    }
  }

  private static void pin(Namespace ns, String path, HeldObject o, int flags) throws Exception {
    ns.pin(ROOT, p(path), 0644, Request.DEFAULT_ID, flags, 0, o);
  }

  /** What a walk of the tree finds. */
  private static Map<ObjectKind, Long> walked(Namespace ns) {
    Map<ObjectKind, Long> counts = new EnumMap<>(ObjectKind.class);
    for (ObjectKind k : ObjectKind.values()) {
      counts.put(k, 0L);
    }
    SortedMap<Long, HeldObject> objects = ns.objects();
    ns.snapshot(
        change -> {
          switch (change) {
            case Change.PutDirectory d -> counts.merge(ObjectKind.NONE, 1L, Long::sum);
            case Change.PutEntry e -> counts.merge(objects.get(e.objectId()).kind(), 1L, Long::sum);
            default -> {}
          }
        });
    return counts;
  }

  private static void check(Namespace ns, long dirs, long fds, long simMaps) {
    Map<ObjectKind, Long> kept = ns.namesByKind();
    assertEquals(walked(ns), kept, "counters against a walk");
    assertEquals(List.of(dirs, fds, simMaps), List.of(
        kept.get(ObjectKind.NONE), kept.get(ObjectKind.FD), kept.get(ObjectKind.SIM_MAP)));
    assertEquals(dirs + fds + simMaps, ns.size());
  }

  @Test
  void everyChangeKeepsTheCountersRight() throws Exception {
    Namespace ns = namespace();
    check(ns, 0, 0, 0);
    ns.mkdir(ROOT, p("/a"), 0755);
    ns.mkdir(ROOT, p("/b"), 0755);
    ns.mkdir(ROOT, p("/a/c"), 0755);
    pin(ns, "/a/x", memfd(), 0);
    pin(ns, "/a/y", memfd(), 0);
    pin(ns, "/b/m", simMap(), 0);
    check(ns, 3, 2, 1);

    pin(ns, "/a/x", simMap(), Request.PIN_REPLACE); // a memfd replaced by a sim map
    check(ns, 3, 1, 2);
    ns.rename(ROOT, p("/a/y"), p("/b/m"), RenameMode.REPLACE); // a sim map moved over
    check(ns, 3, 1, 1);
    ns.rename(ROOT, p("/a/x"), p("/b/m"), RenameMode.EXCHANGE);
    check(ns, 3, 1, 1);
    ns.rename(ROOT, p("/a/c"), p("/b/c"), RenameMode.NOREPLACE);
    check(ns, 3, 1, 1);
    ns.mkdir(ROOT, p("/e"), 0755);
    ns.rename(ROOT, p("/e"), p("/b/c"), RenameMode.REPLACE); // an empty directory moved over
    check(ns, 3, 1, 1);

    ns.unlink(ROOT, p("/a/x"), false);
    ns.rmdir(ROOT, p("/b/c"));
    check(ns, 2, 0, 1);
  }

  @Test
  void refusedChangesCountNothing() throws Exception {
    Namespace ns = namespace();
    pin(ns, "/x", memfd(), 0);
    assertThrows(Refusal.class, () -> pin(ns, "/x", simMap(), 0));
    assertThrows(Refusal.class, () -> ns.mkdir(ROOT, p("/x"), 0755));
    assertThrows(Refusal.class, () -> ns.rmdir(ROOT, p("/x")));
    check(ns, 0, 1, 0);
  }

  @Test
  void aRestoredTreeIsCountedAfresh() throws Exception {
    Namespace before = namespace();
    before.mkdir(ROOT, p("/d"), 0755);
    pin(before, "/d/f", memfd(), 0);
    pin(before, "/d/m", simMap(), 0);
    List<Change> changes = new ArrayList<>();
    before.snapshot(changes::add);
    SortedMap<Long, HeldObject> objects = before.objects();

    Namespace after = namespace();
    after.restore(
        changes,
        entry -> {
          try {
            return HeldObject.adopt(FileOps.duplicate(objects.get(entry.objectId()).fd(), 3));
          } catch (IOException | Refusal e) {
            throw new AssertionError(e);
          }
        });
    check(after, 1, 1, 1);
  }
}
