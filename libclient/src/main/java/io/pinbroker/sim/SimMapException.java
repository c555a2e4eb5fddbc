package io.pinbroker.sim;

import java.io.IOException;

/**
 * A refused map operation, with the errno the kernel's BPF map would have returned for it (Linux
 * numbering).
 */
public final class SimMapException extends IOException {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int E2BIG = 7;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EINVAL = 22;

  /** A writer died in the middle of an update; the next write repairs the map. */
  public static final int EOWNERDEAD = 130;

  private final int errno;

  public SimMapException(int errno, String message) {
    super(name(errno) + ": " + message);
    this.errno = errno;
  }

  /** The errno-like number, one of the constants of this class. */
  public int errno() {
    return errno;
  }

  private static String name(int errno) {
    return switch (errno) {
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case E2BIG -> "E2BIG";
      case EBUSY -> "EBUSY";
      case EEXIST -> "EEXIST";
      case EINVAL -> "EINVAL";
      case EOWNERDEAD -> "EOWNERDEAD";
      default -> "errno " + errno;
    };
  }
}
