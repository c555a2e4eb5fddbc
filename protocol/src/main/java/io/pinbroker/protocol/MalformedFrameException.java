package io.pinbroker.protocol;

/** A datagram that does not follow the frame layout. */
public final class MalformedFrameException extends Exception {
  public MalformedFrameException(String message) {
    super(message);
  }
}
