package io.pinbroker.protocol;

import java.util.List;

/** A reply body. Which record answers which opcode is fixed; see PROTOCOL.md. */
public sealed interface Reply {
  /** The status in the reply header. */
  default Status status() {
    return Status.OK;
  }

  /**
   * How many fds must travel with this reply, in the same datagram: the header's {@code fd_count}
   * and the fds received must both equal it.
   */
  default int requiredFds() {
    return 0;
  }

  /** Answers HELLO: what the broker speaks and who it thinks the peer is. */
  record HelloReply(
      int version, long features, int maxFrameBytes, int maxFds, int pid, int uid, int gid)
      implements Reply {}

  /** Answers PIN, STAT, MKDIR, CHMOD, CHOWN, CREATE_MAP and WATCH with the node as it is now. */
  record NodeReply(NodeInfo info) implements Reply {}

  /** Answers GET; exactly one fd travels with it. */
  record GetReply(NodeInfo info, Handout handout) implements Reply {
    @Override
    public int requiredFds() {
      return 1;
    }
  }

  /** Answers LIST; {@code more} is set when names after the last one remain. */
  record ListReply(List<DirEntry> entries, boolean more) implements Reply {
    public ListReply {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Answers TAKEOVER_BEGIN. Exactly two fds travel with it, in this order: the broker's listening
   * socket, then a memfd holding a snapshot of the namespace in the broker's journal format.
   *
   * @param objectCount how many objects the TAKEOVER_FDS pages hand over in all
   */
  record TakeoverBeginReply(long objectCount) implements Reply {
    /** Index of the listening socket among the reply's fds. */
    public static final int LISTENER = 0;

    /** Index of the journal memfd among the reply's fds. */
    public static final int JOURNAL = 1;

    @Override
    public int requiredFds() {
      return 2;
    }
  }

  /**
   * Answers TAKEOVER_FDS with one page of held objects: their ids in increasing unsigned order,
   * none of them 0, and one fd per id travelling with the reply, in the same order. A page holds
   * at most {@link Limits#MAX_FDS_PER_FRAME} ids.
   *
   * @param more set when objects with larger ids remain; a page that says so is never empty
   * @throws IllegalArgumentException if the page breaks one of these rules
   */
  record TakeoverFdsReply(List<Long> ids, boolean more) implements Reply {
    public TakeoverFdsReply {
      ids = List.copyOf(ids);
      String problem = problem(ids, more);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }

    @Override
    public int requiredFds() {
      return ids.size();
    }

    /** What is wrong with a page, or {@code null}. */
    static String problem(List<Long> ids, boolean more) {
      if (ids.size() > Limits.MAX_FDS_PER_FRAME) {
        return ids.size() + " ids exceed " + Limits.MAX_FDS_PER_FRAME + " fds per frame";
      }
      if (more && ids.isEmpty()) {
        return "an empty page says more follow";
      }
      long previous = 0; // ids start above 0
      for (long id : ids) {
        if (Long.compareUnsigned(id, previous) <= 0) {
          return "ids must be above 0 and increase, but "
              + Long.toUnsignedString(id)
              + " follows "
              + Long.toUnsignedString(previous);
        }
        previous = id;
      }
      return null;
    }
  }

  /** Answers STATS. */
  record StatsReply(Stats stats) implements Reply {}

  /**
   * One event of a watch stream, sent with opcode WATCH_EVENT and the WATCH request's id. Its
   * fields are fixed by its type: {@code to} is set exactly for MOVED and EXCHANGED; OVERFLOW
   * carries no path and no node ({@link #overflow()}); every other type names a path and a node.
   *
   * @param path the absolute name the event is about (for MOVED and EXCHANGED, the source)
   * @param to the destination of MOVED and EXCHANGED; empty otherwise
   * @param info the node after the event (before it, for REMOVED and EXPIRED); null only for
   *     OVERFLOW
   * @throws IllegalArgumentException if the fields do not fit the type
   */
  record WatchEvent(EventType type, String path, String to, NodeInfo info) implements Reply {
    public WatchEvent {
      String problem = problem(type, path, to, info);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }

    /** The event that stands for events dropped because the watcher fell behind. */
    public static WatchEvent overflow() {
      return new WatchEvent(EventType.OVERFLOW, "", "", null);
    }

    /** What is wrong with an event, or {@code null}. */
    static String problem(EventType type, String path, String to, NodeInfo info) {
      if (type == null || path == null || to == null) {
        return "an event needs a type, a path and a destination (maybe empty)";
      }
      if (type == EventType.OVERFLOW) {
        return path.isEmpty() && to.isEmpty() && info == null
            ? null
            : "OVERFLOW carries no path, destination or node";
      }
      if (path.isEmpty() || info == null) {
        return type + " needs a path and a node";
      }
      if (type.hasDestination() == to.isEmpty()) {
        return type + (to.isEmpty() ? " needs a destination" : " has no destination");
      }
      return null;
    }
  }

  /** Answers RMDIR, UNLINK, RENAME and TAKEOVER_DONE. */
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
