package io.pinbroker.sim;

import java.io.IOException;

/** A file that is not a valid simulated object: wrong magic, version, sizes or seals. */
public final class SimFormatException extends IOException {
  public SimFormatException(String message) {
    super(message);
  }
}
