package io.pinbroker.daemon.systemd;

import io.pinbroker.client.PinbrokerClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Keeps the service manager informed: STATUS= when it changes, and, when a watchdog is set
 * (WATCHDOG_USEC), WATCHDOG=1 at half the interval, each sent only after a real round trip
 * through the broker's own socket (STAT / on a connection of its own, opened at start so that a
 * full connection table cannot lock it out). A broker that cannot answer misses the ping and is
 * restarted.
 */
public final class Heartbeat {
  private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());
  private static final Duration STATUS_EVERY = Duration.ofSeconds(2);

  private final Notifier notifier;
  private final Supplier<String> status;
  private final Path socket;
  private final Duration watchdog;
  private final Thread thread;
  private volatile boolean stopped;
  private volatile PinbrokerClient probe;

  private Heartbeat(Notifier notifier, Supplier<String> status, Path socket, Duration watchdog) {
    this.notifier = notifier;
    this.status = status;
    this.socket = socket;
    this.watchdog = watchdog;
    this.thread = Thread.ofPlatform().name("pinbroker-heartbeat").daemon(true).unstarted(this::run);
  }

  /** Starts the heartbeat for a broker listening on {@code socket}. */
  public static Heartbeat start(
      Notifier notifier, Supplier<String> status, Path socket, Map<String, String> env, long pid) {
    Heartbeat h = new Heartbeat(notifier, status, socket, watchdogInterval(env, pid));
    if (h.watchdog != null) {
      h.answers(); // opens the probe connection now
    }
    h.thread.start();
    return h;
  }

  /** The WATCHDOG_USEC interval if it is meant for this process, else null. */
  static Duration watchdogInterval(Map<String, String> env, long pid) {
    String usec = env.get("WATCHDOG_USEC");
    String forPid = env.get("WATCHDOG_PID");
    if (usec == null || (forPid != null && !forPid.equals(Long.toString(pid)))) {
      return null;
    }
    long micros = Long.parseLong(usec);
    return micros > 0 ? Duration.ofNanos(micros * 1000) : null;
  }

  private void run() {
    Duration tick = watchdog == null ? STATUS_EVERY : min(STATUS_EVERY, watchdog.dividedBy(2));
    String last = "";
    while (!stopped) {
      try {
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
      String now = status.get();
      StringBuilder message = new StringBuilder();
      if (!now.equals(last)) {
        message.append("STATUS=").append(now).append('\n');
        last = now;
      }
      if (watchdog != null && answers()) {
        message.append("WATCHDOG=1\n");
      }
      if (!message.isEmpty() && !stopped) {
        notifier.send(message.toString());
      }
    }
  }

  private boolean answers() {
    try {
      if (probe == null) {
        probe = PinbrokerClient.builder().socket(socket).callTimeout(watchdog.dividedBy(2)).build();
      }
      probe.stat("/");
      return true;
    } catch (IOException e) {
      LOG.warning("the broker did not answer its own watchdog probe: " + e.getMessage());
      if (probe != null) {
        probe.close();
        probe = null;
      }
      return false;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Connections this heartbeat holds to its own broker (its watchdog probe): 0 or 1. */
  public int ownConnections() {
    return probe == null ? 0 : 1;
  }

  public void stop() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (probe != null) {
      probe.close();
    }
  }
}
