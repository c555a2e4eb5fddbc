package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/**
 * EAGAIN: The broker is handing its state over to a successor and refuses namespace changes
 * meanwhile. Retry later, on a new connection: the successor, or the same broker if the handoff
 * is abandoned, serves it.
 */
public final class TryAgainException extends PinbrokerException {
  TryAgainException(String path, String detail) {
    super(Status.EAGAIN, path, detail);
  }
}
