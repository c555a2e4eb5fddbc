package io.pinbroker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One workload's results: per peer, one sample per measured round (warm-up rounds are never
 * added), in round order, so that rounds pair up across peers. Medians, never means; a ratio is
 * the median of the per-round ratios of two peers measured minutes apart at most.
 */
final class Table {
  /** Throughput (ops/s, higher is better) or time (seconds, lower is better). */
  enum Kind {
    THROUGHPUT,
    TIME,
    /** Bytes (of heap), lower is better. */
    BYTES
  }

  /** One round of one peer; NaN value for a failed round. */
  record Sample(double value, double p50, double p99, long errors) {
    static Sample failed() {
      return new Sample(Double.NaN, Double.NaN, Double.NaN, 0);
    }
  }

  final String id;
  final String title;
  final Kind kind;
  final List<String> references;
  private final Map<String, List<Sample>> rows = new LinkedHashMap<>();
  private final Map<String, String> notAvailable = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  Table(String id, String title, Kind kind, List<String> references) {
    this.id = id;
    this.title = title;
    this.kind = kind;
    this.references = references;
  }

  /** Gives the peers their rows in this order, whatever order their results come in. */
  Table rows(List<String> peers) {
    peers.forEach(p -> rows.putIfAbsent(p, new ArrayList<>()));
    return this;
  }

  /** The rows, in order. */
  List<String> rowNames() {
    return List.copyOf(rows.keySet());
  }

  void add(String peer, Sample s) {
    rows.computeIfAbsent(peer, k -> new ArrayList<>()).add(s);
  }

  void notAvailable(String peer, String reason) {
    rows.putIfAbsent(peer, new ArrayList<>());
    notAvailable.put(peer, reason);
  }

  boolean isNotAvailable(String peer) {
    return notAvailable.containsKey(peer);
  }

  void note(String text) {
    notes.add(text);
  }

  List<Sample> samples(String peer) {
    return rows.getOrDefault(peer, List.of());
  }

  static double median(List<Double> values) {
    List<Double> v = new ArrayList<>();
    for (double d : values) {
      if (!Double.isNaN(d)) {
        v.add(d);
      }
    }
    if (v.isEmpty()) {
      return Double.NaN;
    }
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  double medianValue(String peer) {
    return median(samples(peer).stream().map(Sample::value).toList());
  }

  double medianP50(String peer) {
    return median(samples(peer).stream().map(Sample::p50).toList());
  }

  double medianP99(String peer) {
    return median(samples(peer).stream().map(Sample::p99).toList());
  }

  /** Median over rounds of peer/reference, for values ({@code p99} false) or p99 latencies. */
  double ratio(String peer, String reference, boolean p99) {
    List<Sample> a = samples(peer);
    List<Sample> b = samples(reference);
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      double x = p99 ? a.get(i).p99() : a.get(i).value();
      double y = p99 ? b.get(i).p99() : b.get(i).value();
      r.add(y == 0 ? Double.NaN : x / y);
    }
    return median(r);
  }

  /** The table in Markdown. */
  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("### ").append(title).append(" (`").append(id).append("`)\n\n");
    boolean tp = kind == Kind.THROUGHPUT;
    out.append(tp ? "| peer | ops/s | p50 µs | p99 µs | ops/s min–max |" : "| peer | median | min–max |");
    for (String ref : references) {
      out.append(" vs ").append(ref).append(" |");
    }
    out.append('\n').append(tp ? "|---|---:|---:|---:|---:|" : "|---|---:|---:|");
    out.append("---:|".repeat(references.size())).append('\n');
    for (String peer : rows.keySet()) {
      out.append("| ").append(peer).append(" | ");
      if (notAvailable.containsKey(peer)) {
        out.append("n/a: ").append(notAvailable.get(peer)).append(" |");
        out.append(" |".repeat((tp ? 3 : 1) + references.size())).append('\n');
        continue;
      }
      List<Double> values = samples(peer).stream().map(Sample::value).toList();
      double min = values.stream().filter(d -> !Double.isNaN(d)).min(Double::compare).orElse(Double.NaN);
      double max = values.stream().filter(d -> !Double.isNaN(d)).max(Double::compare).orElse(Double.NaN);
      if (tp) {
        out.append(ops(medianValue(peer))).append(" | ")
            .append(num(medianP50(peer))).append(" | ")
            .append(num(medianP99(peer))).append(" | ")
            .append(ops(min)).append("–").append(ops(max)).append(" |");
      } else if (kind == Kind.BYTES) {
        out.append(num(medianValue(peer))).append(" B | ")
            .append(num(min)).append("–").append(num(max)).append(" B |");
      } else {
        out.append(time(medianValue(peer))).append(" | ")
            .append(time(min)).append("–").append(time(max)).append(" |");
      }
      for (String ref : references) {
        out.append(' ')
            .append(peer.equals(ref) || isNotAvailable(ref) ? "" : ratio(ratio(peer, ref, false)))
            .append(" |");
      }
      long errors = samples(peer).stream().mapToLong(Sample::errors).sum();
      long failed = values.stream().filter(d -> Double.isNaN(d)).count();
      if (errors > 0 || failed > 0) {
        notes.add(peer + ": " + errors + " failed operations, " + failed + " failed rounds");
      }
      out.append('\n');
    }
    for (String n : notes.stream().distinct().toList()) {
      out.append("\n").append(n).append('\n');
    }
    out.append('\n');
    return out.toString();
  }

  static String ops(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String ratio(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f×", v);
  }

  static String time(double seconds) {
    if (Double.isNaN(seconds)) {
      return "–";
    }
    return seconds >= 1
        ? String.format(Locale.ROOT, "%.2f s", seconds)
        : String.format(Locale.ROOT, "%.1f ms", seconds * 1000);
  }
}
