package io.pinbroker.protocol;

/** What an entry holds. Directories hold {@link #NONE}. */
public enum ObjectKind implements WireCode {
  NONE(0, "dir"),
  FD(1, "fd");

  private final int code;
  private final String label;

  ObjectKind(int code, String label) {
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

  /** The kind for a wire byte, or {@code null} if unknown. */
  public static ObjectKind valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
