package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOSPC: A broker-wide limit on names or connections is reached. */
public final class NoSpaceException extends PinbrokerException {
  NoSpaceException(String path, String detail) {
    super(Status.ENOSPC, path, detail);
  }
}
