package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.PinbrokerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pins that go by themselves, with the CLI as separate client processes. */
class LifetimeIT {
  @Test
  void anEphemeralPinVanishesWhenItsOwnerIsKilled() throws Exception {
    try (ExternalBroker broker = ExternalBroker.start()) {
      List<String> cmd = new ArrayList<>();
      cmd.add(broker.home.resolve("dist/bin/pinbroker").toString());
      cmd.addAll(List.of("pin", "--ephemeral", "--memfd", "4K", "/eph"));
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(broker.home.resolve("eph.log").toFile());
      pb.environment().put("PINBROKER_SOCKET", broker.socket.toString());
      Process owner = pb.start();
      try (PinbrokerClient c = broker.client()) {
        assertTrue(await(() -> exists(c, "/eph"), Duration.ofSeconds(20)), "the owner pinned /eph");
        Thread.sleep(300);
        assertTrue(owner.isAlive(), "an ephemeral pin holds its command: " + log(broker));
        assertTrue(exists(c, "/eph"), "and stays while it runs");
        owner.destroyForcibly(); // SIGKILL: no goodbye, the kernel closes the connection
        assertTrue(owner.waitFor(10, TimeUnit.SECONDS));
        assertTrue(await(() -> !exists(c, "/eph"), Duration.ofSeconds(5)), "gone with its owner");
      } finally {
        owner.destroyForcibly();
      }
    }
  }

  @Test
  void aPinWithATimeToLiveExpiresAndAWatcherInAnotherProcessSeesIt() throws Exception {
    try (ExternalBroker broker = ExternalBroker.start()) {
      Path watched = broker.home.resolve("watch.out");
      ProcessBuilder wb =
          new ProcessBuilder(broker.home.resolve("dist/bin/pinbroker").toString(), "watch", "-r", "/")
              .redirectErrorStream(true)
              .redirectOutput(watched.toFile());
      wb.environment().put("PINBROKER_SOCKET", broker.socket.toString());
      Process watcher = wb.start();
      assertTrue(
          await(() -> Files.readString(watched).contains("watching"), Duration.ofSeconds(20)),
          "the watcher started");
      Proc.Result r = broker.cli("pin", "--ttl", "1s", "--memfd", "4K", "/lease");
      assertEquals(0, r.exit(), r.toString());
      try (PinbrokerClient c = broker.client()) {
        long pinned = System.nanoTime();
        assertTrue(await(() -> !exists(c, "/lease"), Duration.ofSeconds(10)), "the lease expired");
        long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pinned);
        System.out.println("ttl 1s: gone " + after + " ms after the check began");
      }
      assertTrue(
          await(() -> Files.readString(watched).contains("expired /lease"), Duration.ofSeconds(5)),
          "the watcher saw it expire: " + Files.readString(watched));
      watcher.destroy();
      assertTrue(watcher.waitFor(10, TimeUnit.SECONDS));
      Proc.Result bad = broker.cli("pin", "--ttl", "0s", "--memfd", "4K", "/never");
      assertEquals(2, bad.exit(), bad.toString());
      assertTrue(bad.err().contains("more than 0"), bad.toString());
    }
  }

  private static String log(ExternalBroker b) throws IOException {
    return Files.readString(b.home.resolve("eph.log"));
  }

  private static boolean exists(PinbrokerClient c, String path) throws IOException {
    try {
      c.stat(path);
      return true;
    } catch (NoSuchEntryException e) {
      return false;
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static boolean await(Check check, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
