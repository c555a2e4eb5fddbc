package io.pinbroker.daemon;

import io.pinbroker.daemon.systemd.Notifier;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A service manager that remembers what it was told and keeps an fd store as systemd does:
 * FDSTORE=1 with FDNAME= keeps a duplicate of the fd, FDSTOREREMOVE=1 drops every fd of a name.
 */
public final class RecordingNotifier implements Notifier {
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Map<String, Fd> store = new LinkedHashMap<>();
  private int barriers;
  private volatile CountDownLatch barrierGate = new CountDownLatch(0);

  @Override
  public void send(String state) {
    messages.add(state);
    Map<String, String> fields = fields(state);
    if ("1".equals(fields.get("FDSTOREREMOVE"))) {
      synchronized (this) {
        Fd gone = store.remove(fields.get("FDNAME"));
        if (gone != null) {
          gone.close();
        }
      }
    }
  }

  @Override
  public boolean present() {
    return true;
  }

  @Override
  public synchronized void sendWithFd(String state, int fd) throws IOException {
    Map<String, String> fields = fields(state);
    if (!"1".equals(fields.get("FDSTORE")) || !"0".equals(fields.get("FDPOLL"))) {
      throw new IOException("unexpected fd message: " + state);
    }
    Fd old = store.put(fields.get("FDNAME"), FileOps.duplicate(fd, 3));
    if (old != null) {
      old.close();
    }
  }

  @Override
  public void barrier(Duration timeout) throws IOException {
    try {
      if (!barrierGate.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException("BARRIER=1 timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    synchronized (this) {
      barriers++;
    }
  }

  /** From now on BARRIER=1 waits, as a busy service manager makes it, until released. */
  public void holdBarriers() {
    barrierGate = new CountDownLatch(1);
  }

  /** Answers the waiting BARRIER=1 calls, and every later one at once. */
  public void releaseBarriers() {
    barrierGate.countDown();
  }

  private static Map<String, String> fields(String state) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : state.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  /** What was sent without fds, in order. */
  public List<String> messages() {
    return List.copyOf(messages);
  }

  /** BARRIER=1 calls so far. */
  public synchronized int barriers() {
    return barriers;
  }

  /** Names in the fd store now. */
  public synchronized List<String> storedNames() {
    return List.copyOf(store.keySet());
  }

  /** A copy of the fd store, as a restarted broker would inherit it; the caller owns the fds. */
  public synchronized Map<String, Fd> inheritStore() throws IOException {
    Map<String, Fd> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Fd> e : store.entrySet()) {
      copy.put(e.getKey(), FileOps.duplicate(e.getValue().value(), 3));
    }
    return copy;
  }

  /** Closes what the store holds. */
  public synchronized void closeStore() {
    store.values().forEach(Fd::close);
    store.clear();
  }
}
