package io.pinbroker.protocol;

/** What a node in the tree is. */
public enum NodeType implements WireCode {
  DIRECTORY(1),
  ENTRY(2);

  private final int code;

  NodeType(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /** The type for a wire byte, or {@code null} if unknown. */
  public static NodeType valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
