package io.pinbroker.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses sizes like {@code 4096}, {@code 4K}, {@code 1M}, {@code 2G} (powers of 1024). */
public final class Sizes implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /** The number of bytes {@code s} names; IllegalArgumentException if it names none. */
  public static long parse(String s) {
    if (!s.matches("[0-9]+([KMG](iB)?)?")) {
      throw new IllegalArgumentException("'" + s + "' is not a size like 4096, 4K or 1M");
    }
    String digits = s.replaceAll("[^0-9]", "");
    int shift = s.contains("K") ? 10 : s.contains("M") ? 20 : s.contains("G") ? 30 : 0;
    try {
      long n = Long.parseLong(digits);
      if (n > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException("size too large: " + s);
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("size too large: " + s);
    }
  }
}
