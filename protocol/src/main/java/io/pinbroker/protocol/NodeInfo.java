package io.pinbroker.protocol;

/**
 * What STAT shows of a node. For an entry, {@code dev}, {@code ino} and {@code size} describe the
 * held object as {@code fstat} sees it in the broker; for a directory they are zero and {@code
 * children} counts its entries.
 *
 * @param mode permission bits and the sticky bit ({@code 01777} at most)
 * @param details per-kind facts about a BPF or sim object; {@link ObjectDetails#NONE} otherwise
 * @param generation a broker-wide increasing number given to each node when it is created, and
 *     anew when an entry is replaced; two bindings never share one, so compare-and-swap on it
 *     cannot be fooled by a name that was replaced and put back
 */
public record NodeInfo(
    NodeType type,
    ObjectKind kind,
    FdType fdType,
    int mode,
    int uid,
    int gid,
    long generation,
    long ctimeNanos,
    long mtimeNanos,
    long dev,
    long ino,
    long size,
    int children,
    ObjectDetails details) {

  /** Encoded size in bytes of the fixed part; the details follow, preceded by their length. */
  public static final int FIXED_BYTES = 68;

  public NodeInfo {
    java.util.Objects.requireNonNull(details, "details");
  }

  /** A node without object details. */
  public NodeInfo(
      NodeType type,
      ObjectKind kind,
      FdType fdType,
      int mode,
      int uid,
      int gid,
      long generation,
      long ctimeNanos,
      long mtimeNanos,
      long dev,
      long ino,
      long size,
      int children) {
    this(
        type, kind, fdType, mode, uid, gid, generation, ctimeNanos, mtimeNanos, dev, ino, size,
        children, ObjectDetails.NONE);
  }

  /** The same node with other details (e.g. a prog array's members). */
  public NodeInfo withDetails(ObjectDetails newDetails) {
    return new NodeInfo(
        type, kind, fdType, mode, uid, gid, generation, ctimeNanos, mtimeNanos, dev, ino, size,
        children, newDetails);
  }

  public boolean isDirectory() {
    return type == NodeType.DIRECTORY;
  }
}
