package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** E2BIG: The map asked for exceeds the broker's size limit for one map. */
public final class TooBigException extends PinbrokerException {
  TooBigException(String path, String detail) {
    super(Status.E2BIG, path, detail);
  }
}
