package io.pinbroker.unix;

import java.io.IOException;

/** A failed system call, with its errno. */
public final class ErrnoException extends IOException {
  private final int errno;

  public ErrnoException(String call, int errno) {
    super(call + ": " + Libc.strerror(errno));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
