package io.pinbroker.client;

import java.io.IOException;
import java.nio.file.Path;

/** The broker could not be reached at its socket, or did not complete the hello. */
public final class BrokerUnreachableException extends IOException {
  BrokerUnreachableException(Path socket, IOException cause) {
    super("cannot reach the broker at " + socket + ": " + cause.getMessage(), cause);
  }
}
