package io.pinbroker.daemon.object;

import java.util.Set;

/**
 * What maps the broker creates on behalf of clients (CREATE_MAP): a delegation of CAP_BPF, as BPF
 * tokens are in the kernel, bounded by this policy.
 *
 * @param allowedTypes kernel map type numbers clients may ask for
 * @param maxMapBytes the largest map, as estimated by {@link #estimate}
 * @param quotaBytesPerUid the most map memory one uid may have the broker hold at once
 */
public record MapPolicy(Set<Integer> allowedTypes, long maxMapBytes, long quotaBytesPerUid) {
  public MapPolicy {
    allowedTypes = Set.copyOf(allowedTypes);
  }

  /** The memory a map takes, estimated as the kernel's element size times max_entries. */
  public static long estimate(int keySize, int valueSize, int maxEntries) {
    return Integer.toUnsignedLong(maxEntries) * (align8(keySize) + align8(valueSize));
  }

  private static long align8(int n) {
    return (Integer.toUnsignedLong(n) + 7) & ~7L;
  }
}
