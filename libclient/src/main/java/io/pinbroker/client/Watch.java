package io.pinbroker.client;

import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Reply;
import java.io.IOException;
import java.time.Duration;

/**
 * A watch on a node or a subtree, from {@link PinbrokerClient#watch}: a connection of its own on
 * which the broker sends the events the caller may see, in the order the tree changed. It holds
 * one of the broker's connections (and one socket here) until closed.
 *
 * <p>An event of type {@link EventType#OVERFLOW} means this side read too slowly and the broker
 * dropped events (it queues at most 1024 per watch): read again what is watched ({@link
 * PinbrokerClient#list}, {@link PinbrokerClient#stat}); later events may already be part of what
 * was read. {@link #next} is for one thread at a time; {@link #close} may come from any thread,
 * and a {@code next} blocked meanwhile then throws.
 */
public final class Watch implements AutoCloseable {
  private final PinbrokerClient stream;
  private final String path;
  private final boolean recursive;
  private final NodeInfo node;

  Watch(PinbrokerClient stream, String path, boolean recursive, NodeInfo node) {
    this.stream = stream;
    this.path = path;
    this.recursive = recursive;
    this.node = node;
  }

  /** The watched path. */
  public String path() {
    return path;
  }

  /** Whether the whole subtree is watched, not only the node and the names in it. */
  public boolean recursive() {
    return recursive;
  }

  /** The watched node as it was when the watch began, before every event. */
  public NodeInfo node() {
    return node;
  }

  /**
   * The next event, waiting at most {@code timeout}; null if none came in time. Throws {@link
   * IOException} once the broker has ended the watch (it stopped, or handed over to a successor)
   * or the watch was closed; the watch is then unusable.
   */
  public Reply.WatchEvent next(Duration timeout) throws IOException {
    return stream.nextEvent(timeout, path);
  }

  /** Ends the watch; closing again does nothing. */
  @Override
  public void close() {
    stream.close();
  }
}
