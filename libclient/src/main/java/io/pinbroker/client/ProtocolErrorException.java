package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** EPROTO: The peer broke the protocol; the connection is gone. */
public final class ProtocolErrorException extends PinbrokerException {
  ProtocolErrorException(String path, String detail) {
    super(Status.EPROTO, path, detail);
  }
}
