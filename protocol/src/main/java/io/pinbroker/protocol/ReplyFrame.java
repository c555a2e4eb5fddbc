package io.pinbroker.protocol;

/**
 * One reply datagram.
 *
 * @param opcode the opcode byte of the request answered (see {@link Opcode})
 * @param fdCount the number of fds the broker attached
 */
public record ReplyFrame(int requestId, int opcode, int fdCount, Reply reply) {}
