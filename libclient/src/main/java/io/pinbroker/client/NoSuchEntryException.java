package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOENT: The path, or one of its parents, does not exist. */
public final class NoSuchEntryException extends PinbrokerException {
  NoSuchEntryException(String path, String detail) {
    super(Status.ENOENT, path, detail);
  }
}
