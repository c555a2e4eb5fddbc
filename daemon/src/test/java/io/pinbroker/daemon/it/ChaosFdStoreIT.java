package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker SIGKILLed under chaos load and restarted through its fd store: a fake service
 * manager ({@link FakeServiceManager}) plays systemd, keeping the listening socket and what the
 * broker puts in the store, and starts the broker again with both, as systemd's {@code
 * Restart=} would. Chaos clients (killed at random too) reconnect and go on; at the end every
 * acknowledged object is where their logs say, with its identity. (systemd/e2e/run.sh does the
 * same under a real systemd.)
 *
 * <p>{@code -Dpinbroker.chaos.restart.seconds=N} and {@code -Dpinbroker.chaos.restart.clients=N}
 * change the load; the broker is killed twice, at a third and two thirds of it.
 */
class ChaosFdStoreIT {
  static final int CLIENTS = Integer.getInteger("pinbroker.chaos.restart.clients", 30);
  static final int SECONDS = Integer.getInteger("pinbroker.chaos.restart.seconds", 30);
  static final int BROKER_KILLS = 2;

  @Test
  void aBrokerSigkilledUnderLoadComesBackFromItsFdStoreWithEverythingAcknowledged() throws Exception {
    try (FakeServiceManager manager = FakeServiceManager.start()) {
      try (PinbrokerClient c = manager.client()) {
        ChaosIT.warmUp(manager.socket, c);
      }
      int baseline = ChaosRun.settledFds(manager.brokerPid());
      Map<String, Integer> baselineTargets = ChaosRun.fdTargets(manager.brokerPid());
      List<String> restarts = new ArrayList<>();
      ChaosReport r;
      try (PinbrokerClient c = manager.client();
          ChaosRun run = ChaosRun.start(manager.socket, c, CLIENTS, ChaosIT.SHARED, 500, ChaosIT.atMost(SECONDS))) {
        long start = System.nanoTime();
        for (int k = 1; k <= BROKER_KILLS; k++) {
          ChaosRun.sleepUntil(start + k * SECONDS * 1_000_000_000L / (BROKER_KILLS + 1));
          long old = manager.brokerPid();
          long killed = System.nanoTime();
          manager.killBroker();
          long pid = manager.awaitReady(Duration.ofSeconds(60));
          restarts.add(old + " -> " + pid + " ready in " + (System.nanoTime() - killed) / 1_000_000 + " ms");
        }
        ChaosRun.sleepUntil(start + SECONDS * 1_000_000_000L);
        try (PinbrokerClient after = manager.client()) {
          r = run.finish(after);
        }
      }
      long pid = manager.brokerPid();
      List<String> leaked =
          ChaosRun.fdsSettleTo(pid, baselineTargets, d -> false, Duration.ofSeconds(10));
      List<String> restored =
          Files.readAllLines(manager.log).stream().filter(l -> l.contains("restored ")).toList();
      System.out.println(
          "chaos, broker SIGKILLed " + BROKER_KILLS + " times and restarted from the fd store: "
              + CLIENTS + " clients for " + SECONDS + " s: " + r
              + "\n  restarts: " + restarts + "\n  " + String.join("\n  ", restored)
              + "\n  broker fds: baseline " + baseline + " (the first broker), after "
              + ChaosRun.fds(pid) + " (pid " + pid + "), leaked " + leaked.size()
              + (leaked.isEmpty() ? "" : "; differences " + leaked));
      ChaosIT.assertClean(r);
      assertTrue(r.reconnects() > 0, "the clients noticed the restarts");
      assertEquals(List.of(), leaked, "broker fds back at the baseline once everything is unlinked");
    }
  }
}
