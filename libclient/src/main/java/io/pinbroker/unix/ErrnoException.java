package io.pinbroker.unix;

import java.io.IOException;

/** A failed system call, with its errno. */
public final class ErrnoException extends IOException {
  private final int errno;
  private final String call;

  public ErrnoException(String call, int errno) {
    super(call + ": " + Libc.strerror(errno));
    this.errno = errno;
    this.call = call;
  }

  /** What failed, e.g. {@code BPF_MAP_UPDATE_ELEM} or {@code open /x}. */
  public String call() {
    return call;
  }

  public int errno() {
    return errno;
  }
}
