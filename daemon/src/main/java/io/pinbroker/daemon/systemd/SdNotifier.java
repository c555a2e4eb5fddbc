package io.pinbroker.daemon.systemd;

import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;

/**
 * sd_notify over the datagram socket named by {@code NOTIFY_SOCKET}: a path or an abstract
 * {@code @name}, connected once, so that fds attached later reach the same manager. Plain state
 * messages are best effort, as sd_notify is: a lost one is logged, never fatal.
 */
final class SdNotifier implements Notifier {
  private static final Logger LOG = Logger.getLogger(SdNotifier.class.getName());
  private final UnixSocket socket;
  private boolean warned;

  private SdNotifier(UnixSocket socket) {
    this.socket = socket;
  }

  static Notifier fromEnvironment(Map<String, String> env) {
    String address = env.get("NOTIFY_SOCKET");
    if (address == null || address.isEmpty()) {
      return NONE;
    }
    try {
      return new SdNotifier(UnixSocket.connectDatagram(address));
    } catch (IOException | IllegalArgumentException e) {
      LOG.warning("cannot reach NOTIFY_SOCKET " + address + ": " + e.getMessage());
      return NONE;
    }
  }

  @Override
  public boolean present() {
    return true;
  }

  @Override
  public synchronized void send(String state) {
    try {
      socket.send(bytes(state));
    } catch (IOException e) {
      if (!warned) {
        LOG.warning("sd_notify failed: " + e.getMessage());
        warned = true;
      }
    }
  }

  @Override
  public synchronized void sendWithFd(String state, int fd) throws IOException {
    socket.send(bytes(state), fd);
  }

  /**
   * As sd_notify_barrier(3): send the write end of a fresh pipe with BARRIER=1 and wait for the
   * manager to close it, which it does once everything queued before has been handled.
   */
  @Override
  public void barrier(Duration timeout) throws IOException {
    Fd[] pipe = FileOps.pipe();
    try (Fd read = pipe[0]) {
      try (Fd write = pipe[1]) {
        sendWithFd("BARRIER=1", write.value());
      }
      if (!FileOps.awaitHangup(read.value(), timeout)) {
        throw new IOException("the service manager did not answer BARRIER=1 within " + timeout);
      }
    }
  }

  private static ByteBuffer bytes(String state) {
    return ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8));
  }
}
