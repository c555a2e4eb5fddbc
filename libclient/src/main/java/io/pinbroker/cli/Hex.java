package io.pinbroker.cli;

import java.util.HexFormat;

/** Keys and values on the command line: bytes in hex, e.g. {@code 01000000} for u32 1. */
final class Hex {
  private Hex() {}

  static byte[] parse(String text, int size, String what) throws UsageException {
    String digits = text.startsWith("0x") ? text.substring(2) : text;
    digits = digits.replace(" ", "").replace(":", "");
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(digits);
    } catch (IllegalArgumentException e) {
      throw new UsageException(what + " '" + text + "' is not hex bytes");
    }
    if (bytes.length != size) {
      throw new UsageException(
          what + " must be " + size + " bytes (" + 2 * size + " hex digits), not " + bytes.length);
    }
    return bytes;
  }

  static String format(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
