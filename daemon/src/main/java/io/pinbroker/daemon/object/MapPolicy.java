package io.pinbroker.daemon.object;

import java.util.Set;

/**
 * What maps the broker creates on behalf of clients (CREATE_MAP): a delegation of CAP_BPF, as BPF
 * tokens are in the kernel, bounded by this policy.
 *
 * @param allowedTypes kernel map type numbers clients may ask for
 * @param maxMapBytes the largest map, as estimated by {@link #estimate}
 * @param quotaBytesPerUid the most real (kernel) map memory one uid may have the broker hold
 * @param simQuotaBytesPerUid the most sim map memory (memfds: the broker's shared memory) one uid
 *     may have the broker hold
 */
public record MapPolicy(
    Set<Integer> allowedTypes, long maxMapBytes, long quotaBytesPerUid, long simQuotaBytesPerUid) {
  public MapPolicy {
    allowedTypes = Set.copyOf(allowedTypes);
  }

  /** A policy with the same quota for real and sim maps, each counted on its own. */
  public MapPolicy(Set<Integer> allowedTypes, long maxMapBytes, long quotaBytesPerUid) {
    this(allowedTypes, maxMapBytes, quotaBytesPerUid, quotaBytesPerUid);
  }

  /** The memory a map takes, estimated as the kernel's element size times max_entries. */
  public static long estimate(int keySize, int valueSize, int maxEntries) {
    return Integer.toUnsignedLong(maxEntries) * (align8(keySize) + align8(valueSize));
  }

  private static long align8(long n) {
    return (n + 7) & ~7L;
  }

  private static long align8(int n) {
    return align8(Integer.toUnsignedLong(n));
  }
}
