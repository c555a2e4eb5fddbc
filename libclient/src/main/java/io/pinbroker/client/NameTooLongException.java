package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENAMETOOLONG: A path component or the whole path is too long. */
public final class NameTooLongException extends PinbrokerException {
  NameTooLongException(String path, String detail) {
    super(Status.ENAMETOOLONG, path, detail);
  }
}
