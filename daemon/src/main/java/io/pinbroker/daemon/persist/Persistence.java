package io.pinbroker.daemon.persist;

import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.ChangeLog;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.daemon.systemd.Notifier;
import io.pinbroker.protocol.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Keeps the namespace in the service manager's fd store: every held fd as {@code o<id>} (pushed
 * before its pin is acknowledged, removed when its name goes), and the {@link Journal} of changes
 * as {@code journal-<epoch>}. Rewrites the journal from the tree when it has grown to twice what a
 * fresh one took, and past a floor ({@value #MIN_REWRITE_BYTES} bytes in the daemon).
 */
public final class Persistence implements ChangeLog, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Persistence.class.getName());
  static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(10);
  static final long MIN_REWRITE_BYTES = 4L << 20;
  static final String JOURNAL = "journal-";
  static final String OBJECT = "o";

  private final Notifier manager;
  private final long maxObjects;
  private final long minRewriteBytes;
  private Journal journal;
  private long nextEpoch;
  private long rewrittenBytes;
  /**
   * Objects whose fd is in the store (not those kept by a bpffs pin). Changed under the
   * namespace's write lock; its size is read by STATS.
   */
  private volatile Set<Long> stored = ConcurrentHashMap.newKeySet();
  private boolean damaged;

  private final Object barrierLock = new Object();
  private final AtomicLong pushes = new AtomicLong();
  private volatile long durablePushes;

  /**
   * @param previousEpoch the epoch of the journal restored from (0 if none): the next is one more
   * @param maxObjects objects the fd store takes, the journal aside
   * @param minRewriteBytes no rewrite before the journal has this many bytes
   */
  Persistence(Notifier manager, long maxObjects, long previousEpoch, long minRewriteBytes) {
    this.manager = manager;
    this.maxObjects = maxObjects;
    this.minRewriteBytes = minRewriteBytes;
    this.nextEpoch = previousEpoch + 1;
  }

  /**
   * fds this log keeps in the fd store now: the held objects, and the journal (two journals for
   * the moment of a rewrite count as one).
   */
  public long storedFds() {
    return stored.size() + 1;
  }

  /**
   * The fd store name of an object: its id in base 36, so that LISTEN_FDNAMES, one environment
   * string of at most 128 KiB, holds a full store's names (16382 of up to 6 characters).
   */
  public static String objectName(long objectId) {
    return OBJECT + Long.toString(objectId, 36);
  }

  @Override
  public void holding(long objectId, HeldObject object) throws Refusal {
    if (object.pinned()) {
      return; // the pin outlives the process; the journal says where it is
    }
    if (stored.size() >= maxObjects) {
      throw new Refusal(
          Status.ENOSPC, "the fd store holds its limit of " + maxObjects + " objects");
    }
    try {
      manager.sendWithFd(
          "FDSTORE=1\nFDNAME=" + objectName(objectId) + "\nFDPOLL=0", object.fd());
    } catch (IOException e) {
      throw new Refusal(Status.ENOSPC, "the fd store did not take the fd: " + e.getMessage());
    }
    stored.add(objectId);
    pushes.incrementAndGet();
  }

  @Override
  public void applied(Change change) {
    try {
      journal.append(change);
    } catch (IOException e) {
      if (!damaged) {
        LOG.severe("cannot append to the journal (a fresh one will be written): " + e.getMessage());
      }
      damaged = true;
    }
  }

  @Override
  public void released(long objectId) {
    if (stored.remove(objectId)) {
      manager.send("FDSTOREREMOVE=1\nFDNAME=" + objectName(objectId));
    }
  }

  @Override
  public boolean wantsRewrite() {
    return damaged || journal.size() > Math.max(minRewriteBytes, 2 * rewrittenBytes);
  }

  /**
   * Writes the state to a journal of the next epoch, stores it, waits until the store has it, and
   * only then drops the previous one: at every moment one complete journal is stored.
   */
  @Override
  public void rewrite(Consumer<Consumer<Change>> state) {
    Journal next = null;
    try {
      next = Journal.create(nextEpoch);
      Set<Long> inStore = ConcurrentHashMap.newKeySet();
      Journal target = next;
      state.accept(
          change -> {
            if (change instanceof Change.PutEntry p && p.pin().isEmpty()) {
              inStore.add(p.objectId());
            }
            target.appendUnchecked(change);
          });
      manager.sendWithFd("FDSTORE=1\nFDNAME=" + JOURNAL + next.epoch() + "\nFDPOLL=0", next.fd());
      manager.barrier(BARRIER_TIMEOUT);
      if (journal != null) {
        manager.send("FDSTOREREMOVE=1\nFDNAME=" + JOURNAL + journal.epoch());
        journal.close();
      }
      journal = next;
      next = null;
      nextEpoch++;
      stored = inStore;
      rewrittenBytes = journal.size();
      damaged = false;
    } catch (IOException | UncheckedIOException e) {
      if (journal == null) {
        throw new IllegalStateException("cannot write the journal: " + e.getMessage(), e);
      }
      LOG.severe("cannot write a fresh journal; trying again later: " + e.getMessage());
      damaged = false; // back off: the next try comes when the journal has doubled
      rewrittenBytes = journal.size();
    } finally {
      if (next != null) {
        next.close();
      }
    }
  }

  /**
   * Group commit: one BARRIER=1 covers every push sent before it, so concurrent pins share the
   * wait. Pushes are counted after they are sent, and the notify socket keeps their order.
   */
  @Override
  public void commit() throws IOException {
    long needed = pushes.get();
    if (durablePushes >= needed) {
      return;
    }
    synchronized (barrierLock) {
      if (durablePushes >= needed) {
        return;
      }
      long covered = pushes.get();
      manager.barrier(BARRIER_TIMEOUT);
      durablePushes = covered;
    }
  }

  /** Lets go of this process's handle on the journal; the fd store keeps its own. */
  @Override
  public void close() {
    if (journal != null) {
      journal.close();
    }
  }
}
