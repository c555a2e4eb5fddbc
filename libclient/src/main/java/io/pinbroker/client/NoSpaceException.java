package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOSPC: A broker-wide limit is reached: names held, or connections (sent before the broker closes). */
public final class NoSpaceException extends PinbrokerException {
  NoSpaceException(String path, String detail) {
    super(Status.ENOSPC, path, detail);
  }
}
