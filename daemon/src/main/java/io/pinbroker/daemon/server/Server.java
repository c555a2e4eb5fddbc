package io.pinbroker.daemon.server;

import io.pinbroker.protocol.Status;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import io.pinbroker.unix.SeqpacketListener;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * Accepts clients on a listening socket and hands each to one of a few {@link EventLoop}s (the one
 * with the fewest connections), with a shared pool of worker threads for requests that may wait.
 * Peer credentials are captured once, at accept. Connections are bounded in total and per uid; a
 * client past either bound gets a notice (ENOSPC, EDQUOT) and is closed before any request is
 * read.
 */
@Singleton
public final class Server {
  private static final Logger LOG = Logger.getLogger(Server.class.getName());
  private static final int EMFILE = 24;
  private static final int ENFILE = 23;

  private final int maxConnections;
  /** The bounds new connections get: per uid, and timeouts; replaced by a reload. */
  private volatile ServerConfig config;
  private final Map<Integer, Integer> perUid = new ConcurrentHashMap<>();
  private boolean fdTableFull;
  private final Handlers handlers;
  private final Handoff handoff;
  private final ServerMetrics metrics;
  private final Watches watches;
  private final FdReserve reserve;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;
  private volatile boolean paused;
  private volatile boolean parked;
  private SeqpacketListener listener;
  private Thread acceptor;
  private volatile List<EventLoop> loops = List.of();
  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          Thread.ofPlatform().name("pinbroker-worker-", 0).daemon(true).factory());

  @Inject
  Server(
      ServerConfig config,
      Handlers handlers,
      Handoff handoff,
      ServerMetrics metrics,
      Watches watches,
      FdReserve reserve) {
    this.config = config;
    this.maxConnections = config.maxConnections();
    this.handlers = handlers;
    this.handoff = handoff;
    this.metrics = metrics;
    this.watches = watches;
    this.reserve = reserve;
  }

  /** Event loops: one per CPU, up to 4; a loop serves a request in microseconds. */
  private static int loopCount() {
    return Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
  }

  /** Starts accepting on {@code listener}, which the server now owns. */
  public synchronized void start(SeqpacketListener listener) throws IOException {
    List<EventLoop> created = new ArrayList<>();
    try {
      for (int i = 0; i < loopCount(); i++) {
        created.add(new EventLoop("pinbroker-loop-" + i));
        created.getLast().idleTimeout(config.idleTimeout());
      }
    } catch (IOException e) {
      created.forEach(EventLoop::close);
      throw e;
    }
    this.loops = List.copyOf(created);
    this.listener = listener;
    this.acceptor = Thread.ofPlatform().name("pinbroker-accept").start(this::acceptLoop);
  }

  private void acceptLoop() {
    while (awaitAccepting()) {
      UnixSocket socket;
      try {
        socket = listener.accept();
      } catch (ErrnoException e) {
        if (stopping) {
          return;
        }
        if (e.errno() == EMFILE || e.errno() == ENFILE) {
          if (!fdTableFull) {
            fdTableFull = true;
            LOG.warning("cannot accept: fd table full; clients wait until fds are freed");
          }
          sleepQuietly();
          continue;
        }
        LOG.severe("accept failed: " + e.getMessage());
        return;
      } catch (IOException e) {
        LOG.severe("accept failed: " + e.getMessage());
        return;
      }
      if (fdTableFull) {
        fdTableFull = false;
        LOG.info("accepting again: fds were freed");
      }
      if (stopping) {
        socket.close(); // the wake-up connection of stop(), or a client just too late
        return;
      }
      if (paused && isOwnWakeUp(socket)) {
        socket.close();
        continue;
      }
      admit(socket);
    }
  }

  /** Parks while paused; false once stopping. */
  private synchronized boolean awaitAccepting() {
    while (paused && !stopping) {
      parked = true;
      notifyAll();
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    parked = false;
    return !stopping;
  }

  private static boolean isOwnWakeUp(UnixSocket socket) {
    try {
      return socket.peerCredentials().pid() == ProcessHandle.current().pid();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Stops accepting, for a handoff: the listening socket stays open, and clients that connect
   * meanwhile wait in its backlog for whoever accepts next. Returns once the acceptor is parked.
   */
  public void pauseAccepting() throws IOException {
    synchronized (this) {
      if (stopping || paused) {
        throw new IOException("not accepting now");
      }
      paused = true;
    }
    wakeAcceptor();
    long deadline = System.nanoTime() + 2_000_000_000L;
    synchronized (this) {
      while (!parked && System.nanoTime() < deadline) {
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (!parked) {
        paused = false;
        notifyAll();
        throw new IOException("the acceptor did not pause");
      }
    }
  }

  /** Accepts again after {@link #pauseAccepting}. */
  public synchronized void resumeAccepting() {
    paused = false;
    notifyAll();
  }

  /** A new descriptor for the listening socket, for a successor; the caller owns it. */
  public Fd duplicateListener() throws IOException {
    return FileOps.duplicate(listener.fd(), 3);
  }

  private void admit(UnixSocket socket) {
    PeerCredentials who;
    try {
      who = socket.peerCredentials();
    } catch (IOException e) {
      LOG.warning("cannot read peer credentials: " + e.getMessage());
      socket.close();
      return;
    }
    ServerConfig limits = config;
    if (connections.size() >= maxConnections) {
      refuse(socket, who, Status.ENOSPC, maxConnections + " connections already open");
      return;
    }
    int uid = who.uid();
    int ofUid = perUid.getOrDefault(uid, 0); // only this thread adds: a close only makes it less
    if (ofUid >= limits.maxConnectionsPerUid()) {
      refuse(
          socket,
          who,
          Status.EDQUOT,
          "uid " + Integer.toUnsignedString(uid) + " already has " + ofUid + " connections open");
      return;
    }
    perUid.merge(uid, 1, Integer::sum);
    Connection[] self = new Connection[1];
    Connection c =
        new Connection(
            socket,
            who,
            handlers,
            handoff,
            metrics,
            watches,
            limits,
            leastBusyLoop(),
            workers,
            () -> {
              connections.remove(self[0]);
              perUid.computeIfPresent(uid, (u, n) -> n == 1 ? null : n - 1);
              metrics.closed();
            });
    self[0] = c;
    connections.add(c);
    metrics.accepted();
    c.start();
  }

  private EventLoop leastBusyLoop() {
    EventLoop best = loops.getFirst();
    for (EventLoop l : loops) {
      if (l.size() < best.size()) {
        best = l;
      }
    }
    return best;
  }

  private void refuse(UnixSocket socket, PeerCredentials who, Status status, String why) {
    LOG.warning("refusing " + who + ": " + why);
    Notice.send(socket, status, why);
    socket.close();
    metrics.refused();
  }

  /**
   * Applies {@code next}'s per-uid bound and timeouts to connections accepted from now on; the
   * total ({@code maxConnections}) stays as at start, since it sizes the fd reserve.
   */
  public void reconfigure(ServerConfig next) {
    config =
        new ServerConfig(
            maxConnections, next.maxConnectionsPerUid(), next.idleTimeout(), next.sendTimeout());
    for (EventLoop loop : loops) {
      loop.idleTimeout(next.idleTimeout());
    }
  }

  /** Connections of {@code uid} now. */
  public int connectionsOf(int uid) {
    return perUid.getOrDefault(uid, 0);
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * For STATUS=: that the broker holds all the fds it may and refuses pins of more, while it does;
   * null otherwise.
   */
  public String fdLimitStatus() {
    return reserve.fullStatus();
  }

  /** Clients connected now. */
  public int connectionCount() {
    return connections.size();
  }

  /** Connections that are watch streams now (WATCH). */
  public int watchCount() {
    return watches.count();
  }

  /** Events waiting to be sent, over every watch stream: at most 1024 per watch. */
  public int watchBacklog() {
    return watches.backlog();
  }

  /**
   * Lame-duck stop: accept no more clients, let every connection finish the request it is
   * serving, then close it; waits up to {@code drain} for that. The listening socket is closed but
   * never shut down, since systemd may hold the same socket for the next instance.
   */
  public void stop(Duration drain) {
    synchronized (this) {
      if (stopping || listener == null) {
        return;
      }
      stopping = true;
      notifyAll();
    }
    if (!parked) {
      wakeAcceptor();
    }
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    listener.close();
    for (Connection c : connections) {
      c.drain();
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (!connections.isEmpty() && System.nanoTime() < deadline) {
      sleepQuietly();
    }
    loops.forEach(EventLoop::close);
    workers.shutdown();
  }

  /** A blocked accept(2) returns when a client connects: be that client. */
  private void wakeAcceptor() {
    try {
      UnixSocket.connect(listener.path()).close();
    } catch (IOException e) {
      LOG.fine("could not wake the acceptor: " + e.getMessage());
    }
  }

}
