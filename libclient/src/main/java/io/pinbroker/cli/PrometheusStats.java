package io.pinbroker.cli;

import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.StatsMetric;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A STATS reply as Prometheus metrics: snapshots of the Prometheus Java client's data model,
 * written by its text format writer, so that names, escaping, HELP/TYPE lines and the summary's
 * {@code _sum}/{@code _count} follow the exposition format exactly. Latencies are in seconds;
 * the quantiles are those the broker computed over its whole life.
 */
final class PrometheusStats {
  private static final double NANOS_PER_SECOND = 1e9;

  private PrometheusStats() {}

  static void write(Stats stats, OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, snapshots(stats));
  }

  static MetricSnapshots snapshots(Stats s) {
    List<MetricSnapshot> out = new ArrayList<>();
    OptionalLong uptime = s.value(StatsMetric.UPTIME_MS);
    if (uptime.isPresent()) {
      out.add(gauge("pinbroker_uptime_seconds", "Seconds since the broker started.",
          uptime.getAsLong() / 1e3));
    }
    gauge(out, s, StatsMetric.CONNECTIONS, "pinbroker_connections",
        "Connections open now, the one asking included.");
    gauge(out, s, StatsMetric.CONNECTIONS_MAX, "pinbroker_connections_max",
        "The most connections served at once (--max-connections).");
    counter(out, s, StatsMetric.CONNECTIONS_ACCEPTED, "pinbroker_connections_accepted",
        "Connections accepted and served.");
    counter(out, s, StatsMetric.CONNECTIONS_REFUSED, "pinbroker_connections_refused",
        "Connections closed at accept because the limit was reached.");
    counter(out, s, StatsMetric.PROTOCOL_VIOLATIONS, "pinbroker_protocol_violations",
        "Connections ended because the client broke the protocol.");
    GaugeSnapshot.Builder names = GaugeSnapshot.builder()
        .name("pinbroker_names")
        .help("Names held by kind; kind=directory counts directories, the root excepted.");
    for (Stats.KindCount k : s.names()) {
      names.dataPoint(GaugeDataPointSnapshot.builder()
          .labels(Labels.of("kind", kindLabel(k.kind())))
          .value(unsigned(k.count()))
          .build());
    }
    out.add(names.build());
    gauge(out, s, StatsMetric.NAMES_MAX, "pinbroker_names_max",
        "The most names the broker holds (--max-names).");
    gauge(out, s, StatsMetric.FDS_HELD, "pinbroker_fds_held", "fds held for entries, one each.");
    gauge(out, s, StatsMetric.FDS_OPEN, "pinbroker_fds_open",
        "fds open in the broker process now.");
    gauge(out, s, StatsMetric.FDS_LIMIT, "pinbroker_fds_limit",
        "The broker's fd limit (soft RLIMIT_NOFILE); +Inf if unlimited.");
    gauge(out, s, StatsMetric.FD_STORE_USED, "pinbroker_fd_store_used",
        "fds in the service manager's fd store: held objects and the journal.");
    gauge(out, s, StatsMetric.FD_STORE_MAX, "pinbroker_fd_store_max",
        "Slots of the service manager's fd store.");
    requests(out, s);
    return new MetricSnapshots(out);
  }

  private static void requests(List<MetricSnapshot> out, Stats s) {
    CounterSnapshot.Builder requests = CounterSnapshot.builder()
        .name("pinbroker_requests")
        .help("Requests answered, by operation, refusals included.");
    CounterSnapshot.Builder refusals = CounterSnapshot.builder()
        .name("pinbroker_refusals")
        .help("Requests refused, by operation and status.");
    SummarySnapshot.Builder durations = SummarySnapshot.builder()
        .name("pinbroker_request_duration_seconds")
        .help("Time from request received to reply sent, since the broker started.");
    GaugeSnapshot.Builder max = GaugeSnapshot.builder()
        .name("pinbroker_request_duration_seconds_max")
        .help("The longest time from request received to reply sent (1% precision).");
    boolean anyRefusal = false;
    for (Stats.OpStats o : s.ops()) {
      Labels op = Labels.of("op", StatsFormat.op(o.opcode()));
      requests.dataPoint(CounterDataPointSnapshot.builder()
          .labels(op)
          .value(unsigned(o.requests()))
          .build());
      for (Stats.Refusals r : o.refusals()) {
        anyRefusal = true;
        refusals.dataPoint(CounterDataPointSnapshot.builder()
            .labels(op.add("status", StatsFormat.status(r.status())))
            .value(unsigned(r.count()))
            .build());
      }
      List<Quantile> quantiles = new ArrayList<>();
      for (Stats.Quantile q : o.quantiles()) {
        quantiles.add(new Quantile(q.quantile(), unsigned(q.nanos()) / NANOS_PER_SECOND));
      }
      durations.dataPoint(SummaryDataPointSnapshot.builder()
          .labels(op)
          .quantiles(Quantiles.of(quantiles))
          .count(o.requests())
          .sum(unsigned(o.latencySumNanos()) / NANOS_PER_SECOND)
          .build());
      max.dataPoint(GaugeDataPointSnapshot.builder()
          .labels(op)
          .value(unsigned(o.latencyMaxNanos()) / NANOS_PER_SECOND)
          .build());
    }
    out.add(requests.build());
    if (anyRefusal) {
      out.add(refusals.build());
    }
    out.add(durations.build());
    out.add(max.build());
  }

  /** {@code directory}, or the kind's name in lower case: {@code fd}, {@code bpf_map}. */
  static String kindLabel(int code) {
    if (code == ObjectKind.NONE.code()) {
      return "directory";
    }
    ObjectKind k = ObjectKind.valueOf((byte) code);
    return k == null ? "kind_" + code : k.name().toLowerCase(Locale.ROOT);
  }

  private static void gauge(
      List<MetricSnapshot> out, Stats s, StatsMetric metric, String name, String help) {
    OptionalLong v = s.value(metric);
    if (v.isPresent()) {
      out.add(gauge(name, help, metric == StatsMetric.FDS_LIMIT && v.getAsLong() == -1
          ? Double.POSITIVE_INFINITY
          : unsigned(v.getAsLong())));
    }
  }

  private static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }

  private static void counter(
      List<MetricSnapshot> out, Stats s, StatsMetric metric, String name, String help) {
    OptionalLong v = s.value(metric);
    if (v.isPresent()) {
      out.add(CounterSnapshot.builder()
          .name(name)
          .help(help)
          .dataPoint(CounterDataPointSnapshot.builder().value(unsigned(v.getAsLong())).build())
          .build());
    }
  }

  /** A u64 as a double. */
  private static double unsigned(long v) {
    return v >= 0 ? v : 0x1p64 + v;
  }
}
