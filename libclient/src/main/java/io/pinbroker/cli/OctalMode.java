package io.pinbroker.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a mode written in octal, as chmod(1) takes it: {@code 640}, {@code 0640}, {@code 1777}. */
public final class OctalMode implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    if (!value.matches("[0-7]{1,5}")) {
      throw new TypeConversionException("'" + value + "' is not an octal mode like 0640");
    }
    return Integer.parseInt(value, 8);
  }
}
