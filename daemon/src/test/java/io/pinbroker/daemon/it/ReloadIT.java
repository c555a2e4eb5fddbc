package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code systemctl reload} as the broker sees it: SIGHUP to a pinbrokerd process started with
 * {@code --config}, with this test playing NOTIFY_SOCKET.
 */
class ReloadIT {
  private static final Duration WITHIN = Duration.ofSeconds(20);

  @Test
  void sighupReReadsTheConfigFileBetweenReloadingAndReady() throws Exception {
    Path dir =
        Files.createTempDirectory(
            "pinbroker-reload", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path config = Files.writeString(dir.resolve("pinbrokerd.conf"), "umask=022\n");
    try (NotifyReceiver systemd = new NotifyReceiver(dir.resolve("notify"));
        ExternalBroker broker =
            ExternalBroker.start(
                List.of("--config", config.toString()), Map.of("NOTIFY_SOCKET", systemd.path().toString()));
        PinbrokerClient client = broker.client()) {
      systemd.await("READY=1", WITHIN);
      assertEquals(0755, client.mkdir("/before", 0777).mode());

      Files.writeString(config, "umask=077\nverbose=true\nsocket-mode=0600\n");
      long earliest = System.nanoTime() / 1000;
      hangup(broker);
      String reloading = systemd.await("RELOADING=1", WITHIN);
      String ready = systemd.await("READY=1", WITHIN);
      long latest = System.nanoTime() / 1000;
      long usec = monotonicUsec(reloading);
      assertTrue(
          earliest <= usec && usec <= latest,
          "MONOTONIC_USEC=" + usec + " is this machine's CLOCK_MONOTONIC, read between the SIGHUP"
              + " and READY=1 [" + earliest + ", " + latest + "]");
      assertTrue(ready.matches("READY=1\nSTATUS=serving 1 names to [0-9]+ clients"), ready);
      assertEquals(0700, client.mkdir("/after", 0777).mode(), "the new umask applies");
      assertEquals(0755, client.stat("/before").mode());
      assertTrue(broker.process.isAlive(), "SIGHUP reloads; it does not end the JVM");
      assertLogged(broker, "<6>reloaded: umask 022 -> 077, verbose false -> true");
      assertLogged(broker, "<4>socket-mode changed in the config (0666 -> 0600); takes effect at the next start");
      assertEquals(
          PosixFilePermissions.fromString("rw-rw-rw-"), Files.getPosixFilePermissions(broker.socket));
      hangUpMidRequest(broker);
      assertLogged(broker, "<7>connection from "); // debug lines appear only with verbose

      Files.writeString(config, "umask=9\n");
      hangup(broker);
      systemd.await("RELOADING=1", WITHIN);
      ready = systemd.await("READY=1", WITHIN);
      assertTrue(ready.startsWith("READY=1\nSTATUS=serving "), ready);
      assertLogged(broker, "<3>reload failed, the running configuration stays: " + config + ": ");
      assertEquals(0700, client.mkdir("/still", 0777).mode(), "a bad file changes nothing");
      assertTrue(broker.process.isAlive());
    } finally {
      TempTree.delete(dir);
    }
  }

  private static void hangup(ExternalBroker broker) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(broker.pid())).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, kill.exitValue(), "kill -HUP");
  }

  private static long monotonicUsec(String message) {
    String[] lines = message.split("\n");
    assertEquals(2, lines.length, message);
    assertEquals("RELOADING=1", lines[0]);
    assertTrue(lines[1].matches("MONOTONIC_USEC=[0-9]+"), message);
    return Long.parseLong(lines[1].substring("MONOTONIC_USEC=".length()));
  }

  /**
   * Sends HELLO and hangs up without reading the reply: the broker's receive or send then fails,
   * which it logs at debug level only.
   */
  private static void hangUpMidRequest(ExternalBroker broker) throws IOException {
    ByteBuffer hello = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeRequest(new RequestFrame(1, 0, new Request.Hello(1, 1, Frames.FEATURES)), hello);
    try (UnixSocket s = UnixSocket.connect(broker.socket)) {
      s.send(hello);
    }
  }

  /** Waits for {@code text} to appear in the broker's log. */
  private static void assertLogged(ExternalBroker broker, String text) throws Exception {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    String log = Files.readString(broker.log);
    while (!log.contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      log = Files.readString(broker.log);
    }
    assertTrue(log.contains(text), "no '" + text + "' in the log:\n" + log);
  }
}
