package io.pinbroker.daemon.persist;

import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.namespace.Replay;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.daemon.object.MapFactory;
import io.pinbroker.daemon.systemd.Notifier;
import io.pinbroker.unix.Fd;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Brings the namespace back from what the fd store returned at start: replays the newest journal,
 * gives each entry its fd back, lets go of what no acknowledged state refers to, and starts a
 * fresh journal. Entries whose fd did not come back are reported, never dropped silently.
 */
public final class Restore {
  private static final Logger LOG = Logger.getLogger(Restore.class.getName());
  /** How far each EXTEND_TIMEOUT_USEC pushes the start-up deadline, sent every second or so. */
  private static final long EXTEND_USEC = 10_000_000;

  /**
   * What came back.
   *
   * @param log where the namespace now reports its changes; null if it is not kept
   * @param journal the fd store name of the journal replayed; null if there was none
   * @param discarded stored fds no journal entry named: pins cut short before their acknowledgement
   * @param damage why the journal's tail was not read ("" if it was): a record cut short by a crash
   */
  public record Outcome(
      Persistence log, String journal, long names, List<String> lost, int discarded, int skipped,
      String damage) {}

  private final Namespace namespace;
  private final Map<String, Fd> stored;
  private final Notifier manager;
  private final MapFactory maps;
  private final Set<Long> taken = new HashSet<>();
  private long lastExtension = System.nanoTime();

  private Restore(Namespace namespace, Map<String, Fd> stored, Notifier manager, MapFactory maps) {
    this.namespace = namespace;
    this.stored = new HashMap<>(stored);
    this.manager = manager;
    this.maps = maps;
  }

  /**
   * Restores {@code namespace} from {@code stored} (fd store names to fds, all now owned here) and
   * returns the log it now reports to.
   *
   * @param maxObjects objects the fd store may hold, journals aside
   */
  public static Outcome run(
      Namespace namespace, Map<String, Fd> stored, Notifier manager, MapFactory maps, long maxObjects)
      throws IOException {
    return new Restore(namespace, stored, manager, maps).run(maxObjects, true);
  }

  /**
   * Restores {@code namespace} from {@code stored} (as a predecessor handed it over) with no fd
   * store to keep it in: the returned outcome has no log.
   */
  public static Outcome replayOnly(Namespace namespace, Map<String, Fd> stored, MapFactory maps)
      throws IOException {
    return new Restore(namespace, stored, Notifier.NONE, maps).run(Long.MAX_VALUE, false);
  }

  private Outcome run(long maxObjects, boolean keep) throws IOException {
    List<String> journals = new ArrayList<>();
    String newest = null;
    Journal.Reading reading = null;
    long lastEpoch = 0;
    for (String name : List.copyOf(stored.keySet())) {
      if (!name.startsWith(Persistence.JOURNAL)) {
        continue;
      }
      journals.add(name);
      lastEpoch = Math.max(lastEpoch, epochOf(name));
      try {
        Journal.Reading r = Journal.read(stored.get(name));
        if (reading == null || r.epoch() > reading.epoch()) {
          reading = r;
          newest = name;
        }
      } catch (JournalFormatException e) {
        LOG.warning("fd store: " + name + " is unreadable: " + e.getMessage());
      }
    }
    Replay.Result result = new Replay.Result(0, 0, 0, List.of(), 0);
    if (reading != null) {
      manager.send("EXTEND_TIMEOUT_USEC=" + EXTEND_USEC);
      result = namespace.restore(reading, this::take);
    }
    int discarded = forgetUnused();
    Persistence log = null;
    if (keep) {
      log = new Persistence(manager, maxObjects, lastEpoch, Persistence.MIN_REWRITE_BYTES);
      namespace.persistTo(log);
    }
    for (String name : journals) {
      stored.remove(name).close();
      manager.send("FDSTOREREMOVE=1\nFDNAME=" + name);
    }
    for (String path : result.lost()) {
      LOG.warning("lost at restore: " + path + " (its fd did not come back from the fd store)");
    }
    String damage = reading == null ? "" : reading.damage();
    return new Outcome(
        log, newest, result.names(), result.lost(), discarded,
        result.skipped(), damage);
  }

  private static long epochOf(String name) {
    try {
      return Long.parseLong(name.substring(Persistence.JOURNAL.length()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The object an entry being replayed names, held again with its quota charge: from its bpffs
   * pin, or from the fd store. Null if it did not come back (which the replay reports if the
   * entry is still in the tree at the end).
   */
  private HeldObject take(Change.PutEntry entry) {
    extendIfDue();
    long objectId = entry.objectId();
    if (!entry.pin().isEmpty()) {
      try {
        HeldObject object = maps.restore(entry.pin(), entry.charge());
        taken.add(objectId);
        return object;
      } catch (Refusal r) {
        LOG.fine("object " + objectId + ": " + r.detail());
        return null;
      }
    }
    Fd fd = stored.remove(Persistence.objectName(objectId));
    if (fd == null) {
      return null;
    }
    try {
      HeldObject object = maps.restore(fd, entry.charge());
      taken.add(objectId);
      return object;
    } catch (Refusal r) {
      LOG.warning("fd store: object " + objectId + " cannot be held again: " + r.detail());
      fd.close();
      manager.send("FDSTOREREMOVE=1\nFDNAME=" + Persistence.objectName(objectId));
      return null;
    }
  }


  private void extendIfDue() {
    long now = System.nanoTime();
    if (now - lastExtension > 1_000_000_000L) {
      manager.send("EXTEND_TIMEOUT_USEC=" + EXTEND_USEC);
      lastExtension = now;
    }
  }

  /**
   * Closes and removes from the store every object fd the restored tree does not hold: fds never
   * named in the journal (a pin cut short) and fds whose names the journal later removed (a crash
   * between the journal and FDSTOREREMOVE). Returns how many were never named.
   */
  private int forgetUnused() {
    Set<Long> live = new HashSet<>();
    namespace.snapshot(
        c -> {
          if (c instanceof Change.PutEntry p) {
            live.add(p.objectId());
          }
        });
    for (long id : taken) {
      if (!live.contains(id)) {
        manager.send("FDSTOREREMOVE=1\nFDNAME=" + Persistence.objectName(id));
      }
    }
    int discarded = 0;
    for (String name : List.copyOf(stored.keySet())) {
      if (name.startsWith(Persistence.JOURNAL)) {
        continue;
      }
      stored.remove(name).close();
      manager.send("FDSTOREREMOVE=1\nFDNAME=" + name);
      discarded++;
    }
    return discarded;
  }
}
