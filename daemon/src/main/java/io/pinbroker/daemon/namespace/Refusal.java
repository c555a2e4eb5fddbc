package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.Status;

/** A request refused with a status; answered to the client, the connection stays. */
public final class Refusal extends Exception {
  private final Status status;

  public Refusal(Status status, String detail) {
    super(detail, null, false, false);
    this.status = status;
  }

  public Status status() {
    return status;
  }

  public String detail() {
    return getMessage();
  }
}
