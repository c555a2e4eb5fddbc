package io.pinbroker.protocol;

/** The kernel object behind a held fd, from its inode type. Directories nodes carry NONE. */
public enum FdType implements WireCode {
  NONE(0, "-"),
  REGULAR(1, "file"),
  MEMFD(2, "memfd"),
  PIPE(3, "pipe"),
  SOCKET(4, "socket"),
  CHAR_DEVICE(5, "chardev"),
  BLOCK_DEVICE(6, "blockdev"),
  DIRECTORY(7, "directory"),
  ANON_INODE(8, "anon-inode"),
  OTHER(9, "other");

  private final int code;
  private final String label;

  FdType(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public int code() {
    return code;
  }

  /** The short name shown by the CLI. */
  public String label() {
    return label;
  }

  /** The type for a wire byte, or {@code null} if unknown. */
  public static FdType valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
