package io.pinbroker.daemon.server;

import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.Reply.WatchEvent;
import java.util.ArrayDeque;

/**
 * The events waiting for one watcher: at most {@link #CAPACITY}, so a watcher that does not read
 * costs bounded memory. Adding never blocks. When the queue is full, events are dropped, and one
 * OVERFLOW is queued as soon as there is room again, after every event queued before the drop:
 * the watcher gets exactly one OVERFLOW however many events were lost, and it comes after the
 * losses. Thread-safe.
 */
final class WatchQueue {
  /** Most events waiting for one watcher, the OVERFLOW included. */
  static final int CAPACITY = 1024;

  private final ArrayDeque<WatchEvent> events = new ArrayDeque<>();
  private final int capacity;
  private final Runnable onFirst;
  /** Events were dropped that no queued OVERFLOW comes after. */
  private boolean lost;
  /** An OVERFLOW is queued: whatever is dropped before it goes out is covered by it. */
  private boolean overflowQueued;
  private boolean closed;

  /**
   * @param onFirst runs when an event arrives in an empty queue, under the queue's lock; it must
   *     not block
   */
  WatchQueue(int capacity, Runnable onFirst) {
    if (capacity < 2) {
      throw new IllegalArgumentException("a queue holds an event and an OVERFLOW at least");
    }
    this.capacity = capacity;
    this.onFirst = onFirst;
  }

  /** Queues {@code e}, or drops it if the queue is full or closed. Never blocks. */
  synchronized void offer(WatchEvent e) {
    if (closed) {
      return;
    }
    if (events.size() >= capacity) {
      lost |= !overflowQueued;
      return;
    }
    events.add(e);
    if (events.size() == 1) {
      onFirst.run();
    }
  }

  /** The next event to send, or null if none waits. */
  synchronized WatchEvent poll() {
    WatchEvent e = events.poll();
    if (e != null && e.type() == EventType.OVERFLOW) {
      overflowQueued = false;
    }
    if (lost) { // the queue was full when events were lost, so e made room
      events.add(WatchEvent.overflow());
      lost = false;
      overflowQueued = true;
    }
    return e;
  }

  /** Events waiting now. */
  synchronized int size() {
    return events.size();
  }

  /** Drops what waits; later offers are dropped too, and {@code onFirst} never runs again. */
  synchronized void close() {
    closed = true;
    events.clear();
  }
}
