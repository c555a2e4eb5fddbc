package io.pinbroker.protocol;

import java.util.List;

/** A reply body. Which record answers which opcode is fixed; see PROTOCOL.md. */
public sealed interface Reply {
  /** The status in the reply header. */
  default Status status() {
    return Status.OK;
  }

  /** Answers HELLO: what the broker speaks and who it thinks the peer is. */
  record HelloReply(
      int version, long features, int maxFrameBytes, int maxFds, int pid, int uid, int gid)
      implements Reply {}

  /** Answers PIN, STAT, MKDIR, CHMOD, CHOWN and CREATE_MAP with the node as it is now. */
  record NodeReply(NodeInfo info) implements Reply {}

  /** Answers GET; exactly one fd travels with it. */
  record GetReply(NodeInfo info, Handout handout) implements Reply {}

  /** Answers LIST; {@code more} is set when names after the last one remain. */
  record ListReply(List<DirEntry> entries, boolean more) implements Reply {
    public ListReply {
      entries = List.copyOf(entries);
    }
  }

  /** Answers RMDIR, UNLINK and RENAME. */
  record Done() implements Reply {}

  /** Any refused request: a non-OK status and a human-readable detail (may be empty). */
  record Failure(Status status, String detail) implements Reply {
    public Failure {
      if (status == Status.OK) {
        throw new IllegalArgumentException("a failure needs a non-OK status");
      }
    }
  }
}
