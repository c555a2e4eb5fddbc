package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;

/** A directory: children in name order, so LIST pages by name. */
final class Directory extends Node {
  final Children children = new Children();

  Directory(int uid, int gid, int mode, long generation, long nowNanos) {
    super(uid, gid, mode, generation, nowNanos);
  }

  Directory(Change.Meta meta) {
    super(meta);
  }

  /**
   * Puts {@code node} here under {@code name}; returns the node it replaces, if any. The node must
   * be in no directory: its name is its key in the one it is in.
   */
  Node attach(String name, Node node) {
    node.parent = this;
    node.name = name;
    return children.put(node);
  }

  /** Takes the node named {@code name} out; returns it, if there was one. */
  Node detach(String name) {
    return children.remove(name);
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
