package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOTEMPTY: The directory still has entries. */
public final class DirectoryNotEmptyException extends PinbrokerException {
  DirectoryNotEmptyException(String path, String detail) {
    super(Status.ENOTEMPTY, path, detail);
  }
}
