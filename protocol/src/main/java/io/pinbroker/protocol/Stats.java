package io.pinbroker.protocol;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.ToIntFunction;

/**
 * What a broker reports about itself in a STATS reply (PROTOCOL.md §6.14): single values
 * ({@link StatsMetric}), names by object kind, and per operation its requests, refusals by status
 * and latency. Codes are kept as numbers, so that a reply from a newer broker, with metrics, kinds,
 * opcodes or statuses this version does not know, still decodes whole; the lookups by enum skip
 * what they do not know.
 *
 * @param values single values, in increasing order of metric code
 * @param names names held per {@link ObjectKind} code, in increasing order of kind; kind 0
 *     ({@link ObjectKind#NONE}) counts directories, the root excepted
 * @param ops one record per opcode, in increasing order of opcode; opcode 0 counts requests
 *     with opcodes the broker does not know
 * @throws IllegalArgumentException if a list breaks the order, or a code or count its range
 */
public record Stats(List<Value> values, List<KindCount> names, List<OpStats> ops) {
  /** The most records in each of the three lists: the u16 count of the wire. */
  public static final int MAX_RECORDS = 0xFFFF;

  /** The most quantiles or refusal statuses per operation: their u8 count. */
  public static final int MAX_PER_OP = 0xFF;

  /** Parts per million of a quantile: 500_000 is the median. */
  public static final int PPM = 1_000_000;

  public Stats {
    values = List.copyOf(values);
    names = List.copyOf(names);
    ops = List.copyOf(ops);
    String problem = problem(values, names, ops);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * A single value.
   *
   * @param metric a {@link StatsMetric} code, 0..255
   */
  public record Value(int metric, long value) {}

  /**
   * Names of one kind.
   *
   * @param kind an {@link ObjectKind} code, 0..255
   */
  public record KindCount(int kind, long count) {}

  /**
   * One operation since the broker started.
   *
   * @param opcode its {@link Opcode} code, 0..255; 0 for unknown opcodes
   * @param requests requests answered, refusals included
   * @param latencySumNanos the sum of their latencies
   * @param latencyMaxNanos the longest latency, at the histogram's precision
   * @param quantiles latency quantiles in increasing order; empty when there were no requests
   * @param refusals requests refused, per status, in increasing order of status; only statuses
   *     that occurred
   */
  public record OpStats(
      int opcode,
      long requests,
      long latencySumNanos,
      long latencyMaxNanos,
      List<Quantile> quantiles,
      List<Refusals> refusals) {
    public OpStats {
      quantiles = List.copyOf(quantiles);
      refusals = List.copyOf(refusals);
    }

    /** Requests refused, whatever the status. */
    public long refused() {
      long n = 0;
      for (Refusals r : refusals) {
        n += r.count();
      }
      return n;
    }

    /** Refusals with {@code status}; 0 if none. */
    public long refused(Status status) {
      for (Refusals r : refusals) {
        if (r.status() == status.code()) {
          return r.count();
        }
      }
      return 0;
    }

    /** The latency at {@code ppm} parts per million, if the broker reported that quantile. */
    public OptionalLong quantileNanos(int ppm) {
      for (Quantile q : quantiles) {
        if (q.ppm() == ppm) {
          return OptionalLong.of(q.nanos());
        }
      }
      return OptionalLong.empty();
    }

    /** The opcode, or empty for opcode 0 and opcodes this version does not know. */
    public Optional<Opcode> knownOpcode() {
      return Optional.ofNullable(opcode == 0 ? null : Opcode.valueOf((byte) opcode));
    }
  }

  /**
   * A latency quantile: {@code ppm} millionths of the requests took at most {@code nanos}.
   *
   * @param ppm 1..999999, so 990000 is the 99th percentile
   */
  public record Quantile(int ppm, long nanos) {
    /** As a fraction: 0.99 for the 99th percentile. */
    public double quantile() {
      return ppm / (double) PPM;
    }
  }

  /**
   * Requests refused with one status.
   *
   * @param status the errno on the wire, 1..65535
   */
  public record Refusals(int status, long count) {}

  /** The value of {@code metric}, if the broker reported it. */
  public OptionalLong value(StatsMetric metric) {
    for (Value v : values) {
      if (v.metric() == metric.code()) {
        return OptionalLong.of(v.value());
      }
    }
    return OptionalLong.empty();
  }

  /** Names of {@code kind} ({@link ObjectKind#NONE}: directories); 0 if not reported. */
  public long names(ObjectKind kind) {
    for (KindCount k : names) {
      if (k.kind() == kind.code()) {
        return k.count();
      }
    }
    return 0;
  }

  /** The record of {@code opcode}, if the broker reported one. */
  public Optional<OpStats> op(Opcode opcode) {
    return ops.stream().filter(o -> o.opcode() == opcode.code()).findFirst();
  }

  /** What is wrong with these lists, or {@code null}. The decoder and the constructor share it. */
  static String problem(List<Value> values, List<KindCount> names, List<OpStats> ops) {
    String p = increasing(values, Value::metric, 0xFF, "metric");
    if (p == null) {
      p = increasing(names, KindCount::kind, 0xFF, "kind");
    }
    if (p == null) {
      p = increasing(ops, OpStats::opcode, 0xFF, "opcode");
    }
    for (int i = 0; p == null && i < ops.size(); i++) {
      p = problem(ops.get(i));
    }
    return p;
  }

  private static String problem(OpStats op) {
    String where = " of opcode " + op.opcode();
    if (op.quantiles().size() > MAX_PER_OP || op.refusals().size() > MAX_PER_OP) {
      return "more than " + MAX_PER_OP + " quantiles or refusal statuses" + where;
    }
    String p = increasing(op.quantiles(), Quantile::ppm, PPM - 1, "quantile ppm");
    if (p == null && !op.quantiles().isEmpty() && op.quantiles().getFirst().ppm() == 0) {
      p = "quantile ppm 0";
    }
    if (p == null) {
      p = increasing(op.refusals(), Refusals::status, 0xFFFF, "refusal status");
    }
    if (p == null && !op.refusals().isEmpty() && op.refusals().getFirst().status() == 0) {
      p = "refusal status 0";
    }
    return p == null ? null : p + where;
  }

  /** Codes within 0..max and strictly increasing; the list no longer than a u16 count. */
  private static <T> String increasing(List<T> list, ToIntFunction<T> code, int max, String what) {
    if (list.size() > MAX_RECORDS) {
      return list.size() + " " + what + " records exceed " + MAX_RECORDS;
    }
    int previous = -1;
    for (T t : list) {
      int c = code.applyAsInt(t);
      if (c < 0 || c > max) {
        return what + " " + c + " out of range 0.." + max;
      }
      if (c <= previous) {
        return what + " " + c + " follows " + previous + ": not in increasing order";
      }
      previous = c;
    }
    return null;
  }
}
