package io.pinbroker.daemon.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.RecordingNotifier;
import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.ChangeLog;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The change log over an fd store: pushes, removals, the object limit and journal rewrites. */
class PersistenceTest {
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);
  private final RecordingNotifier manager = new RecordingNotifier();
  private final Namespace ns =
      new Namespace(new NamespaceConfig(01777, 022, true, 1000), InstantSource.system());
  private Persistence log;

  @AfterEach
  void close() throws Exception {
    ns.persistTo(ChangeLog.NONE);
    for (Change c : snapshot(ns).reversed()) {
      if (c instanceof Change.PutEntry p) {
        ns.unlink(ROOT, PathName.parse(p.path()), true);
      }
    }
    if (log != null) {
      log.close();
    }
    manager.closeStore();
  }

  private void persist(long maxObjects, long minRewriteBytes) {
    log = new Persistence(manager, maxObjects, 0, minRewriteBytes);
    ns.persistTo(log);
  }

  private void pin(String path) throws Exception {
    Fd fd = FileOps.memfd("p", 1, 0);
    ns.pin(ROOT, PathName.parse(path), 0600, Request.DEFAULT_ID, 0, 0, HeldObject.adopt(fd));
  }

  @Test
  void eachPinIsPushedBeforeItIsAcknowledgedAndRemovedWithItsName() throws Exception {
    persist(10, 1 << 20);
    assertEquals(List.of("journal-1"), manager.storedNames());
    int barriers = manager.barriers();
    pin("/a");
    pin("/b");
    assertEquals(List.of("journal-1", "o1", "o2"), manager.storedNames());
    ns.commit();
    assertEquals(barriers + 1, manager.barriers(), "one barrier covers both pins");
    ns.commit();
    assertEquals(barriers + 1, manager.barriers(), "nothing new to wait for");
    ns.unlink(ROOT, PathName.parse("/a"), false);
    assertEquals(List.of("journal-1", "o2"), manager.storedNames());
  }

  @Test
  void aPinPastTheStoreLimitIsRefusedAndChangesNothing() throws Exception {
    persist(2, 1 << 20);
    pin("/a");
    pin("/b");
    List<Change> before = snapshot(ns);
    Refusal r = assertThrows(Refusal.class, () -> pin("/c"));
    assertEquals(Status.ENOSPC, r.status());
    assertEquals(before, snapshot(ns));
    ns.unlink(ROOT, PathName.parse("/a"), false);
    pin("/c");
    assertEquals(List.of("journal-1", "o2", "o4"), manager.storedNames());
  }

  @Test
  void aGrownJournalIsRewrittenAndStillReplaysToTheSameTree() throws Exception {
    persist(10, 4096);
    pin("/x");
    for (int i = 0; i < 500; i++) {
      ns.chmod(ROOT, PathName.parse("/x"), i % 2 == 0 ? 0644 : 0600);
    }
    List<String> stored = manager.storedNames();
    assertEquals(2, stored.size(), stored.toString());
    assertTrue(stored.contains("o1"), stored.toString());
    String journal = stored.stream().filter(n -> n.startsWith("journal-")).findFirst().orElseThrow();
    assertFalse(journal.equals("journal-1"), journal);
    assertFalse(stored.contains("journal-1"), "the old journal is dropped once the new is stored");

    Map<String, Fd> kept = manager.inheritStore();
    try (Fd j = kept.get(journal)) {
      Namespace again =
          new Namespace(new NamespaceConfig(01777, 022, true, 1000), InstantSource.system());
      again.restore(Journal.read(j), entry -> null);
      List<Change> expected = new ArrayList<>(snapshot(ns));
      expected.removeIf(c -> c instanceof Change.PutEntry);
      assertEquals(expected, snapshot(again), "the tree, less the entry whose fd was not given");
    } finally {
      kept.values().forEach(Fd::close);
    }
  }

  private static List<Change> snapshot(Namespace n) {
    List<Change> out = new ArrayList<>();
    n.snapshot(out::add);
    return out;
  }
}
