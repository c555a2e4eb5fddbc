package io.pinbroker.protocol;

/**
 * What STAT shows of a node. For an entry, {@code dev}, {@code ino} and {@code size} describe the
 * held object as {@code fstat} sees it in the broker; for a directory they are zero and {@code
 * children} counts its entries.
 *
 * @param mode permission bits and the sticky bit ({@code 01777} at most)
 * @param generation starts at 1 and bumps each time the name is replaced
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
