package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;

/** A name bound to a held object. The entry owns the object until it is unlinked or replaced. */
final class Entry extends Node {
  final HeldObject object;

  Entry(int uid, int gid, int mode, long generation, long nowNanos, HeldObject object) {
    super(uid, gid, mode, generation, nowNanos);
    this.object = object;
  }

  @Override
  NodeInfo info() {
    return new NodeInfo(
        NodeType.ENTRY,
        object.kind(),
        object.fdType(),
        mode,
        uid,
        gid,
        generation,
        ctimeNanos,
        mtimeNanos,
        object.dev(),
        object.ino(),
        object.size(),
        0,
        object.details());
  }
}
