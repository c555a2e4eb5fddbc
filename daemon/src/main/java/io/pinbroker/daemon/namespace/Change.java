package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.Charge;

/**
 * One effect on the tree, as the namespace applied it: what a journal records and a restart
 * replays. Changes carry the resulting attributes, times included, so replaying them needs no
 * clock and no permission checks, and yields exactly the tree that was acknowledged. Paths are
 * canonical ({@code /a/b}).
 */
public sealed interface Change {
  /** A node's owner, group, mode, generation and times. */
  record Meta(int uid, int gid, int mode, long generation, long ctimeNanos, long mtimeNanos) {}

  /** An empty directory at {@code path}, whose parent exists. */
  record PutDirectory(String path, Meta meta) implements Change {}

  /**
   * An entry at {@code path} for object {@code objectId}, replacing any entry there. The object
   * is kept by its fd (in the fd store as {@code o<objectId>}), or, if {@code pin} is not empty,
   * by that bpffs pin.
   */
  record PutEntry(
      String path, Meta meta, long objectId, Charge charge, Lifetime lifetime, String pin)
      implements Change {}

  /** The node at {@code path} goes (an entry, or an empty directory). */
  record Remove(String path) implements Change {}

  /** The node at {@code from}, with everything under it, moves to {@code to}, replacing it. */
  record Move(String from, String to) implements Change {}

  /** The nodes at {@code a} and {@code b} trade places. */
  record Swap(String a, String b) implements Change {}

  /** The node at {@code path} (the root included) now has these attributes. */
  record SetMeta(String path, Meta meta) implements Change {}
}
