package io.pinbroker.cli;

import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.StatsMetric;
import io.pinbroker.protocol.Status;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/** How {@code pinbroker stats} shows a STATS reply: a table for people, or JSON. */
final class StatsFormat {
  private static final String ROW = "%-15s %9s %8s %8s %8s %8s %8s %8s  %s";

  private StatsFormat() {}

  /** The name of an operation: the opcode in lower case; "unknown" for opcode 0. */
  static String op(int opcode) {
    if (opcode == 0) {
      return "unknown";
    }
    Opcode op = Opcode.valueOf((byte) opcode);
    if (op == null) {
      return String.format(Locale.ROOT, "op_0x%02x", opcode);
    }
    return op.name().toLowerCase(Locale.ROOT);
  }

  static String status(int code) {
    Status s = Status.valueOf(code);
    return s == null ? "status_" + code : s.name();
  }

  /** "p50", "p99.9": a quantile as people write it. */
  static String percentile(int ppm) {
    return "p" + new BigDecimal(ppm).movePointLeft(4).stripTrailingZeros().toPlainString();
  }

  static String metric(int code) {
    StatsMetric m = StatsMetric.valueOf(code);
    return m == null ? "metric_" + code : m.label();
  }

  /** "dir" for directories, else the kind as {@code ls} shows it; unknown codes by number. */
  static String kind(int code) {
    ObjectKind k = ObjectKind.valueOf((byte) code);
    return k == null ? "kind_" + code : k.label();
  }

  /** A u64 as JSON takes it: past Long.MAX_VALUE as a big integer. */
  static Number unsigned(long v) {
    return v >= 0 ? (Number) v : new BigInteger(Long.toUnsignedString(v));
  }

  static Map<String, Object> json(Stats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Stats.Value v : s.values()) {
      m.put(metric(v.metric()), unsigned(v.value()));
    }
    Map<String, Object> names = new LinkedHashMap<>();
    for (Stats.KindCount k : s.names()) {
      names.put(kind(k.kind()), unsigned(k.count()));
    }
    m.put("names", names);
    List<Object> ops = new ArrayList<>();
    for (Stats.OpStats o : s.ops()) {
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("op", op(o.opcode()));
      op.put("opcode", o.opcode());
      op.put("requests", unsigned(o.requests()));
      op.put("refused", unsigned(o.refused()));
      Map<String, Object> refusals = new LinkedHashMap<>();
      for (Stats.Refusals r : o.refusals()) {
        refusals.put(status(r.status()), unsigned(r.count()));
      }
      op.put("refusals", refusals);
      Map<String, Object> latency = new LinkedHashMap<>();
      for (Stats.Quantile q : o.quantiles()) {
        latency.put(percentile(q.ppm()), unsigned(q.nanos()));
      }
      latency.put("max", unsigned(o.latencyMaxNanos()));
      latency.put("sum", unsigned(o.latencySumNanos()));
      op.put("latency_ns", latency);
      ops.add(op);
    }
    m.put("ops", ops);
    return m;
  }

  /** The broker, then one line per operation that had requests. */
  static String table(Stats s) {
    StringBuilder b = new StringBuilder();
    long names = 0;
    List<String> byKind = new ArrayList<>();
    for (Stats.KindCount k : s.names()) {
      names += k.count();
      if (k.count() != 0) {
        byKind.add(k.count() + " " + kind(k.kind()));
      }
    }
    OptionalLong uptime = s.value(StatsMetric.UPTIME_MS);
    line(b, "Uptime", uptime.isPresent() ? duration(uptime.getAsLong() * 1_000_000) : "?");
    line(b, "Names", names + " of " + value(s, StatsMetric.NAMES_MAX)
        + (byKind.isEmpty() ? "" : ": " + String.join(", ", byKind)));
    line(b, "fds", value(s, StatsMetric.FDS_HELD) + " held, " + value(s, StatsMetric.FDS_OPEN)
        + " open, limit " + value(s, StatsMetric.FDS_LIMIT));
    line(b, "fd store", s.value(StatsMetric.FD_STORE_MAX).isPresent()
        ? value(s, StatsMetric.FD_STORE_USED) + " of " + value(s, StatsMetric.FD_STORE_MAX)
            + " slots"
        : "off (names are lost when the broker stops)");
    line(b, "Connections", value(s, StatsMetric.CONNECTIONS) + " open of "
        + value(s, StatsMetric.CONNECTIONS_MAX) + "; " + value(s, StatsMetric.CONNECTIONS_ACCEPTED)
        + " accepted, " + value(s, StatsMetric.CONNECTIONS_REFUSED) + " refused at the limit, "
        + value(s, StatsMetric.PROTOCOL_VIOLATIONS) + " protocol violations");
    for (Stats.Value v : s.values()) {
      if (StatsMetric.valueOf(v.metric()) == null) {
        line(b, metric(v.metric()), Long.toUnsignedString(v.value()));
      }
    }
    b.append('\n');
    b.append(String.format(Locale.ROOT, ROW,
            "OPERATION", "REQUESTS", "REFUSED", "P50", "P90", "P99", "P99.9", "MAX", "REFUSALS"))
        .append('\n');
    for (Stats.OpStats o : s.ops()) {
      if (o.requests() == 0) {
        continue;
      }
      List<String> refusals = new ArrayList<>();
      for (Stats.Refusals r : o.refusals()) {
        refusals.add(status(r.status()) + " " + Long.toUnsignedString(r.count()));
      }
      b.append(String.format(Locale.ROOT, ROW,
          op(o.opcode()), Long.toUnsignedString(o.requests()), Long.toUnsignedString(o.refused()),
          quantile(o, 500_000), quantile(o, 900_000), quantile(o, 990_000), quantile(o, 999_000),
          duration(o.latencyMaxNanos()), String.join(", ", refusals)).stripTrailing()).append('\n');
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String label, String text) {
    b.append(String.format(Locale.ROOT, "%-12s %s%n", label + ":", text));
  }

  /** A value as text: "?" if the broker did not report it, "unlimited" for all ones. */
  private static String value(Stats s, StatsMetric m) {
    OptionalLong v = s.value(m);
    if (v.isEmpty()) {
      return "?";
    }
    return v.getAsLong() == -1 ? "unlimited" : Long.toUnsignedString(v.getAsLong());
  }

  private static String quantile(Stats.OpStats o, int ppm) {
    OptionalLong v = o.quantileNanos(ppm);
    return v.isPresent() ? duration(v.getAsLong()) : "-";
  }

  /** 850ns, 41.2µs, 3.07ms, 1.50s, 2h03m: three significant digits below a minute. */
  static String duration(long nanos) {
    if (nanos < 0) {
      return "?";
    }
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return three(nanos / 1e3) + "µs";
    }
    if (nanos < 1_000_000_000) {
      return three(nanos / 1e6) + "ms";
    }
    long seconds = nanos / 1_000_000_000;
    if (seconds < 60) {
      return three(nanos / 1e9) + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86400) {
      return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", seconds / 86400, seconds % 86400 / 3600);
  }

  private static String three(double v) {
    String format = v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, format, v);
  }
}
