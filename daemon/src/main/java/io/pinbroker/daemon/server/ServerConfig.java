package io.pinbroker.daemon.server;

import io.pinbroker.protocol.Limits;
import java.time.Duration;

/**
 * The server's bounds on connections.
 *
 * @param maxConnections most clients connected at once; more are closed at accept (ENOSPC notice)
 * @param maxConnectionsPerUid most clients of one uid connected at once; more are closed at accept
 *     (EDQUOT notice)
 * @param idleTimeout how long a connection may wait with no request before the broker closes it
 *     (ETIMEDOUT notice); {@link Duration#ZERO} for never. Watch streams, and connections that own
 *     ephemeral pins, are never idle.
 * @param sendTimeout how long a reply may wait for a client that does not read before the broker
 *     drops the connection; {@link Duration#ZERO} for ever. Watch streams have none: their queue
 *     bounds them instead.
 */
public record ServerConfig(
    int maxConnections, int maxConnectionsPerUid, Duration idleTimeout, Duration sendTimeout) {
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

  /**
   * fds kept free for what connections need, beyond held objects: per connection its socket and
   * either a GET's handout or a watch's eventfd; a page of TAKEOVER_FDS; and a margin for the
   * listening socket, the journal and the JVM.
   */
  static final int FD_MARGIN = 64;

  /**
   * A configuration with no idle timeout, the default send timeout, and no per-uid bound beyond
   * the total.
   */
  public ServerConfig(int maxConnections) {
    this(maxConnections, maxConnections, Duration.ZERO, DEFAULT_SEND_TIMEOUT);
  }

  public ServerConfig {
    if (idleTimeout.isNegative() || sendTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts are positive, or zero for none");
    }
  }

  /** fds the broker keeps free for its connections: 2 per connection, a TAKEOVER_FDS page, 64. */
  public long fdReserve() {
    return 2L * maxConnections + Limits.MAX_FDS_PER_FRAME + FD_MARGIN;
  }
}
