package io.pinbroker.protocol;

/** A path that breaks one of the path rules; {@link #status()} says which kind of rule. */
public final class PathSyntaxException extends Exception {
  private final Status status;

  public PathSyntaxException(Status status, String detail) {
    super(detail);
    this.status = status;
  }

  public Status status() {
    return status;
  }
}
