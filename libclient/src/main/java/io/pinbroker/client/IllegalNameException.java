package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EILSEQ: The path contains a NUL byte. */
public final class IllegalNameException extends PinbrokerException {
  IllegalNameException(String path, String detail) {
    super(Status.EILSEQ, path, detail);
  }
}
