package io.pinbroker.protocol;

/**
 * Operation codes. A reply carries the opcode of the request it answers; {@link #WATCH_EVENT} is
 * the one code only the broker sends (see {@link #isRequest()}).
 */
public enum Opcode {
  HELLO(0x01),
  PIN(0x02),
  GET(0x03),
  STAT(0x04),
  LIST(0x05),
  MKDIR(0x06),
  RMDIR(0x07),
  UNLINK(0x08),
  RENAME(0x09),
  CHMOD(0x0A),
  CHOWN(0x0B),
  CREATE_MAP(0x0C),
  TAKEOVER_BEGIN(0x0D),
  TAKEOVER_FDS(0x0E),
  TAKEOVER_DONE(0x0F),
  /** Turns the connection into a watch stream of {@link #WATCH_EVENT} frames. */
  WATCH(0x10),
  /** An event on a watch stream; sent by the broker only, never a request. */
  WATCH_EVENT(0x11),
  STATS(0x12);

  private static final Opcode[] BY_CODE = new Opcode[256];

  static {
    for (Opcode op : values()) {
      BY_CODE[op.code] = op;
    }
  }

  private final int code;

  Opcode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Whether clients send this opcode. A request with any other code is an unknown opcode. */
  public boolean isRequest() {
    return this != WATCH_EVENT;
  }

  /** The opcode for a wire byte, or {@code null} if unknown. */
  public static Opcode valueOf(byte code) {
    return BY_CODE[code & 0xFF];
  }
}
