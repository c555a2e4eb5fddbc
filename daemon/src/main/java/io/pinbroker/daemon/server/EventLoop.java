package io.pinbroker.daemon.server;

import io.pinbroker.unix.Doorbell;
import io.pinbroker.unix.Epoll;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One thread that waits for requests on many connections at once (epoll, level-triggered) and
 * serves each datagram as it comes: an idle connection costs no thread, and a busy broker serves
 * one client after another without sleeping in between. A connection belongs to the loop while it
 * is registered here; a request that may block is served by a worker thread, with the connection
 * taken out of the loop meanwhile, and the worker gives it back ({@link #adopt}) once no request
 * waits. Idle timeouts are enforced here, at the earliest deadline of the loop's connections.
 */
final class EventLoop implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EventLoop.class.getName());
  /** No deadline: a connection that is never idle. */
  static final long NEVER = Long.MAX_VALUE;

  private final Epoll epoll;
  private final Doorbell bell;
  private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean stopping;
  /**
   * When the loop sweeps next (System.nanoTime), or NEVER: the earliest idle deadline the last
   * sweep found, and never later than {@link #longestSleep} after it.
   */
  private long nextSweep = NEVER;
  /** When the loop sweeps at the latest, unless woken: what it is sleeping towards. */
  private volatile long wakeBy = NEVER;
  /** While a sweep runs, a connection adopted meanwhile may be missed by it. */
  private volatile boolean sweeping;
  /**
   * The idle timeout of connections accepted now (ns), or NEVER: sweeps are never further apart,
   * so a connection adopted after a sweep is never found idle late.
   */
  private volatile long longestSleep = NEVER;

  EventLoop(String name) throws IOException {
    this.epoll = Epoll.open();
    try {
      this.bell = Doorbell.open();
    } catch (IOException | RuntimeException e) {
      epoll.close();
      throw e;
    }
    try {
      epoll.add(bell.fd());
    } catch (IOException | RuntimeException e) {
      bell.close();
      epoll.close();
      throw e;
    }
    this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    thread.start();
  }

  /** Connections this loop serves now (not those a worker has). */
  int size() {
    return connections.size();
  }

  /** Makes {@code c} the loop's: its requests are served here from now on. Any thread. */
  void adopt(Connection c) throws IOException {
    int fd = c.fd();
    connections.put(fd, c);
    try {
      epoll.add(fd);
    } catch (IOException e) {
      connections.remove(fd);
      throw e;
    }
    if (sweeping || earlier(c.idleDeadline(), wakeBy)) {
      bell.ring(); // the loop would sleep past this deadline: have it look again
    }
  }

  /** Takes {@code c} out of the loop, which must have it: a worker serves it, or it ends. */
  void release(Connection c) {
    connections.remove(c.fd());
    try {
      epoll.remove(c.fd());
    } catch (IOException e) {
      LOG.log(Level.FINE, "epoll_ctl DEL of a connection failed", e);
    }
  }

  /** New connections will have this idle timeout ({@link Duration#ZERO}: none). */
  void idleTimeout(Duration idle) {
    longestSleep = idle.isZero() ? NEVER : idle.toNanos();
    bell.ring(); // the loop may be sleeping for longer
  }

  private void run() {
    while (!stopping) {
      long by = nextSweep;
      wakeBy = by;
      int n;
      try {
        n = epoll.await(millisUntil(by, System.nanoTime()));
      } catch (IOException e) {
        LOG.severe("event loop stopped: " + e.getMessage());
        return;
      }
      boolean rung = false;
      for (int i = 0; i < n; i++) {
        int fd = epoll.ready(i);
        if (fd == bell.fd()) {
          bell.silence();
          rung = true; // a new deadline may be earlier than the one the loop slept towards
          continue;
        }
        Connection c = connections.get(fd);
        if (c != null) { // null: released while its event was pending
          c.ready();
        }
      }
      if (rung || (by != NEVER && System.nanoTime() - by >= 0)) {
        sweep();
      }
    }
  }

  private static int millisUntil(long deadline, long now) {
    if (deadline == NEVER) {
      return -1;
    }
    long wait = deadline - now;
    return wait <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, wait / 1_000_000 + 1);
  }

  /** Ends the connections idle past their timeout; finds the next deadline. */
  private void sweep() {
    sweeping = true;
    long now = System.nanoTime();
    long longest = longestSleep;
    long next = longest == NEVER ? NEVER : now + longest;
    for (Connection c : connections.values()) {
      long deadline = c.idleDeadline();
      if (deadline != NEVER && now - deadline >= 0) {
        deadline = c.idle();
      }
      if (earlier(deadline, next)) {
        next = deadline;
      }
    }
    nextSweep = next;
    sweeping = false;
  }

  /** Whether deadline {@code a} comes before {@code b}; NEVER comes after every deadline. */
  private static boolean earlier(long a, long b) {
    return a != NEVER && (b == NEVER || a - b < 0);
  }

  /** Stops the loop; its connections, if any remain, are no longer served. */
  @Override
  public void close() {
    stopping = true;
    bell.ring();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    epoll.close();
    bell.close();
  }
}
