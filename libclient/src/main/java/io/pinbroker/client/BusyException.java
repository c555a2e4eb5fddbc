package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EBUSY: The operation cannot apply to this node (the root directory). */
public final class BusyException extends PinbrokerException {
  BusyException(String path, String detail) {
    super(Status.EBUSY, path, detail);
  }
}
