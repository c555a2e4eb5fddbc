package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ELOOP: The path has too many components. */
public final class PathTooDeepException extends PinbrokerException {
  PathTooDeepException(String path, String detail) {
    super(Status.ELOOP, path, detail);
  }
}
