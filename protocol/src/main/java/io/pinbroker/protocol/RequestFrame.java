package io.pinbroker.protocol;

/**
 * One request datagram.
 *
 * @param requestId chosen by the client, echoed in the reply
 * @param fdCount the number of fds the sender attached
 */
public record RequestFrame(int requestId, int fdCount, Request request) {}
