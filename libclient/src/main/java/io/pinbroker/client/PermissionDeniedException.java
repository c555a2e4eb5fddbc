package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EACCES: The mode bits of the node or of a parent deny the access. */
public final class PermissionDeniedException extends PinbrokerException {
  PermissionDeniedException(String path, String detail) {
    super(Status.EACCES, path, detail);
  }
}
