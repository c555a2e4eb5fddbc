package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EDQUOT: The map would take the caller's uid past its memory quota. */
public final class QuotaExceededException extends PinbrokerException {
  QuotaExceededException(String path, String detail) {
    super(Status.EDQUOT, path, detail);
  }
}
