package io.pinbroker.protocol;

/** What decoding one request datagram yields: a frame, an unknown opcode, or a violation. */
public sealed interface DecodedRequest {
  /** A well-formed request. */
  record Valid(RequestFrame frame) implements DecodedRequest {}

  /** A well-formed header whose opcode this version does not know: answered with ENOSYS. */
  record UnknownOpcode(int requestId, int opcode, int fdCount) implements DecodedRequest {}

  /** A protocol violation: the connection is dropped. */
  record Malformed(String reason) implements DecodedRequest {}
}
