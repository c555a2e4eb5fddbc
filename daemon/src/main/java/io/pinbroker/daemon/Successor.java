package io.pinbroker.daemon;

import io.pinbroker.cli.Progress;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.TakeoverPage;
import io.pinbroker.client.TakeoverStart;
import io.pinbroker.daemon.persist.Persistence;
import io.pinbroker.daemon.persist.Snapshot;
import io.pinbroker.daemon.systemd.Activation;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The new broker's side of a handoff ({@code pinbrokerd --takeover}): asks the running broker
 * for its listening socket, its tree and every held fd, 253 at a time, and, once serving, tells
 * it to go. Until then the old broker serves reads and refuses changes with EAGAIN; if this
 * process fails before {@link #done}, the old broker carries on as before.
 */
final class Successor implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private final PinbrokerClient old;

  private Successor(PinbrokerClient old) {
    this.old = old;
  }

  /** Connects to the broker at {@code socket} (it checks our uid, we check its). */
  static Successor connect(Path socket) throws IOException {
    return new Successor(PinbrokerClient.builder().socket(socket).callTimeout(CALL_TIMEOUT).build());
  }

  /** Everything the old broker holds, as systemd would pass it: the listener and named fds. */
  Activation.Inherited receive() throws IOException {
    Map<String, Fd> stored = new LinkedHashMap<>();
    SeqpacketListener listener = null;
    // on a terminal (a takeover by hand), how many objects have arrived; quiet otherwise
    try (Progress progress =
        Progress.forTerminal(new PrintWriter(System.err), "takeover: %d/%d objects received")) {
      long total;
      try (TakeoverStart start = old.takeoverBegin()) {
        total = start.objectCount();
        stored.put(Snapshot.NAME, Fd.adopt(start.journal().release()));
        listener = SeqpacketListener.adopt(Fd.adopt(start.listener().release()));
      }
      long after = 0;
      long received = 0;
      boolean more = true;
      while (more) {
        try (TakeoverPage page = old.takeoverFds(after)) {
          for (int i = 0; i < page.ids().size(); i++) {
            after = page.ids().get(i);
            stored.put(Persistence.objectName(after), Fd.adopt(page.fds().get(i).release()));
          }
          more = page.more();
          received += page.ids().size();
        }
        progress.update(received, total);
      }
      return new Activation.Inherited(listener, stored);
    } catch (IOException | RuntimeException e) {
      stored.values().forEach(Fd::close);
      if (listener != null) {
        listener.close();
      }
      throw e;
    }
  }

  /** Tells the old broker that this one serves: it drains its clients and exits. */
  void done() throws IOException {
    old.takeoverDone();
  }

  @Override
  public void close() {
    old.close();
  }
}
