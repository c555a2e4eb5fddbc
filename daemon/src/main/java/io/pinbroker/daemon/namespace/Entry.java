package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;

/**
 * A name bound to a held object. The entry owns the object until it is unlinked or replaced. The
 * object id names the object's fd outside the process (in the fd store and the journal).
 */
final class Entry extends Node {
  final long objectId;
  final HeldObject object;
  final Lifetime lifetime;

  Entry(
      int uid,
      int gid,
      int mode,
      long generation,
      long nowNanos,
      long objectId,
      HeldObject object,
      Lifetime lifetime) {
    super(uid, gid, mode, generation, nowNanos);
    this.objectId = objectId;
    this.object = object;
    this.lifetime = lifetime;
  }

  Entry(Change.Meta meta, long objectId, HeldObject object, Lifetime lifetime) {
    super(meta);
    this.objectId = objectId;
    this.object = object;
    this.lifetime = lifetime;
  }

  Change.PutEntry put(String path) {
    String pin = object.pinned() ? object.pin() : "";
    return new Change.PutEntry(path, meta(), objectId, object.charge(), lifetime, pin);
  }

  @Override
  NodeInfo info() {
    return info(object.size());
  }

  /** The entry's NodeInfo with {@code size} (its object's size, read by the caller). */
  NodeInfo info(long size) {
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
        size,
        0,
        object.details());
  }
}
