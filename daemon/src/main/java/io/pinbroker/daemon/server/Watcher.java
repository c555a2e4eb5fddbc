package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Event;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Reply.WatchEvent;
import io.pinbroker.unix.Doorbell;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;

/**
 * One connection's watch: listens to the namespace, keeps what the watch reports in a bounded
 * queue, and rings a doorbell for the connection's thread. The listener only filters and queues, so
 * it never blocks the namespace. Owns the doorbell's eventfd until {@link #close()}.
 */
final class Watcher implements Event.Listener, AutoCloseable {
  private final Namespace namespace;
  private final WatchFilter filter;
  private final Doorbell bell;
  private final WatchQueue queue;
  private final Runnable onClose;
  private NodeInfo node;

  Watcher(Namespace namespace, WatchFilter filter, Doorbell bell, Runnable onClose) {
    this.namespace = namespace;
    this.filter = filter;
    this.bell = bell;
    this.queue = new WatchQueue(WatchQueue.CAPACITY, bell::ring);
    this.onClose = onClose;
  }

  /** Called under the namespace's write lock. */
  @Override
  public void accept(Event event) {
    for (WatchEvent e : filter.apply(event)) {
      queue.offer(e);
    }
  }

  /** The watched node as it was when the watch began. */
  NodeInfo node() {
    return node;
  }

  void started(NodeInfo watched) {
    this.node = watched;
  }

  /** The next event to send, or null. */
  WatchEvent next() {
    return queue.poll();
  }

  /** Events waiting. */
  int backlog() {
    return queue.size();
  }

  /** Waits until an event may be waiting or the socket is readable; true for the socket. */
  boolean await(UnixSocket socket) throws IOException {
    return bell.await(socket);
  }

  /**
   * Stops listening and closes the doorbell. The queue is closed first, under its lock, so that no
   * ring can reach the eventfd once it is closed.
   */
  @Override
  public void close() {
    namespace.unlisten(this);
    queue.close();
    bell.close();
    onClose.run();
  }
}
