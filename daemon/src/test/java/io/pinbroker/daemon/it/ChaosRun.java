package io.pinbroker.daemon.it;

import io.pinbroker.client.EntryExistsException;
import io.pinbroker.client.PinbrokerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One chaos run: the chaos client built, /c and /s made, {@link ChaosClients} started with a
 * killer; at {@link #finish} the clients stopped, their logs read, every name under /c and /s got
 * and its object's identity checked ({@link ChaosAudit}), and everything removed again ({@link
 * ChaosNames}).
 * {@link #close} kills what still runs and removes the run's directory.
 */
final class ChaosRun implements AutoCloseable {
  final Path work;
  final Path logs;
  private final ChaosClients clients;

  private ChaosRun(Path work, Path logs, ChaosClients clients) {
    this.work = work;
    this.logs = logs;
    this.clients = clients;
  }

  /**
   * Builds the client, makes /c and /s through {@code broker}, and starts {@code count} instances
   * on {@code socket}, one SIGKILLed every {@code meanKillMillis} on average (0: none).
   */
  static ChaosRun start(
      Path socket, PinbrokerClient broker, int count, int shared, long meanKillMillis, Duration atMost)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("pinbroker-chaos");
    try {
      Path logs = Files.createDirectory(work.resolve("logs"));
      Path binary = ChaosClients.build(work);
      for (String dir : List.of("/c", "/s")) {
        try {
          broker.mkdir(dir, 0755);
        } catch (EntryExistsException again) {
          // a soak round after the first
        }
      }
      ChaosClients clients =
          new ChaosClients(binary, socket, logs, shared, (int) atMost.toSeconds());
      ChaosRun run = new ChaosRun(work, logs, clients);
      clients.start(count);
      if (meanKillMillis > 0) {
        clients.killAtRandom(meanKillMillis, System.nanoTime());
      }
      return run;
    } catch (IOException | RuntimeException | InterruptedException e) {
      TempTree.delete(work);
      throw e;
    }
  }

  /**
   * Stops the clients, checks the broker's names against their logs, and removes every name the
   * run made (the directories /c and /s too).
   */
  ChaosReport finish(PinbrokerClient broker) throws IOException, InterruptedException {
    clients.stop();
    ChaosLog log = ChaosLog.read(logs);
    ChaosAudit.Result audit = ChaosAudit.check(log, ChaosNames.read(broker));
    ChaosNames.removeAll(broker);
    return ChaosReport.of(log, audit, clients.failures(), clients.kills());
  }

  @Override
  public void close() throws IOException {
    try {
      clients.close();
    } finally {
      TempTree.delete(work);
    }
  }

  /** How many fds {@code pid} has open. */
  static int fds(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) s.count();
    }
  }

  /** The fd count of {@code pid} once it stays the same for 100 ms (at most 5 s). */
  static int settledFds(long pid) throws IOException, InterruptedException {
    int last = -1;
    for (int i = 0; i < 100; i++) {
      int n = fds(pid);
      if (n == last) {
        return n;
      }
      last = n;
      Thread.sleep(50);
    }
    return last;
  }

  /** Waits up to {@code within} for {@code pid} to have {@code expected} fds; the last count. */
  static int fdsSettleTo(long pid, int expected, Duration within) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    int n = fds(pid);
    while (n != expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
      n = fds(pid);
    }
    return n;
  }

  /**
   * What the fds of {@code pid} above stdio refer to, counted by target: paths as they are,
   * sockets and pipes without their inode numbers, the broker's /proc/PID/fd without its pid.
   */
  static Map<String, Integer> fdTargets(long pid) throws IOException {
    Map<String, Integer> targets = new TreeMap<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : (Iterable<Path>) s::iterator) {
        if (Integer.parseInt(fd.getFileName().toString()) <= 2) {
          continue; // stdio: where a broker's output goes differs from broker to broker
        }
        try {
          String target =
              Files.readSymbolicLink(fd)
                  .toString()
                  .replaceFirst("^(socket|pipe):\\[\\d+\\]$", "$1")
                  .replaceFirst("^/proc/\\d+/fd$", "/proc/PID/fd");
          targets.merge(target, 1, Integer::sum);
        } catch (NoSuchFileException closedMeanwhile) {
          // gone between the listing and the readlink
        }
      }
    }
    return targets;
  }

  /** {@code after} minus {@code before}, one "+N TARGET" or "-N TARGET" per target that differs. */
  static List<String> fdDiff(Map<String, Integer> before, Map<String, Integer> after) {
    Set<String> targets = new TreeSet<>(before.keySet());
    targets.addAll(after.keySet());
    List<String> diff = new ArrayList<>();
    for (String t : targets) {
      int d = after.getOrDefault(t, 0) - before.getOrDefault(t, 0);
      if (d != 0) {
        diff.add((d > 0 ? "+" : "") + d + " " + t);
      }
    }
    return diff;
  }

  /**
   * Waits up to {@code within} for the fds of {@code pid} to match {@code baseline} (by {@link
   * #fdTargets}), apart from differences {@code known} accepts; returns the differences left,
   * the known ones included.
   */
  static List<String> fdsSettleTo(
      long pid, Map<String, Integer> baseline, Predicate<String> known, Duration within)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<String> diff = fdDiff(baseline, fdTargets(pid));
      if (diff.stream().allMatch(known) || System.nanoTime() > deadline) {
        return diff;
      }
      Thread.sleep(50);
    }
  }

  /** Sleeps until {@code deadline} (System.nanoTime()). */
  static void sleepUntil(long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
