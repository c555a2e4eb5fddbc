package io.pinbroker.daemon.persist;

import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.namespace.Replay;
import io.pinbroker.daemon.object.BpfStore;
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
 * gives each entry its fd or its pin back, lets go of what no acknowledged state refers to (fds
 * in the store, pins of this broker's earlier runs in its bpffs), and starts a fresh journal.
 * Entries whose fd did not come back are reported, never dropped silently.
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
   * @param strayPins bpffs pins of earlier runs that no restored entry holds, removed (see {@link
   *     BpfStore#sweep})
   * @param damage why the journal's tail was not read ("" if it was): a record cut short by a crash
   */
  public record Outcome(
      Persistence log, String journal, long names, List<String> lost, int discarded,
      int strayPins, int skipped, String damage) {}

  private final Namespace namespace;
  private final Map<String, Fd> stored;
  private final Notifier manager;
  private final MapFactory maps;
  private final BpfStore store;
  private final Set<Long> taken = new HashSet<>();
  /** Every pin a replayed record named, whether or not its entry is still there at the end. */
  private final List<String> namedPins = new ArrayList<>();
  /** The pins the restored tree holds. */
  private final List<String> heldPins = new ArrayList<>();
  private long lastExtension = System.nanoTime();

  private Restore(
      Namespace namespace, Map<String, Fd> stored, Notifier manager, MapFactory maps,
      BpfStore store) {
    this.namespace = namespace;
    this.stored = new HashMap<>(stored);
    this.manager = manager;
    this.maps = maps;
    this.store = store;
  }

  /**
   * Restores {@code namespace} from {@code stored} (fd store names to fds, all now owned here) and
   * returns the log it now reports to. Stray pins in {@code store} are removed (before the broker
   * serves, so none of its own pins can be in the making).
   *
   * @param maxObjects objects the fd store may hold, journals aside
   */
  public static Outcome run(
      Namespace namespace, Map<String, Fd> stored, Notifier manager, MapFactory maps,
      BpfStore store, long maxObjects) throws IOException {
    return new Restore(namespace, stored, manager, maps, store).run(maxObjects, true);
  }

  /**
   * Restores {@code namespace} from {@code stored} (as a predecessor handed it over) with no fd
   * store to keep it in: the returned outcome has no log. Stray pins are removed as by {@link
   * #run}: the predecessor's tree is frozen, so a pin of its run that its snapshot does not name
   * is one it will never hold.
   */
  public static Outcome replayOnly(
      Namespace namespace, Map<String, Fd> stored, MapFactory maps, BpfStore store)
      throws IOException {
    return new Restore(namespace, stored, Notifier.NONE, maps, store).run(Long.MAX_VALUE, false);
  }

  private Outcome run(long maxObjects, boolean keep) throws IOException {
    List<String> journals = new ArrayList<>();
    String newest = null;
    Journal.Reading reading = null;
    boolean unreadable = false;
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
        unreadable = true;
      }
    }
    Replay.Result result = new Replay.Result(0, 0, 0, List.of(), 0);
    if (reading != null) {
      manager.send("EXTEND_TIMEOUT_USEC=" + EXTEND_USEC);
      result = namespace.restore(reading, this::take);
    }
    int discarded = forgetUnused();
    int strayPins = 0;
    if (unreadable) {
      LOG.warning("no stray pins removed: a journal was unreadable, so its pins are not known");
    } else {
      strayPins = store.sweep(namedPins, heldPins);
    }
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
        log, newest, result.names(), result.lost(), discarded, strayPins,
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
      namedPins.add(entry.pin());
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
   * between the journal and FDSTOREREMOVE). Returns how many were never named. Notes the pins
   * the tree holds, for the sweep of the bpffs store.
   */
  private int forgetUnused() {
    Set<Long> live = new HashSet<>();
    namespace.snapshot(
        c -> {
          if (c instanceof Change.PutEntry p) {
            live.add(p.objectId());
            if (!p.pin().isEmpty()) {
              heldPins.add(p.pin());
            }
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
