package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EINVAL: A malformed path or an out-of-range argument. */
public final class InvalidArgumentException extends PinbrokerException {
  InvalidArgumentException(String path, String detail) {
    super(Status.EINVAL, path, detail);
  }
}
