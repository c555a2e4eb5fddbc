package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Doorbell;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.inject.Inject;
import javax.inject.Singleton;

/** Starts watches (WATCH, PROTOCOL.md §6.13) and knows the ones running. */
@Singleton
final class Watches {
  private final Namespace namespace;
  private final Set<Watcher> running = ConcurrentHashMap.newKeySet();

  @Inject
  Watches(Namespace namespace) {
    this.namespace = namespace;
  }

  /**
   * Checks a WATCH and starts listening. The caller owns the returned watcher and closes it when
   * the connection ends; a refusal leaves nothing behind.
   */
  Watcher start(PeerCredentials who, Request.Watch request) throws Refusal {
    PathName path;
    try {
      path = PathName.parse(request.path());
    } catch (PathSyntaxException e) {
      throw new Refusal(e.status(), e.getMessage());
    }
    if ((request.flags() & ~Request.WATCH_RECURSIVE) != 0) {
      throw new Refusal(Status.EINVAL, "unknown WATCH flags " + request.flags());
    }
    Doorbell bell;
    try {
      bell = Doorbell.open();
    } catch (IOException e) {
      throw new Refusal(Status.EMFILE, "cannot watch: " + e.getMessage());
    }
    boolean recursive = (request.flags() & Request.WATCH_RECURSIVE) != 0;
    WatchFilter filter =
        new WatchFilter(
            path.toString(), recursive, p -> namespace.mayKnowOf(who, p), namespace::infoAt);
    Watcher[] self = new Watcher[1];
    Watcher w = new Watcher(namespace, filter, bell, () -> running.remove(self[0]));
    self[0] = w;
    try {
      w.started(namespace.watch(who, path, w));
    } catch (Refusal | RuntimeException e) {
      w.close();
      throw e;
    }
    running.add(w);
    return w;
  }

  /** Watches running now. */
  int count() {
    return running.size();
  }

  /** Events waiting in every watcher's queue now. */
  int backlog() {
    return running.stream().mapToInt(Watcher::backlog).sum();
  }
}
