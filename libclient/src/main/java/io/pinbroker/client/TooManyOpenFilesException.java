package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EMFILE: The broker's fd table is full. */
public final class TooManyOpenFilesException extends PinbrokerException {
  TooManyOpenFilesException(String path, String detail) {
    super(Status.EMFILE, path, detail);
  }
}
