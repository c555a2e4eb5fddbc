package io.pinbroker.daemon;

import java.util.logging.Level;

/**
 * What pinbrokerd's command line and config file say: the broker's configuration and how much to
 * log. {@link Main} makes one at start and again at every reload.
 *
 * @param logLevel INFO, or FINE with {@code --verbose}
 * @param audit whether the audit log is on ({@code --audit}, the default)
 */
record Settings(BrokerConfig config, Level logLevel, boolean audit) {
  /** Settings with the audit log on. */
  Settings(BrokerConfig config, Level logLevel) {
    this(config, logLevel, true);
  }
}
