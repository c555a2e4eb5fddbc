package io.pinbroker.daemon.it;

import io.pinbroker.client.PinbrokerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The end of a chaos run driven from outside Java (systemd/e2e/run.sh, with systemd/e2e/chaos.sh
 * running the clients): checks the broker's names against the clients' logs, prints the {@link
 * ChaosReport} and removes every name the run made. It needs only the broker's own jars, so that
 * the e2e container runs it as a source program.
 *
 * <p>Usage: {@code ChaosCheck LOGDIR KILLS} (the socket as the CLI finds it). A client's
 * non-empty {@code ID.err} counts as a failure. Prints {@code chaos: REPORT}; exit status 0 if
 * nothing was lost, misplaced or unexpected, 1 otherwise.
 */
public final class ChaosCheck {
  private ChaosCheck() {}

  public static void main(String[] args) throws IOException {
    Path logs = Path.of(args[0]);
    long kills = Long.parseLong(args[1]);
    List<String> failures = new ArrayList<>();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path err : files.filter(p -> p.toString().endsWith(".err")).sorted().toList()) {
        String text = Files.readString(err).strip();
        if (!text.isEmpty()) {
          failures.add(err.getFileName() + ": " + text);
        }
      }
    }
    ChaosLog log = ChaosLog.read(logs);
    ChaosReport report;
    try (PinbrokerClient broker = PinbrokerClient.builder().callTimeout(Duration.ofSeconds(30)).build()) {
      ChaosAudit.Result audit = ChaosAudit.check(log, ChaosNames.read(broker));
      ChaosNames.removeAll(broker);
      report = ChaosReport.of(log, audit, failures, kills);
    }
    System.out.println("chaos: " + report);
    System.exit(report.clean() ? 0 : 1);
  }
}
