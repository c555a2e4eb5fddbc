package io.pinbroker.unix;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An owned file descriptor. Exactly one {@code Fd} owns a descriptor: {@link #close()} closes it
 * once (later calls do nothing), and {@link #release()} hands ownership to the caller explicitly.
 */
public final class Fd implements AutoCloseable {
  private static final int GONE = -1;
  private final AtomicInteger fd;

  private Fd(int fd) {
    if (fd < 0) {
      throw new IllegalArgumentException("not a descriptor: " + fd);
    }
    this.fd = new AtomicInteger(fd);
  }

  /** Takes ownership of {@code fd}: the returned handle will close it. */
  public static Fd adopt(int fd) {
    return new Fd(fd);
  }

  /** The descriptor number, still owned by this handle. */
  public int value() {
    int v = fd.get();
    if (v == GONE) {
      throw new IllegalStateException("descriptor already closed or released");
    }
    return v;
  }

  public boolean isOpen() {
    return fd.get() != GONE;
  }

  /** Gives up ownership: the caller now must close the returned descriptor. */
  public int release() {
    int v = fd.getAndSet(GONE);
    if (v == GONE) {
      throw new IllegalStateException("descriptor already closed or released");
    }
    return v;
  }

  /** Closes the descriptor if this handle still owns it. */
  @Override
  public void close() {
    int v = fd.getAndSet(GONE);
    if (v != GONE) {
      closeRaw(v);
    }
  }

  /** close(2) on a descriptor nobody else owns; errors are ignored as Linux closes anyway. */
  static void closeRaw(int v) {
    try {
      int unused = (int) Libc.CLOSE.invokeExact(Libc.state(), v);
    } catch (Throwable t) {
      throw Libc.rethrow(t);
    }
  }

  @Override
  public String toString() {
    int v = fd.get();
    return v == GONE ? "Fd(closed)" : "Fd(" + v + ")";
  }
}
