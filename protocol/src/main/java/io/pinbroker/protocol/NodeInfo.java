package io.pinbroker.protocol;

/**
 * What STAT shows of a node. For an entry, {@code dev}, {@code ino} and {@code size} describe the
 * held object as {@code fstat} sees it in the broker; for a directory they are zero and {@code
 * children} counts its entries.
 *
 * @param mode permission bits and the sticky bit ({@code 01777} at most)
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
    int children) {

  /** Fixed encoded size in bytes. */
  public static final int WIRE_BYTES = 68;

  public boolean isDirectory() {
    return type == NodeType.DIRECTORY;
  }
}
