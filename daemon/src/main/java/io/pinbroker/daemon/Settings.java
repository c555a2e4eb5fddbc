package io.pinbroker.daemon;

import java.util.logging.Level;

/**
 * What pinbrokerd's command line and config file say: the broker's configuration and how much to
 * log. {@link Main} makes one at start and again at every reload.
 *
 * @param logLevel INFO, or FINE with {@code --verbose}
 */
record Settings(BrokerConfig config, Level logLevel) {}
