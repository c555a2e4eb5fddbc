package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EBUSY: The node is in use: the root directory, or a program a held prog array refers to. */
public final class BusyException extends PinbrokerException {
  BusyException(String path, String detail) {
    super(Status.EBUSY, path, detail);
  }
}
