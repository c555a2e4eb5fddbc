package io.pinbroker.daemon.namespace;

import io.netty.util.collection.IntObjectHashMap;
import io.pinbroker.protocol.ObjectKind;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Names in the tree by what they hold: entries by their object's kind, directories (the root
 * excepted) under {@link ObjectKind#NONE}; and by the uid that owns them. Kept up to date as the
 * tree changes, under the namespace's write lock, so that reading it costs nothing like a walk of
 * the tree.
 */
final class NameCounts {
  private static final ObjectKind[] KINDS = ObjectKind.values();
  private final long[] byKind = new long[KINDS.length];
  /** Names by owner uid; a uid that owns none has no slot. */
  private final IntObjectHashMap<long[]> byUid = new IntObjectHashMap<>();

  void added(Node node) {
    byKind[kindOf(node).ordinal()]++;
    owned(node.uid, 1);
  }

  void removed(Node node) {
    byKind[kindOf(node).ordinal()]--;
    owned(node.uid, -1);
  }

  /** A node's owner changes from {@code from} to {@code to} (CHOWN). */
  void chowned(int from, int to) {
    if (from != to) {
      owned(from, -1);
      owned(to, 1);
    }
  }

  private void owned(int uid, int delta) {
    long[] n = byUid.get(uid);
    if (n == null) {
      byUid.put(uid, new long[] {delta});
    } else if ((n[0] += delta) == 0) {
      byUid.remove(uid);
    }
  }

  /** Names {@code uid} owns. */
  long ofUid(int uid) {
    long[] n = byUid.get(uid);
    return n == null ? 0 : n[0];
  }

  /** Every name, directories included. */
  long total() {
    long n = 0;
    for (long k : byKind) {
      n += k;
    }
    return n;
  }

  /** Counts from scratch: after the tree was rebuilt from a journal. */
  void recount(Directory root) {
    Arrays.fill(byKind, 0);
    byUid.clear();
    Trees.forEachNode(root, "", (path, node) -> added(node));
  }

  /** A copy, with every kind present. */
  Map<ObjectKind, Long> snapshot() {
    Map<ObjectKind, Long> out = new EnumMap<>(ObjectKind.class);
    for (ObjectKind k : KINDS) {
      out.put(k, byKind[k.ordinal()]);
    }
    return out;
  }

  private static ObjectKind kindOf(Node node) {
    return node instanceof Entry e ? e.object.kind() : ObjectKind.NONE;
  }
}
