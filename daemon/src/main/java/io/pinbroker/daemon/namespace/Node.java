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

  Attrs attrs() {
    return new Attrs(uid, gid, mode, this instanceof Directory);
  }

  abstract NodeInfo info();
}
