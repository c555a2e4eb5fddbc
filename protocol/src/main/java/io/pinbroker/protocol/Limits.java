package io.pinbroker.protocol;

/** Size limits fixed by protocol version 1. Each is enforced by both sides. */
public final class Limits {
  /** Largest datagram either side sends, header included. Larger ones are protocol violations. */
  public static final int MAX_FRAME_BYTES = 65536;

  /** Most fds attached to one datagram: the kernel's SCM_MAX_FD. */
  public static final int MAX_FDS_PER_FRAME = 253;

  /** Longest path component, in UTF-8 bytes. */
  public static final int MAX_COMPONENT_BYTES = 255;

  /** Longest path, in UTF-8 bytes (PATH_MAX less its NUL). */
  public static final int MAX_PATH_BYTES = 4095;

  /** Most components in a path. */
  public static final int MAX_DEPTH = 64;

  /** Longest human-readable detail in an error reply, in bytes. */
  public static final int MAX_DETAIL_BYTES = 1024;

  private Limits() {}
}
