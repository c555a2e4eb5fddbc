package io.pinbroker.daemon.object;

/**
 * A bpffs pin's path as a prefix its store shares among all its pins (the directory and a name
 * per broker run, e.g. {@code /sys/fs/bpf/pinbroker/m3x9k2a-}) and a number, so that a held object
 * needs no path of its own. A path that does not end in such a number is all prefix (number -1).
 */
record PinName(String prefix, int number) {
  PinName {
    if (number < -1) {
      throw new IllegalArgumentException("pin number " + number);
    }
  }

  String path() {
    return number < 0 ? prefix : prefix + number;
  }

  /**
   * The name of the pin at {@code path}, as a journal recorded it: its trailing decimal number
   * (without leading zeros, as {@link #path()} writes it) split off, the prefix interned, so that
   * the pins of one run share one.
   */
  static PinName parse(String path) {
    int start = path.length();
    while (start > 0 && Character.isDigit(path.charAt(start - 1)) && path.charAt(start - 1) < 0x80) {
      start--;
    }
    String digits = path.substring(start);
    if (digits.isEmpty() || digits.length() > 9 || (digits.length() > 1 && digits.charAt(0) == '0')) {
      return new PinName(path, -1);
    }
    return new PinName(path.substring(0, start).intern(), Integer.parseInt(digits));
  }
}
