package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EPERM: The operation needs ownership or root (chmod, chown, sticky directories). */
public final class OperationNotPermittedException extends PinbrokerException {
  OperationNotPermittedException(String path, String detail) {
    super(Status.EPERM, path, detail);
  }
}
