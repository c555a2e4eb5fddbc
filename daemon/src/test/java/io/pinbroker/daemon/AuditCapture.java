package io.pinbroker.daemon;

import io.pinbroker.daemon.server.AuditLog;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The audit lines of in-process brokers, kept here rather than printed (the last 10,000). Installed
 * once per JVM by {@link TestBroker}.
 */
final class AuditCapture extends Handler {
  private static final int KEEP = 10_000;
  private static final Logger AUDIT = Logger.getLogger(AuditLog.LOGGER);
  private static final AuditCapture INSTANCE = new AuditCapture();
  private final List<String> lines = new ArrayList<>();
  /** Lines ever logged; {@code lines} holds the last of them. */
  private long total;

  static {
    AUDIT.setUseParentHandlers(false);
    AUDIT.addHandler(INSTANCE);
  }

  private AuditCapture() {}

  static void install() {
    // the static initializer did it
  }

  /** How many lines were logged so far, as a mark for {@link #since}. */
  static synchronized long mark() {
    return INSTANCE.total;
  }

  /** The lines logged since {@code mark} (those still kept). */
  static synchronized List<String> since(long mark) {
    List<String> kept = INSTANCE.lines;
    long first = INSTANCE.total - kept.size();
    int from = (int) Math.max(0, mark - first);
    return List.copyOf(kept.subList(Math.min(from, kept.size()), kept.size()));
  }

  @Override
  public void publish(LogRecord r) {
    synchronized (AuditCapture.class) {
      if (lines.size() >= KEEP) {
        lines.subList(0, KEEP / 2).clear();
      }
      lines.add(r.getMessage());
      total++;
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
