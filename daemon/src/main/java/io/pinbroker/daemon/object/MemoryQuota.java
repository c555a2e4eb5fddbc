package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.Status;
import java.util.HashMap;
import java.util.Map;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * Map memory charged to each uid, in two pools with a quota each: real maps (kernel memory) and sim
 * maps (memfds: the broker's shared memory). A charge past its pool's quota is refused with EDQUOT.
 * The quotas may be changed while running: a lower one takes nothing back, it only refuses charges
 * past it.
 */
@Singleton
public final class MemoryQuota {
  private final Pool real = new Pool("map");
  private final Pool sim = new Pool("sim map");

  @Inject
  MemoryQuota(MapPolicy policy) {
    limit(policy);
  }

  synchronized void limit(MapPolicy policy) {
    real.limit = policy.quotaBytesPerUid();
    sim.limit = policy.simQuotaBytesPerUid();
  }

  synchronized void charge(Charge c, boolean simMap) throws Refusal {
    pool(simMap).charge(c);
  }

  /** Charges what was charged before a restart, without checking the quota. */
  synchronized void restore(Charge c, boolean simMap) {
    pool(simMap).used.merge(c.uid(), c.bytes(), Long::sum);
  }

  synchronized void release(Charge c, boolean simMap) {
    pool(simMap).release(c);
  }

  /** Real map bytes charged to {@code uid} now. */
  public synchronized long used(int uid) {
    return real.used.getOrDefault(uid, 0L);
  }

  /** Sim map bytes charged to {@code uid} now. */
  public synchronized long usedBySim(int uid) {
    return sim.used.getOrDefault(uid, 0L);
  }

  private Pool pool(boolean simMap) {
    return simMap ? sim : real;
  }

  /** One quota: bytes by uid. Guarded by the quota's lock. */
  private static final class Pool {
    private final String what;
    private final Map<Integer, Long> used = new HashMap<>();
    private long limit;

    Pool(String what) {
      this.what = what;
    }

    void charge(Charge c) throws Refusal {
      int uid = c.uid();
      long bytes = c.bytes();
      long now = used.getOrDefault(uid, 0L);
      if (now + bytes > limit) {
        throw new Refusal(
            Status.EDQUOT,
            "uid " + Integer.toUnsignedString(uid) + " holds " + now + " bytes of " + what + "s; "
                + bytes + " more would pass the " + what + " quota of " + limit);
      }
      used.put(uid, now + bytes);
    }

    void release(Charge c) {
      long left = used.getOrDefault(c.uid(), 0L) - c.bytes();
      if (left <= 0) {
        used.remove(c.uid());
      } else {
        used.put(c.uid(), left);
      }
    }
  }
}
