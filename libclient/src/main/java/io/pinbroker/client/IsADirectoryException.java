package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EISDIR: The target is a directory where an entry was expected. */
public final class IsADirectoryException extends PinbrokerException {
  IsADirectoryException(String path, String detail) {
    super(Status.EISDIR, path, detail);
  }
}
