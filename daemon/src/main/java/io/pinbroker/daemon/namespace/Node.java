package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.PathName;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory or an entry, which knows where it is (its parent and name; none for the root or a
 * node out of the tree). Mutable only under the namespace's write lock.
 */
abstract sealed class Node permits Directory, Entry {
  Directory parent;
  String name;
  int uid;
  int gid;
  int mode;
  long generation;
  long ctimeNanos;
  long mtimeNanos;

  Node(int uid, int gid, int mode, long generation, long nowNanos) {
    this.uid = uid;
    this.gid = gid;
    this.mode = mode;
    this.generation = generation;
    this.ctimeNanos = nowNanos;
    this.mtimeNanos = nowNanos;
  }

  Node(Change.Meta m) {
    this(m.uid(), m.gid(), m.mode(), m.generation(), m.ctimeNanos());
    this.mtimeNanos = m.mtimeNanos();
  }

  Change.Meta meta() {
    return new Change.Meta(uid, gid, mode, generation, ctimeNanos, mtimeNanos);
  }

  void setMeta(Change.Meta m) {
    uid = m.uid();
    gid = m.gid();
    mode = m.mode();
    generation = m.generation();
    ctimeNanos = m.ctimeNanos();
    mtimeNanos = m.mtimeNanos();
  }

  /** Whether the node is in the tree (the root always is). */
  boolean attached() {
    return parent != null && parent.children.get(name) == this;
  }

  /** The node's path, from its parents' names. */
  PathName pathName() {
    List<String> names = new ArrayList<>();
    for (Node n = this; n.parent != null; n = n.parent) {
      names.add(n.name);
    }
    return new PathName(names.reversed());
  }

  Attrs attrs() {
    return new Attrs(uid, gid, mode, this instanceof Directory);
  }

  abstract NodeInfo info();
}
