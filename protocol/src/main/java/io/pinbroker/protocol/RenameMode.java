package io.pinbroker.protocol;

/** What RENAME does when the destination exists. All three are atomic. */
public enum RenameMode implements WireCode {
  /** Like rename(2): an existing destination is replaced. */
  REPLACE(0),
  /** Like RENAME_NOREPLACE: fails with EEXIST if the destination exists. */
  NOREPLACE(1),
  /** Like RENAME_EXCHANGE: both must exist and swap places. */
  EXCHANGE(2);

  private final int code;

  RenameMode(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /** The mode for a wire byte, or {@code null} if unknown. */
  public static RenameMode valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
