package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/**
 * ETIMEDOUT: The broker closed a connection that stayed idle past its idle timeout (a notice, sent
 * before the close). The request that found it closed was never read: connect again and resend.
 */
public final class TimedOutException extends PinbrokerException {
  TimedOutException(String path, String detail) {
    super(Status.ETIMEDOUT, path, detail);
  }
}
