package io.pinbroker.daemon.namespace;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.pinbroker.unix.Liveness;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The entries that go by themselves: those with a time to live, on a timer wheel (netty's
 * HashedWheelTimer, started at the first one), and ephemeral ones, by owning connection, or,
 * once that is gone across a restart, by owning process, checked every second. Called under the
 * namespace's write lock; the callbacks it runs take that lock themselves. What it knows of an
 * entry (its pending expiry, its owning connection) it keeps here, not in the entry: most entries
 * have neither, and there is one entry per name.
 */
final class Lifetimes {
  private static final long SWEEP_SECONDS = 1;

  private final InstantSource clock;
  private final Consumer<Entry> expire;
  private final Runnable sweep;
  private final Map<Object, Set<Entry>> byOwner = new IdentityHashMap<>();
  /** The connection each followed ephemeral entry belongs to (until orphaned). */
  private final Map<Entry, Object> owners = new IdentityHashMap<>();
  /** The pending expiry of each entry with a time to live. */
  private final Map<Entry, Timeout> expiries = new IdentityHashMap<>();
  private final Set<Entry> orphans = Collections.newSetFromMap(new IdentityHashMap<>());
  private Timer timer;
  private boolean sweepPending;

  /**
   * @param expire removes an entry whose time ran out
   * @param sweep checks the orphans' processes (it calls {@link #deadOrphans})
   */
  Lifetimes(InstantSource clock, Consumer<Entry> expire, Runnable sweep) {
    this.clock = clock;
    this.expire = expire;
    this.sweep = sweep;
  }

  /**
   * Starts following an entry that just got into the tree; an ephemeral one belongs to the
   * connection {@code owner}, or, if null (after a restart), to its owner process.
   */
  void track(Entry e, Object owner) {
    if (e.lifetime.expires()) {
      schedule(e, e.lifetime.expiresAtMillis() - clock.millis());
    }
    if (e.lifetime.ephemeral()) {
      if (owner != null) {
        owners.put(e, owner);
        byOwner.computeIfAbsent(owner, o -> Collections.newSetFromMap(new IdentityHashMap<>())).add(e);
      } else {
        orphan(e);
      }
    }
  }

  /** Tries again later (the tree is frozen for a handoff). */
  void retry(Entry e) {
    schedule(e, TimeUnit.SECONDS.toMillis(SWEEP_SECONDS));
  }

  private void schedule(Entry e, long delayMillis) {
    expiries.put(
        e, timer().newTimeout(t -> expire.accept(e), Math.max(0, delayMillis), TimeUnit.MILLISECONDS));
  }

  /** Stops following an entry that left the tree. */
  void untrack(Entry e) {
    Timeout expiry = expiries.remove(e);
    if (expiry != null) {
      expiry.cancel();
    }
    Object owner = owners.remove(e);
    if (owner != null) {
      Set<Entry> owned = byOwner.get(owner);
      if (owned != null) {
        owned.remove(e);
        if (owned.isEmpty()) {
          byOwner.remove(owner);
        }
      }
    }
    orphans.remove(e);
  }

  /** Whether {@code owner} holds ephemeral entries. */
  boolean owns(Object owner) {
    return byOwner.containsKey(owner);
  }

  /** The ephemeral entries of a connection that closed; they are no longer followed by it. */
  List<Entry> ownedBy(Object owner) {
    Set<Entry> owned = byOwner.remove(owner);
    if (owned == null) {
      return List.of();
    }
    owned.forEach(owners::remove);
    return List.copyOf(owned);
  }

  /** Follows an ephemeral entry by its owner process from now on. */
  void orphan(Entry e) {
    owners.remove(e);
    orphans.add(e);
    if (!sweepPending) {
      sweepPending = true;
      timer().newTimeout(t -> sweep.run(), SWEEP_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Orphans whose owner process has exited; the sweep runs again while orphans are left. */
  List<Entry> deadOrphans() {
    sweepPending = false;
    List<Entry> dead = new ArrayList<>();
    for (Entry e : orphans) {
      if (!Liveness.alive(e.lifetime.ownerPid(), e.lifetime.ownerStart())) {
        dead.add(e);
      }
    }
    return dead;
  }

  /** Schedules the next sweep if orphans are left (after the dead ones were expired). */
  void sweepAgainIfNeeded() {
    if (!orphans.isEmpty() && !sweepPending) {
      sweepPending = true;
      timer().newTimeout(t -> sweep.run(), SWEEP_SECONDS, TimeUnit.SECONDS);
    }
  }

  private Timer timer() {
    if (timer == null) {
      timer =
          new HashedWheelTimer(
              r -> Thread.ofPlatform().name("pinbroker-expiry").daemon(true).unstarted(r),
              10,
              TimeUnit.MILLISECONDS,
              512);
    }
    return timer;
  }
}
