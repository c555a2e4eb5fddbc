package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOSYS: The broker does not know the opcode. */
public final class NotImplementedException extends PinbrokerException {
  NotImplementedException(String path, String detail) {
    super(Status.ENOSYS, path, detail);
  }
}
