package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EPROTONOSUPPORT: Client and broker share no protocol version. */
public final class VersionMismatchException extends PinbrokerException {
  VersionMismatchException(String path, String detail) {
    super(Status.EPROTONOSUPPORT, path, detail);
  }
}
