package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.Status;

/** The outcome of a permission check: OK, or a status with the reason. */
public record Decision(Status status, String reason) {
  public static final Decision ALLOW = new Decision(Status.OK, "");

  public boolean allowed() {
    return status == Status.OK;
  }

  static Decision deny(Status status, String reason) {
    return new Decision(status, reason);
  }
}
