package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code pinbrokerd --takeover} under chaos load: twice during the run a successor is started on
 * the same socket and takes the running broker over (PROTOCOL.md §6.12) while chaos clients,
 * killed at random too, keep pinning, getting, renaming and unlinking; each old broker exits.
 * At the end every acknowledged object is where the clients' logs say, with its identity, no
 * client was ever told a name it held was missing (ENOENT), and the last broker's fds are back
 * at the first one's baseline.
 *
 * <p>{@code -Dpinbroker.chaos.restart.seconds=N} and {@code -Dpinbroker.chaos.restart.clients=N}
 * change the load.
 */
class ChaosTakeoverIT {
  static final int TAKEOVERS = 2;

  @Test
  void successorsTakeOverUnderLoadWithEverythingAcknowledged() throws Exception {
    int clients = ChaosFdStoreIT.CLIENTS;
    int seconds = ChaosFdStoreIT.SECONDS;
    try (ExternalBroker broker = ExternalBroker.start()) {
      List<Process> successors = new ArrayList<>();
      try {
        try (PinbrokerClient c = broker.client()) {
          ChaosIT.warmUp(broker.socket, c);
        }
        int baseline = ChaosRun.settledFds(broker.pid());
        Map<String, Integer> baselineTargets = ChaosRun.fdTargets(broker.pid());
        List<String> handoffs = new ArrayList<>();
        Process serving = broker.process;
        ChaosReport r;
        try (PinbrokerClient c = broker.client();
            ChaosRun run = ChaosRun.start(broker.socket, c, clients, ChaosIT.SHARED, 500, ChaosIT.atMost(seconds))) {
          long start = System.nanoTime();
          for (int k = 1; k <= TAKEOVERS; k++) {
            ChaosRun.sleepUntil(start + k * seconds * 1_000_000_000L / (TAKEOVERS + 1));
            Path log = broker.home.resolve("successor-" + k + ".log");
            long begun = System.nanoTime();
            Process next =
                new ProcessBuilder(
                        broker.home.resolve("dist/bin/pinbrokerd").toString(),
                        "--socket", broker.socket.toString(), "--takeover")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            successors.add(next);
            assertTrue(serving.waitFor(60, TimeUnit.SECONDS), "the old broker exits after the takeover");
            assertEquals(0, serving.exitValue(), "the old broker exits cleanly");
            assertTrue(next.isAlive(), () -> "the successor serves: " + read(log));
            handoffs.add(serving.pid() + " -> " + next.pid() + " in " + (System.nanoTime() - begun) / 1_000_000 + " ms");
            serving = next;
          }
          ChaosRun.sleepUntil(start + seconds * 1_000_000_000L);
          try (PinbrokerClient after = broker.client()) {
            r = run.finish(after);
          }
        }
        List<String> diff = ChaosRun.fdsSettleTo(serving.pid(), baselineTargets, d -> false, Duration.ofSeconds(10));
        int after = ChaosRun.fds(serving.pid());
        System.out.println(
            "chaos, " + TAKEOVERS + " takeovers: " + clients + " clients for " + seconds + " s: " + r
                + "\n  handoffs (start of the successor to the old broker's exit): " + handoffs
                + "\n  broker fds: baseline " + baseline + " (the first broker), after " + after
                + " (pid " + serving.pid() + "), leaked " + (after - baseline)
                + (diff.isEmpty() ? "" : "; differences " + diff));
        ChaosIT.assertClean(r);
        assertTrue(r.reconnects() > 0, "the old brokers closed their clients' connections");
        assertEquals(List.of(), diff, "broker fds back at the baseline once everything is unlinked");
      } finally {
        for (Process p : successors) {
          p.destroy();
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        }
      }
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
