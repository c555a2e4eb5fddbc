package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EOPNOTSUPP: The operation is not supported for this object. */
public final class NotSupportedException extends PinbrokerException {
  NotSupportedException(String path, String detail) {
    super(Status.EOPNOTSUPP, path, detail);
  }
}
