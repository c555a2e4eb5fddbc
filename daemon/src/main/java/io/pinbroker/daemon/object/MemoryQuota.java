package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.Status;
import java.util.HashMap;
import java.util.Map;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * Map memory charged to each uid; a charge past the quota is refused with EDQUOT. The quota may be
 * changed while running: a lower one takes nothing back, it only refuses charges past it.
 */
@Singleton
public final class MemoryQuota {
  private long limit;
  private final Map<Integer, Long> used = new HashMap<>();

  @Inject
  MemoryQuota(MapPolicy policy) {
    this.limit = policy.quotaBytesPerUid();
  }

  synchronized void limit(long bytes) {
    limit = bytes;
  }

  synchronized void charge(Charge c) throws Refusal {
    int uid = c.uid();
    long bytes = c.bytes();
    long now = used.getOrDefault(uid, 0L);
    if (now + bytes > limit) {
      throw new Refusal(
          Status.EDQUOT,
          "uid " + Integer.toUnsignedString(uid) + " holds " + now + " bytes of maps; "
              + bytes + " more would pass the quota of " + limit);
    }
    used.put(uid, now + bytes);
  }

  /** Charges what was charged before a restart, without checking the quota. */
  synchronized void restore(Charge c) {
    used.merge(c.uid(), c.bytes(), Long::sum);
  }

  synchronized void release(Charge c) {
    long left = used.getOrDefault(c.uid(), 0L) - c.bytes();
    if (left <= 0) {
      used.remove(c.uid());
    } else {
      used.put(c.uid(), left);
    }
  }

  /** Bytes charged to {@code uid} now. */
  public synchronized long used(int uid) {
    return used.getOrDefault(uid, 0L);
  }
}
