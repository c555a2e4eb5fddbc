package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.ObjectKind;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Names in the tree by what they hold: entries by their object's kind, directories (the root
 * excepted) under {@link ObjectKind#NONE}. Kept up to date as the tree changes, under the
 * namespace's write lock, so that reading it costs nothing like a walk of the tree.
 */
final class NameCounts {
  private static final ObjectKind[] KINDS = ObjectKind.values();
  private final long[] byKind = new long[KINDS.length];

  void added(Node node) {
    byKind[kindOf(node).ordinal()]++;
  }

  void removed(Node node) {
    byKind[kindOf(node).ordinal()]--;
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
