package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EEXIST: The name is taken (bind semantics). */
public final class EntryExistsException extends PinbrokerException {
  EntryExistsException(String path, String detail) {
    super(Status.EEXIST, path, detail);
  }
}
