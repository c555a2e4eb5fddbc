package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ESTALE: A compare-and-swap found another generation. */
public final class StaleGenerationException extends PinbrokerException {
  StaleGenerationException(String path, String detail) {
    super(Status.ESTALE, path, detail);
  }
}
