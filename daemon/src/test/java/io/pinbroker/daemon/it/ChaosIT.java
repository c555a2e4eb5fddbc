package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chaos under load: 50 chaos client processes (daemon/src/test/c/chaos.c) pin, get, rename and
 * unlink at random for 60 s, in names of their own and in shared names, while one of them is
 * SIGKILLed every 250 ms on average, wherever it is (mid-request included), and replaced. Then
 * every name the clients' logs say must exist holds exactly the object they pinned there (its
 * content is its identity), no object is under a name its owner did not leave it at, and once
 * everything is unlinked the broker's fd count is back at its baseline.
 *
 * <p>{@code -Dpinbroker.chaos.seconds=N} and {@code -Dpinbroker.chaos.clients=N} change the
 * load.
 */
class ChaosIT {
  static final int CLIENTS = Integer.getInteger("pinbroker.chaos.clients", 50);
  static final int SECONDS = Integer.getInteger("pinbroker.chaos.seconds", 60);
  static final int SHARED = 64;
  static final long MEAN_KILL_MILLIS = 250;

  @Test
  void clientsKilledAtRandomUnderLoadLoseNothingAndLeakNothing() throws Exception {
    try (ExternalBroker broker = ExternalBroker.start();
        PinbrokerClient c = broker.client()) {
      warmUp(broker.socket, c);
      int baseline = ChaosRun.settledFds(broker.pid());
      Map<String, Integer> baselineTargets = ChaosRun.fdTargets(broker.pid());
      ChaosReport r;
      try (ChaosRun run = ChaosRun.start(broker.socket, c, CLIENTS, SHARED, MEAN_KILL_MILLIS, atMost(SECONDS))) {
        Thread.sleep(SECONDS * 1000L);
        r = run.finish(c);
      }
      List<String> diff = ChaosRun.fdsSettleTo(broker.pid(), baselineTargets, d -> false, Duration.ofSeconds(10));
      int after = ChaosRun.fds(broker.pid());
      System.out.println(
          "chaos: " + CLIENTS + " clients for " + SECONDS + " s: " + r
              + "\n  broker fds: baseline " + baseline + ", after " + after + ", leaked " + (after - baseline)
              + (diff.isEmpty() ? "" : "; differences " + diff));
      assertClean(r);
      assertEquals(List.of(), diff, "broker fds back at the baseline once everything is unlinked");
    }
  }

  /**
   * A short run first, so that the broker has loaded the classes (and opened the jars) of every
   * path the load takes before its fds are counted.
   */
  static void warmUp(java.nio.file.Path socket, PinbrokerClient c) throws Exception {
    try (ChaosRun run = ChaosRun.start(socket, c, 8, 8, 100, atMost(2))) {
      Thread.sleep(2000);
      assertClean(run.finish(c));
    }
  }

  static Duration atMost(int seconds) {
    return Duration.ofSeconds(seconds + 120L);
  }

  static void assertClean(ChaosReport r) {
    assertTrue(r.acknowledgedPins() > 0, () -> "nothing was pinned: " + r);
    assertEquals(0, r.lost(), () -> "acknowledged objects lost: " + r);
    assertEquals(0, r.wrong(), () -> "wrong identities: " + r);
    assertEquals(0, r.unexpected(), () -> "unexpected answers or client failures: " + r);
  }
}
