package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOTDIR: A path component, or the target, is not a directory. */
public final class NotADirectoryException extends PinbrokerException {
  NotADirectoryException(String path, String detail) {
    super(Status.ENOTDIR, path, detail);
  }
}
