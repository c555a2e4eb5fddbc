package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/**
 * EDQUOT: A per-uid bound is reached: map memory (real or sim), names held, or connections (sent
 * before the broker closes).
 */
public final class QuotaExceededException extends PinbrokerException {
  QuotaExceededException(String path, String detail) {
    super(Status.EDQUOT, path, detail);
  }
}
