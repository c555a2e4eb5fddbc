package io.pinbroker.unix;

/** Whether this process's standard streams are terminals. */
public final class Terminal {
  public static final int STDOUT = 1;
  public static final int STDERR = 2;

  private Terminal() {}

  /** isatty(3): whether {@code fd} is a terminal; false for a closed fd. */
  public static boolean isTerminal(int fd) {
    try {
      return (int) Libc.ISATTY.invokeExact(Libc.state(), fd) == 1;
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }
}
