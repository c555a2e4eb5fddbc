package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.util.logging.Logger;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * Keeps the top of the fd table free for connections and GETs, so that a broker full of held fds
 * still accepts clients and hands out what it holds. A held fd must have a number below the
 * ceiling: the fd limit less {@link ServerConfig#fdReserve()} (at most half the limit). The kernel
 * gives the lowest free number, so a received fd at or above the ceiling means every number below
 * it is taken: holding it would eat into the reserve, and the pin is refused with EMFILE. Held fds
 * therefore never occupy the reserve, whatever order fds come and go in. Costs one comparison.
 */
@Singleton
final class FdReserve {
  private static final Logger LOG = Logger.getLogger(FdReserve.class.getName());

  private final long ceiling;
  private final long limit;
  /** Whether the last pin of an fd was refused at the ceiling; the next one held clears it. */
  private volatile boolean full;

  @Inject
  FdReserve(ServerConfig config) {
    long l;
    try {
      l = FileOps.fdLimit();
    } catch (IOException e) {
      l = -1;
    }
    limit = l < 0 ? Long.MAX_VALUE : l; // RLIM_INFINITY
    long reserve = config.fdReserve();
    if (reserve > limit / 2) {
      LOG.warning(
          "the fd limit " + limit + " is low for " + config.maxConnections() + " connections: "
              + "keeping " + limit / 2 + " fds free rather than " + reserve
              + "; raise LimitNOFILE= or lower --max-connections");
      reserve = limit / 2;
    }
    ceiling = limit - reserve;
  }

  /** Refuses to hold {@code object} if its fd is in the reserve; the caller still owns it. */
  void check(HeldObject object) throws Refusal {
    if (object.pinned()) {
      return;
    }
    if (object.fd() >= ceiling) {
      full = true;
      throw new Refusal(Status.EMFILE, "the broker holds all the fds it may " + bound());
    }
    full = false;
  }

  /** What STATUS= says while pins of fds are refused at the bound; null while they are not. */
  String fullStatus() {
    return full ? "fd limit reached, pins of fds get EMFILE " + bound() : null;
  }

  private String bound() {
    return "(fd limit " + limit + ", less " + (limit - ceiling) + " kept for connections and GETs)";
  }

  /** Held fds have numbers below this. */
  long ceiling() {
    return ceiling;
  }
}
