package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import java.util.TreeMap;

/** A directory: children in name order, so LIST pages by name. */
final class Directory extends Node {
  final TreeMap<String, Node> children = new TreeMap<>();

  Directory(int uid, int gid, int mode, long generation, long nowNanos) {
    super(uid, gid, mode, generation, nowNanos);
  }

  Directory(Change.Meta meta) {
    super(meta);
  }

  @Override
  NodeInfo info() {
    return new NodeInfo(
        NodeType.DIRECTORY,
        ObjectKind.NONE,
        FdType.NONE,
        mode,
        uid,
        gid,
        generation,
        ctimeNanos,
        mtimeNanos,
        0,
        0,
        0,
        children.size());
  }
}
