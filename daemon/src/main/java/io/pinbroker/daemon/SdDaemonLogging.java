package io.pinbroker.daemon;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logs to stderr, one line per record, prefixed with its sd-daemon(3) priority ({@code <6>} for
 * info, {@code <5>} for a level between info and warning such as the audit log's notice, {@code
 * <4>} for warnings, ...) so that journald files each line at the right level.
 */
final class SdDaemonLogging extends Formatter {
  private SdDaemonLogging() {}

  static void install(Level level) {
    LogManager.getLogManager().reset();
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new SdDaemonLogging());
    handler.setLevel(level);
    Logger root = Logger.getLogger("");
    root.addHandler(handler);
    root.setLevel(level);
  }

  /** The level the root logger logs at. */
  static Level level() {
    return Logger.getLogger("").getLevel();
  }

  /** Logs at {@code level} from now on, through the handler {@link #install} set up. */
  static void level(Level level) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      if (h.getFormatter() instanceof SdDaemonLogging) {
        h.setLevel(level);
      }
    }
    root.setLevel(level);
  }

  static int priority(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return 3;
    }
    if (v >= Level.WARNING.intValue()) {
      return 4;
    }
    if (v > Level.INFO.intValue()) {
      return 5; // notice: a level between INFO and WARNING, such as the audit log's
    }
    if (v >= Level.INFO.intValue()) {
      return 6;
    }
    return 7;
  }

  @Override
  public String format(LogRecord r) {
    String text = formatMessage(r).replace('\n', ' ');
    if (r.getThrown() != null) {
      text += ": " + r.getThrown();
    }
    return "<" + priority(r.getLevel()) + ">" + text + System.lineSeparator();
  }
}
