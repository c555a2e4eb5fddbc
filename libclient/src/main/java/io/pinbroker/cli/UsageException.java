package io.pinbroker.cli;

/** A bad argument found after parsing (exit status 2). */
final class UsageException extends Exception {
  UsageException(String message) {
    super(message);
  }
}
