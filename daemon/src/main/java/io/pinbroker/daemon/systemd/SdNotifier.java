package io.pinbroker.daemon.systemd;

import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Logger;

/**
 * sd_notify over the datagram socket named by {@code NOTIFY_SOCKET}: a path or an abstract
 * {@code @name}. Best effort, as sd_notify is: a lost message is logged, never fatal.
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
  public synchronized void send(String state) {
    try {
      socket.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      if (!warned) {
        LOG.warning("sd_notify failed: " + e.getMessage());
        warned = true;
      }
    }
  }
}
