package io.pinbroker.protocol;

/** A request body. Each record is one opcode; PROTOCOL.md gives its byte layout. */
public sealed interface Request {
  Opcode opcode();

  /** How many fds must travel with this request. */
  default int requiredFds() {
    return 0;
  }

  /** Opens a session. Must be the first request on a connection. */
  record Hello(int minVersion, int maxVersion, long features) implements Request {
    public Opcode opcode() {
      return Opcode.HELLO;
    }
  }

  /**
   * Binds the one attached fd to a new name (bind semantics: EEXIST if taken).
   *
   * @param gid the entry's group, or {@link #DEFAULT_ID} for the peer's own group
   * @param flags {@link #PIN_REPLACE}, {@link #PIN_CAS}, {@link #PIN_EPHEMERAL}, {@link #PIN_TTL}
   * @param expectedGeneration with {@link #PIN_CAS}: the generation the existing entry must have
   * @param ttlMillis with {@link #PIN_TTL}: how long the entry lives, in milliseconds (on the
   *     wire only with that flag)
   */
  record Pin(String path, int mode, int gid, int flags, long expectedGeneration, long ttlMillis)
      implements Request {
    public Pin {
      if ((flags & PIN_TTL) == 0 && ttlMillis != 0) {
        throw new IllegalArgumentException("a time to live goes with PIN_TTL");
      }
    }

    /** A pin without a time to live. */
    public Pin(String path, int mode, int gid, int flags, long expectedGeneration) {
      this(path, mode, gid, flags, expectedGeneration, 0);
    }

    public Opcode opcode() {
      return Opcode.PIN;
    }

    @Override
    public int requiredFds() {
      return 1;
    }
  }

  /** Opens an entry and returns a new fd (connect semantics: ENOENT or EACCES). */
  record Get(String path, boolean readOnly) implements Request {
    public Opcode opcode() {
      return Opcode.GET;
    }
  }

  record Stat(String path) implements Request {
    public Opcode opcode() {
      return Opcode.STAT;
    }
  }

  /**
   * Lists a directory in name order, one page at a time.
   *
   * @param after return only names sorting after this one; empty for the first page
   * @param limit most entries to return; 0 for as many as fit in one frame
   */
  record ListDir(String path, String after, int limit) implements Request {
    public Opcode opcode() {
      return Opcode.LIST;
    }
  }

  record Mkdir(String path, int mode) implements Request {
    public Opcode opcode() {
      return Opcode.MKDIR;
    }
  }

  record Rmdir(String path) implements Request {
    public Opcode opcode() {
      return Opcode.RMDIR;
    }
  }

  /** Removes an entry; {@link #UNLINK_FORCE} removes a program still in a held prog array. */
  record Unlink(String path, int flags) implements Request {
    public Opcode opcode() {
      return Opcode.UNLINK;
    }
  }

  record Rename(String from, String to, RenameMode mode) implements Request {
    public Opcode opcode() {
      return Opcode.RENAME;
    }
  }

  record Chmod(String path, int mode) implements Request {
    public Opcode opcode() {
      return Opcode.CHMOD;
    }
  }

  /** Changes owner and group; {@link #DEFAULT_ID} leaves one unchanged. */
  record Chown(String path, int uid, int gid) implements Request {
    public Opcode opcode() {
      return Opcode.CHOWN;
    }
  }

  /**
   * Asks the broker to create a map and bind it to {@code path}: a real BPF map, or with {@code
   * sim} a sim-map memfd. Subject to the broker's map policy and per-uid memory quota.
   *
   * @param gid the entry's group, or {@link #DEFAULT_ID}
   */
  record CreateMap(
      String path,
      int mode,
      int gid,
      boolean sim,
      int mapType,
      int keySize,
      int valueSize,
      int maxEntries,
      int mapFlags,
      String name)
      implements Request {
    public Opcode opcode() {
      return Opcode.CREATE_MAP;
    }
  }

  /**
   * Starts a handoff to a successor broker: the broker freezes its namespace and answers with its
   * listening socket and a journal of its state. Only a peer with the broker's own uid, or uid 0,
   * may send it.
   */
  record TakeoverBegin() implements Request {
    public Opcode opcode() {
      return Opcode.TAKEOVER_BEGIN;
    }
  }

  /**
   * Asks for the next page of held objects during a handoff, after a {@link TakeoverBegin} on the
   * same connection.
   *
   * @param after return only objects whose id is above this one (unsigned); 0 for the first page
   */
  record TakeoverFds(long after) implements Request {
    public Opcode opcode() {
      return Opcode.TAKEOVER_FDS;
    }
  }

  /** Ends a handoff: the successor holds everything, and the old broker drains and exits. */
  record TakeoverDone() implements Request {
    public Opcode opcode() {
      return Opcode.TAKEOVER_DONE;
    }
  }

  /**
   * Asks for the broker's counters, gauges and latencies. Any peer may ask: the numbers name no
   * node.
   */
  record GetStats() implements Request {
    public Opcode opcode() {
      return Opcode.STATS;
    }
  }

  /**
   * Subscribes to events about {@code path}: the node itself and the names in it, or with {@link
   * #WATCH_RECURSIVE} everything below it. After the OK reply the connection carries only {@link
   * Opcode#WATCH_EVENT} frames from the broker, and the client sends nothing more on it.
   *
   * @param flags {@link #WATCH_RECURSIVE}; any other bit is refused with EINVAL
   * @throws IllegalArgumentException if {@code flags} does not fit in the u8 it travels in
   */
  record Watch(String path, int flags) implements Request {
    public Watch {
      if ((flags & ~0xFF) != 0) {
        throw new IllegalArgumentException("WATCH flags are a u8, not " + flags);
      }
    }

    public Opcode opcode() {
      return Opcode.WATCH;
    }
  }

  /** WATCH flag: watch the whole subtree, not only the node and its direct children. */
  int WATCH_RECURSIVE = 1;

  /** UNLINK flag: remove a program even while a held prog array refers to it. */
  int UNLINK_FORCE = 1;

  /** PIN flag: replace an existing entry atomically (its generation bumps). */
  int PIN_REPLACE = 1;

  /** PIN flag: replace only if the existing entry's generation equals the expected one. */
  int PIN_CAS = 2;

  /** PIN flag: the entry goes when the pinning connection closes. */
  int PIN_EPHEMERAL = 4;

  /** PIN flag: a u64 time to live in milliseconds follows; the entry goes when it runs out. */
  int PIN_TTL = 8;

  /** A uid or gid of all ones: "the default" in PIN, "unchanged" in CHOWN. */
  int DEFAULT_ID = -1;
}
