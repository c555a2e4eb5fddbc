package io.pinbroker.daemon.it;

import io.pinbroker.protocol.Limits;
import io.pinbroker.unix.Received;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Plays the service manager's end of NOTIFY_SOCKET: collects sd_notify messages. fds that come
 * along (FDSTORE=1, BARRIER=1) are closed at once, which answers a barrier and keeps no store.
 */
final class NotifyReceiver implements AutoCloseable {
  private final Path path;
  private final UnixSocket socket;
  private final ByteBuffer buffer = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);

  NotifyReceiver(Path path) throws IOException {
    this.path = path;
    this.socket = UnixSocket.bindDatagram(path);
  }

  Path path() {
    return path;
  }

  /** Waits for a message containing {@code line} (e.g. READY=1); returns that message. */
  String await(String line, Duration within) throws IOException {
    socket.setTimeouts(Duration.ofMillis(200));
    long deadline = System.nanoTime() + within.toNanos();
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      try (Received r = socket.receive(buffer)) {
        String message = StandardCharsets.UTF_8.decode(buffer).toString();
        seen.append(message).append("|");
        if (("\n" + message + "\n").contains("\n" + line + "\n")) {
          return message;
        }
      } catch (SocketTimeoutException quiet) {
        // keep waiting
      }
    }
    throw new IOException("no " + line + " within " + within + "; got: " + seen);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    Files.deleteIfExists(path);
  }
}
