package io.pinbroker.daemon.it;

import io.pinbroker.protocol.Limits;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Plays the service manager's end of NOTIFY_SOCKET: reads sd_notify messages as they come, as
 * systemd does, and queues them for {@link #await}. fds that come along (FDSTORE=1, BARRIER=1)
 * are closed at once, which answers a barrier and keeps no store.
 */
final class NotifyReceiver implements AutoCloseable {
  private final Path path;
  private final UnixSocket socket;
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean closed;

  NotifyReceiver(Path path) throws IOException {
    this.path = path;
    this.socket = UnixSocket.bindDatagram(path);
    socket.setTimeouts(Duration.ofMillis(200));
    this.reader = Thread.ofPlatform().daemon().name("notify-receiver").start(this::read);
  }

  Path path() {
    return path;
  }

  private void read() {
    ByteBuffer buffer = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    while (!closed) {
      try {
        socket.receive(buffer).close();
        messages.add(StandardCharsets.UTF_8.decode(buffer).toString());
      } catch (SocketTimeoutException quiet) {
        // look at closed again
      } catch (IOException e) {
        if (!closed) {
          messages.add("(receive failed: " + e.getMessage() + ")");
        }
        return;
      }
    }
  }

  /** Waits for a message containing {@code line} (e.g. READY=1); returns that message. */
  String await(String line, Duration within) throws IOException, InterruptedException {
    return await(line, m -> ("\n" + m + "\n").contains("\n" + line + "\n"), within);
  }

  /** Waits for a message that {@code wanted} accepts, {@code what} by name; returns it. */
  String await(String what, Predicate<String> wanted, Duration within)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    StringBuilder seen = new StringBuilder();
    while (true) {
      String message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (message == null) {
        throw new IOException("no " + what + " within " + within + "; got: " + seen);
      }
      seen.append(message).append("|");
      if (wanted.test(message)) {
        return message;
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    socket.close();
    Files.deleteIfExists(path);
  }
}
