package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.NodeInfo;

/** A directory or an entry. Mutable only under the namespace's write lock. */
abstract sealed class Node permits Directory, Entry {
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

  Attrs attrs() {
    return new Attrs(uid, gid, mode, this instanceof Directory);
  }

  abstract NodeInfo info();
}
