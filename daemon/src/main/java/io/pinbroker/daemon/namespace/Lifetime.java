package io.pinbroker.daemon.namespace;

/**
 * How long an entry lives: until it is removed, until a time ({@code PIN_TTL}), or while its
 * owner is there ({@code PIN_EPHEMERAL}: its connection; after a restart, which ends every
 * connection, its process). Both kinds survive a restart, being journaled with the entry.
 *
 * @param expiresAtMillis wall-clock time (epoch milliseconds) the entry expires at; 0 for never
 * @param ownerPid for an ephemeral entry, the pinning process (as the broker saw it; 0 if it
 *     could not, as from another PID namespace); 0 otherwise
 * @param ownerStart that process's start time (field 22 of /proc/PID/stat), telling it from a
 *     later process with the same pid
 */
public record Lifetime(long expiresAtMillis, boolean ephemeral, int ownerPid, long ownerStart) {
  /** Until removed. */
  public static final Lifetime FOREVER = new Lifetime(0, false, 0, 0);

  boolean expires() {
    return expiresAtMillis != 0;
  }
}
