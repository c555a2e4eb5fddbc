package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.Request;
import io.pinbroker.unix.PeerCredentials;
import io.pinbroker.unix.Received;

/** Serves one opcode. Takes from {@code fds} only what it keeps; the rest is closed for it. */
interface Handler {
  Response handle(PeerCredentials who, Request request, Received fds) throws Refusal;
}
