package io.pinbroker.daemon.systemd;

/** Tells the service manager about the daemon's state (sd_notify(3) messages). */
public interface Notifier {
  /** No service manager is listening. */
  Notifier NONE = state -> {};

  /** Sends newline-separated assignments such as {@code READY=1\nSTATUS=...}. */
  void send(String state);
}
