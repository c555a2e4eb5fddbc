package io.pinbroker.daemon.persist;

/** Bytes that are not a journal, or a record that does not decode. */
final class JournalFormatException extends Exception {
  JournalFormatException(String message) {
    super(message);
  }
}
