package io.pinbroker.client;

import io.pinbroker.protocol.Request;

/**
 * How to pin: the new entry's mode and group, and whether an existing entry may be replaced.
 * Immutable; each method returns a changed copy.
 *
 * @param gid the group, or {@link Request#DEFAULT_ID} for the caller's own
 */
public record PinOptions(int mode, int gid, boolean replace, long expectedGeneration) {
  /** Mode 0600, the caller's group, fail if the name is taken. */
  public static final PinOptions DEFAULT = new PinOptions(0600, Request.DEFAULT_ID, false, 0);

  public PinOptions mode(int newMode) {
    return new PinOptions(newMode, gid, replace, expectedGeneration);
  }

  public PinOptions group(int newGid) {
    return new PinOptions(mode, newGid, replace, expectedGeneration);
  }

  /** Replace an existing entry atomically; readers never see the name missing. */
  public PinOptions replacing() {
    return new PinOptions(mode, gid, true, 0);
  }

  /** Replace only if the existing entry still has {@code generation} (compare-and-swap). */
  public PinOptions replacingGeneration(long generation) {
    return new PinOptions(mode, gid, true, generation);
  }

  int flags() {
    if (!replace) {
      return 0;
    }
    return expectedGeneration == 0 ? Request.PIN_REPLACE : Request.PIN_REPLACE | Request.PIN_CAS;
  }
}
