package io.pinbroker.protocol;

/** How the broker produced the fd a GET returns. */
public enum Handout implements WireCode {
  /**
   * A new open file description of the same object, opened with exactly the access asked for; it
   * has its own offset and flags. Used for regular files, memfds (sim objects too), pipes, and BPF
   * maps (opened by id, read-only with BPF_F_RDONLY).
   */
  REOPENED(1),
  /**
   * The held open file description itself (a new fd pointing at it). Its access mode, offset and
   * flags are shared with every holder, so read-only is not enforced. Used where the kernel cannot
   * open the object again: sockets, devices, anonymous inodes, directories.
   */
  SHARED(2),
  /**
   * A new fd for the same kernel object, opened by its id, but of a kind for which the kernel
   * ignores read-only: BPF programs and links. Access is advisory.
   */
  ADVISORY(3);

  private final int code;

  Handout(int code) {
    this.code = code;
  }

  @Override
  public int code() {
    return code;
  }

  /** The handout for a wire byte, or {@code null} if unknown. */
  public static Handout valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
