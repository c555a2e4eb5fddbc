package io.pinbroker.daemon;

import io.pinbroker.cli.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** A timeout setting: a duration such as {@code 30s} or {@code 10m}, or {@code off} (or 0) for none. */
public final class Timeouts implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    if (value.equals("off") || value.equals("0")) {
      return Duration.ZERO;
    }
    return new Durations().convert(value);
  }
}
