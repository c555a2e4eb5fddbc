package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.PinbrokerException;
import io.pinbroker.daemon.Capability;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The broker under systemd's socket-activation and notify protocols, driven on the host by
 * systemd's own systemd-socket-activate, with this test playing NOTIFY_SOCKET.
 */
class ActivationIT {
  @Test
  void socketActivatedNotifiesReadyPingsTheWatchdogAndStopsAsALameDuck() throws Exception {
    Capability.requireExecutable("/usr/bin/systemd-socket-activate");
    Path dist = Path.of(System.getProperty("pinbroker.dist", "target/pinbroker"));
    Path dir =
        Files.createTempDirectory(
            "pinbroker-activation", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path socket = dir.resolve("pinbroker.sock");
    Path log = dir.resolve("broker.log");
    try (NotifyReceiver systemd = new NotifyReceiver(dir.resolve("notify"))) {
      Process activator =
          new ProcessBuilder(
                  List.of(
                      "systemd-socket-activate", "--seqpacket", "--listen=" + socket, "--fdname=api",
                      "--setenv=NOTIFY_SOCKET=" + systemd.path(), "--setenv=WATCHDOG_USEC=1000000",
                      dist.resolve("bin/pinbrokerd").toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        awaitSocket(socket, activator);
        // the first client starts the broker on the inherited socket
        try (PinbrokerClient c = PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(20)).build();
            Fd m = FileOps.memfd("m", 8, 0)) {
          c.pin("/x", m.value(), PinOptions.DEFAULT);
        }
        String ready = systemd.await("READY=1", Duration.ofSeconds(20));
        assertTrue(ready.contains("STATUS=serving"), ready);
        String ping = systemd.await("WATCHDOG=1", Duration.ofSeconds(5));
        assertTrue(ping.contains("WATCHDOG=1"), ping);
        assertTrue(Files.readString(log).contains("socket-activated on " + socket), Files.readString(log));

        PinbrokerClient idle = PinbrokerClient.builder().socket(socket).build();
        activator.destroy(); // SIGTERM to the broker: systemd-socket-activate exec'd it
        systemd.await("STOPPING=1", Duration.ofSeconds(10));
        assertTrue(activator.waitFor(15, TimeUnit.SECONDS), "the broker exits after its drain");
        assertTrue(
            List.of(0, 143).contains(activator.exitValue()),
            "a clean stop after SIGTERM, not " + activator.exitValue());
        IOException e = assertThrows(IOException.class, () -> idle.stat("/"));
        assertFalse(e instanceof PinbrokerException, "the drain closed the idle connection: " + e);
        idle.close();
        assertTrue(Files.exists(socket), "an inherited socket file is systemd's, never removed by the broker");
      } finally {
        activator.destroyForcibly();
      }
    } finally {
      TempTree.delete(dir);
    }
  }

  private static void awaitSocket(Path socket, Process activator) throws Exception {
    for (int i = 0; i < 200 && !Files.exists(socket); i++) {
      assertTrue(activator.isAlive(), "systemd-socket-activate exited");
      Thread.sleep(50);
    }
    assertTrue(Files.exists(socket), "systemd-socket-activate is listening");
  }
}
