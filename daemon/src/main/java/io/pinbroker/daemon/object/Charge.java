package io.pinbroker.daemon.object;

/**
 * Map memory an object is charged to a uid for (objects the broker created with CREATE_MAP); the
 * charge is given back when the object is closed.
 */
public record Charge(int uid, long bytes) {
  /** Objects a client pinned cost no quota. */
  public static final Charge NONE = new Charge(0, 0);
}
