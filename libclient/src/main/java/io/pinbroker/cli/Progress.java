package io.pinbroker.cli;

import io.pinbroker.unix.Terminal;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A count of work done shown on one line of stderr, rewritten in place with {@code \r}, e.g.
 * {@code imported 120/4000}, at most ten times a second, and ended with a newline on {@link
 * #close()}. Quiet unless both stdout and stderr are terminals: see {@link #forTerminal}.
 */
public final class Progress implements AutoCloseable {
  private static final long INTERVAL_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String format;
  private final LongSupplier nanoClock;
  private long lastDrawn;
  private int width;
  private boolean drawn;

  /**
   * Progress written to {@code err} if this process's stdout (fd 1) and stderr (fd 2) are both
   * terminals, else a quiet one. Why those two, checked with isatty(3): progress goes to stderr,
   * and {@code \r} rewrites are garbage in a file, a pipe or the journal; and output redirected
   * or piped away means a script, which wants no chatter. {@code System.console()} would not do:
   * since JDK 22 it returns a console even when redirected, and its {@code isTerminal()} looks at
   * stdin and stdout, never at stderr. {@code format} takes the count done and the total, e.g.
   * {@code "imported %d/%d"}.
   */
  public static Progress forTerminal(PrintWriter err, String format) {
    boolean shown = Terminal.isTerminal(Terminal.STDOUT) && Terminal.isTerminal(Terminal.STDERR);
    return new Progress(shown ? err : null, format, System::nanoTime);
  }

  /** Progress drawn on {@code err}, or quiet if it is null. */
  Progress(PrintWriter err, String format, LongSupplier nanoClock) {
    this.err = err;
    this.format = format;
    this.nanoClock = nanoClock;
  }

  /** Shows {@code done} of {@code total}; the last step is always drawn, others throttled. */
  public void update(long done, long total) {
    if (err == null) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (drawn && done < total && now - lastDrawn < INTERVAL_NANOS) {
      return;
    }
    String line = String.format(format, done, total);
    err.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
    err.flush();
    width = line.length();
    lastDrawn = now;
    drawn = true;
  }

  /** Ends the line, if anything was drawn, so that what follows starts on a line of its own. */
  @Override
  public void close() {
    if (drawn) {
      err.print('\n');
      err.flush();
      drawn = false;
    }
  }
}
