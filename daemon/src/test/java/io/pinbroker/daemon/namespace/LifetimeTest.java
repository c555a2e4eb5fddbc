package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.object.Charge;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.Liveness;
import io.pinbroker.unix.PeerCredentials;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Entries that go by themselves: a time to live, an ephemeral owner, and either after a restart. */
class LifetimeTest {
  private static final int PID = (int) ProcessHandle.current().pid();
  private final Namespace ns =
      new Namespace(new NamespaceConfig(01777, 022, true, 1000), InstantSource.system());
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<HeldObject> held = new ArrayList<>();

  @BeforeEach
  void listen() {
    ns.listen(events::add);
  }

  @AfterEach
  void closeWhatIsLeft() {
    held.forEach(HeldObject::close);
  }

  private HeldObject object() throws Exception {
    HeldObject o = HeldObject.adopt(FileOps.memfd("lifetime", 1, 0));
    held.add(o);
    return o;
  }

  private void pin(PeerCredentials who, String path, int flags, long ttl) throws Exception {
    ns.pin(who, PathName.parse(path), 0600, Request.DEFAULT_ID, flags, 0, ttl, object());
  }

  private boolean exists(String path) throws Exception {
    try {
      ns.stat(root(), PathName.parse(path));
      return true;
    } catch (Refusal r) {
      assertEquals(Status.ENOENT, r.status());
      return false;
    }
  }

  private static PeerCredentials root() {
    return new PeerCredentials(PID, 0, 0);
  }

  private Event next(Event.Type type) throws InterruptedException {
    while (true) {
      Event e = events.poll(5, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("no " + type + " event within 5 s");
      }
      if (e.type() == type) {
        return e;
      }
    }
  }

  @Test
  void aTimeToLiveRunsOutAndTheEntryExpires() throws Exception {
    pin(root(), "/lease", Request.PIN_TTL, 150);
    assertTrue(exists("/lease"));
    Event e = next(Event.Type.EXPIRED);
    assertEquals("/lease", e.path());
    assertFalse(exists("/lease"));
    assertEquals(0, ns.size());
  }

  @Test
  void anEntryRenamedBeforeItsTimeExpiresUnderItsNewName() throws Exception {
    ns.mkdir(root(), PathName.parse("/d"), 0755);
    pin(root(), "/lease", Request.PIN_TTL, 300);
    ns.rename(root(), PathName.parse("/lease"), PathName.parse("/d/moved"), io.pinbroker.protocol.RenameMode.NOREPLACE);
    assertEquals("/d/moved", next(Event.Type.EXPIRED).path());
    assertFalse(exists("/d/moved"));
  }

  @Test
  void replacingAnEntryCancelsItsTimeToLive() throws Exception {
    pin(root(), "/x", Request.PIN_TTL, 200);
    pin(root(), "/x", Request.PIN_REPLACE, 0);
    Thread.sleep(600);
    assertTrue(exists("/x"), "the new entry has no time to live");
    assertTrue(events.stream().noneMatch(e -> e.type() == Event.Type.EXPIRED));
  }

  @Test
  void ephemeralEntriesGoWithTheirConnectionOnly() throws Exception {
    PeerCredentials a = root();
    PeerCredentials b = root(); // equal credentials, another connection
    pin(a, "/a1", Request.PIN_EPHEMERAL, 0);
    pin(a, "/a2", Request.PIN_EPHEMERAL | Request.PIN_TTL, 3_600_000);
    pin(b, "/b", Request.PIN_EPHEMERAL, 0);
    pin(a, "/kept", 0, 0);
    ns.ownerLeft(a);
    assertFalse(exists("/a1"));
    assertFalse(exists("/a2"));
    assertTrue(exists("/b"));
    assertTrue(exists("/kept"));
    assertEquals(2, events.stream().filter(e -> e.type() == Event.Type.EXPIRED).count());
  }

  @Test
  void aStoppingBrokerKeepsEphemeralEntriesForTheirOwnerProcess() throws Exception {
    PeerCredentials a = root();
    pin(a, "/eph", Request.PIN_EPHEMERAL, 0);
    ns.stopping();
    ns.ownerLeft(a); // the broker closes the connection on its way out
    Thread.sleep(1500); // a sweep: this process, the owner, is alive
    assertTrue(exists("/eph"));
  }

  @Test
  void restoredEphemeralEntriesFollowTheirOwnerProcess() throws Exception {
    Process p = new ProcessBuilder("true").start();
    int deadPid = (int) p.pid();
    p.waitFor();
    Change.Meta meta = new Change.Meta(0, 0, 0600, 5, 1, 1);
    List<Change> journal =
        List.of(
            new Change.PutEntry("/mine", meta, 1, Charge.NONE, new Lifetime(0, true, PID, Liveness.startTime(PID)), ""),
            new Change.PutEntry("/dead", meta, 2, Charge.NONE, new Lifetime(0, true, deadPid, 12345), ""),
            new Change.PutEntry("/past", meta, 3, Charge.NONE, new Lifetime(1, false, 0, 0), ""));
    Replay.Result r =
        ns.restore(
            journal,
            entry -> {
              try {
                return object();
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    assertEquals(3, r.names());
    next(Event.Type.EXPIRED); // /past: its time ran out while the broker was down
    Event dead = next(Event.Type.EXPIRED);
    assertEquals("/dead", dead.path());
    assertTrue(exists("/mine"), "its owner, this process, lives");
    assertFalse(exists("/past"));
  }

  @Test
  void badTimesToLiveAndUnknownFlagsAreRefused() throws Exception {
    for (long ttl : new long[] {0, -1, Namespace.MAX_TTL_MILLIS + 1}) {
      Refusal r = assertThrows(Refusal.class, () -> pin(root(), "/t", Request.PIN_TTL, ttl));
      assertEquals(Status.EINVAL, r.status(), "ttl " + ttl);
    }
    Refusal r = assertThrows(Refusal.class, () -> pin(root(), "/t", 16, 0));
    assertEquals(Status.EINVAL, r.status());
    assertEquals(0, ns.size());
  }
}
