package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.StatsMetric;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * Answers STATS: the request path's counts ({@link ServerMetrics}), the namespace's names by kind
 * (counters it keeps as the tree changes), and the process's fds, read when asked. Nothing here
 * walks the tree or stops a writer.
 */
@Singleton
public final class StatsCollector {
  private final ServerMetrics metrics;
  private final Namespace namespace;
  private final ServerConfig config;
  private volatile FdStore fdStore;

  /** The service manager's fd store as the broker uses it. */
  private record FdStore(LongSupplier used, long max) {}

  @Inject
  StatsCollector(ServerMetrics metrics, Namespace namespace, ServerConfig config) {
    this.metrics = metrics;
    this.namespace = namespace;
    this.config = config;
  }

  /**
   * From now on STATS reports the fd store: {@code used} fds of its {@code max} slots. Before,
   * and after {@link #noFdStore()}, it reports none.
   */
  public void fdStore(LongSupplier used, long max) {
    fdStore = new FdStore(used, max);
  }

  public void noFdStore() {
    fdStore = null;
  }

  /** The broker as it is now. */
  public Stats collect() {
    Map<ObjectKind, Long> byKind = namespace.namesByKind();
    long held = 0;
    List<Stats.KindCount> names = new ArrayList<>();
    for (Map.Entry<ObjectKind, Long> k : byKind.entrySet()) {
      names.add(new Stats.KindCount(k.getKey().code(), k.getValue()));
      if (k.getKey() != ObjectKind.NONE) {
        held += k.getValue();
      }
    }
    names.sort((a, b) -> Integer.compare(a.kind(), b.kind()));
    List<Stats.Value> values = new ArrayList<>();
    put(values, StatsMetric.UPTIME_MS, metrics.uptimeNanos() / 1_000_000);
    put(values, StatsMetric.CONNECTIONS, metrics.connections());
    put(values, StatsMetric.CONNECTIONS_MAX, config.maxConnections());
    put(values, StatsMetric.CONNECTIONS_ACCEPTED, metrics.connectionsAccepted());
    put(values, StatsMetric.CONNECTIONS_REFUSED, metrics.connectionsRefused());
    put(values, StatsMetric.PROTOCOL_VIOLATIONS, metrics.violations());
    put(values, StatsMetric.NAMES_MAX, namespace.maxNames());
    put(values, StatsMetric.FDS_HELD, held);
    long open = openFds();
    if (open >= 0) {
      put(values, StatsMetric.FDS_OPEN, open);
    }
    try {
      put(values, StatsMetric.FDS_LIMIT, FileOps.fdLimit());
    } catch (IOException e) {
      // not reported
    }
    FdStore store = fdStore;
    if (store != null) {
      put(values, StatsMetric.FD_STORE_USED, store.used().getAsLong());
      put(values, StatsMetric.FD_STORE_MAX, store.max());
    }
    values.sort((a, b) -> Integer.compare(a.metric(), b.metric()));
    return new Stats(values, names, metrics.ops());
  }

  private static void put(List<Stats.Value> values, StatsMetric metric, long value) {
    values.add(new Stats.Value(metric.code(), value));
  }

  /** Entries of /proc/self/fd, less the one listing them; -1 if it cannot be read. */
  private static long openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count() - 1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
