package io.pinbroker.cli;

/** Parses sizes like {@code 4096}, {@code 4K}, {@code 1M}, {@code 2G} (powers of 1024). */
final class Sizes {
  private Sizes() {}

  static long parse(String s) throws UsageException {
    if (!s.matches("[0-9]+[KMG]?(i?B)?")) {
      throw new UsageException("'" + s + "' is not a size like 4096, 4K or 1M");
    }
    String digits = s.replaceAll("[^0-9]", "");
    int shift =
        s.contains("K") ? 10 : s.contains("M") ? 20 : s.contains("G") ? 30 : 0;
    try {
      long n = Long.parseLong(digits);
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new UsageException("size too large: " + s);
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new UsageException("size too large: " + s);
    }
  }
}
