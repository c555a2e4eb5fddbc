package io.pinbroker.protocol;

/** An enum carried on the wire as a small number. */
public interface WireCode {
  int code();

  /** The constant among {@code values} with this code, or {@code null}. */
  static <E extends WireCode> E lookup(E[] values, int code) {
    for (E e : values) {
      if (e.code() == code) {
        return e;
      }
    }
    return null;
  }
}
