package io.pinbroker.unix;

import java.io.IOException;

/**
 * BPF_PROG_LOAD failed. The message carries the verifier's log when the kernel produced one; the
 * cause is the {@link ErrnoException} of the failed call.
 */
public final class BpfLoadException extends IOException {
  private final int errno;
  private final String verifierLog;

  BpfLoadException(String program, int errno, String verifierLog) {
    super(message(program, errno, verifierLog), new ErrnoException("BPF_PROG_LOAD", errno));
    this.errno = errno;
    this.verifierLog = verifierLog;
  }

  private static String message(String program, int errno, String log) {
    String head = "BPF_PROG_LOAD " + program + ": " + Libc.strerror(errno);
    return log.isEmpty() ? head : head + "\nverifier log:\n" + log.stripTrailing();
  }

  public int errno() {
    return errno;
  }

  /** The verifier's log of the failed load, or "" if it wrote none. */
  public String verifierLog() {
    return verifierLog;
  }
}
