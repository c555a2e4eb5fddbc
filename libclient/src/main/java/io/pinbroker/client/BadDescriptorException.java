package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EBADF: The request carried the wrong number of fds, or an fd the broker cannot hold. */
public final class BadDescriptorException extends PinbrokerException {
  BadDescriptorException(String path, String detail) {
    super(Status.EBADF, path, detail);
  }
}
