package io.pinbroker.daemon.systemd;

import java.io.IOException;
import java.time.Duration;

/**
 * The service manager: what the daemon tells it (sd_notify(3) messages), and its fd store
 * (sd_pid_notify_with_fds(3), FDSTORE=1).
 */
public interface Notifier {
  /** No service manager is listening: messages go nowhere and there is no fd store. */
  Notifier NONE = new Notifier() {
    @Override
    public void send(String state) {}

    @Override
    public boolean present() {
      return false;
    }

    @Override
    public void sendWithFd(String state, int fd) throws IOException {
      throw new IOException("no service manager (NOTIFY_SOCKET is not set)");
    }

    @Override
    public void barrier(Duration timeout) throws IOException {
      throw new IOException("no service manager (NOTIFY_SOCKET is not set)");
    }
  };

  /** Sends newline-separated assignments such as {@code READY=1\nSTATUS=...}; best effort. */
  void send(String state);

  /** Whether a service manager listens (and so whether there is an fd store to use). */
  boolean present();

  /**
   * Sends assignments with {@code fd} attached (borrowed: it stays the caller's), as for {@code
   * FDSTORE=1}. Unlike {@link #send}, a failure throws.
   */
  void sendWithFd(String state, int fd) throws IOException;

  /**
   * {@code BARRIER=1}: returns once the manager has processed every message sent before, or
   * throws if it has not within {@code timeout}.
   */
  void barrier(Duration timeout) throws IOException;
}
