package io.pinbroker.client;

import io.pinbroker.protocol.Request;
import java.time.Duration;

/**
 * How to pin: the new entry's mode and group, whether an existing entry may be replaced, and how
 * long the entry lives. Immutable; each method returns a changed copy.
 *
 * @param gid the group, or {@link Request#DEFAULT_ID} for the caller's own
 * @param ephemeral the entry goes when this client's connection closes
 * @param ttl the entry goes after this long; null for no limit
 */
public record PinOptions(
    int mode, int gid, boolean replace, long expectedGeneration, boolean ephemeral, Duration ttl) {
  /** Mode 0600, the caller's group, fail if the name is taken, no time limit. */
  public static final PinOptions DEFAULT =
      new PinOptions(0600, Request.DEFAULT_ID, false, 0, false, null);

  public PinOptions {
    if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.toMillis() == 0)) {
      throw new IllegalArgumentException("a time to live is at least 1 ms, not " + ttl);
    }
  }

  public PinOptions mode(int newMode) {
    return new PinOptions(newMode, gid, replace, expectedGeneration, ephemeral, ttl);
  }

  public PinOptions group(int newGid) {
    return new PinOptions(mode, newGid, replace, expectedGeneration, ephemeral, ttl);
  }

  /** Replace an existing entry atomically; readers never see the name missing. */
  public PinOptions replacing() {
    return new PinOptions(mode, gid, true, 0, ephemeral, ttl);
  }

  /** Replace only if the existing entry still has {@code generation} (compare-and-swap). */
  public PinOptions replacingGeneration(long generation) {
    return new PinOptions(mode, gid, true, generation, ephemeral, ttl);
  }

  /**
   * The entry goes when this client's connection closes (or, after a broker restart, when this
   * process exits), like an abstract-namespace socket.
   */
  public PinOptions whileConnected() {
    return new PinOptions(mode, gid, replace, expectedGeneration, true, ttl);
  }

  /** The entry goes after {@code lifetime} (at millisecond resolution), restarts included. */
  public PinOptions ttl(Duration lifetime) {
    return new PinOptions(mode, gid, replace, expectedGeneration, ephemeral, lifetime);
  }

  int flags() {
    int flags = 0;
    if (replace) {
      flags |= expectedGeneration == 0 ? Request.PIN_REPLACE : Request.PIN_REPLACE | Request.PIN_CAS;
    }
    if (ephemeral) {
      flags |= Request.PIN_EPHEMERAL;
    }
    if (ttl != null) {
      flags |= Request.PIN_TTL;
    }
    return flags;
  }

  long ttlMillis() {
    return ttl == null ? 0 : ttl.toMillis();
  }
}
