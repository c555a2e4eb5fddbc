package io.pinbroker.protocol;

import java.util.ArrayList;
import java.util.List;

/** Encodes and decodes the body of an OK STATS reply (PROTOCOL.md §6.14). */
final class StatsCodec {
  /** Bytes of one value or one kind record: a u8 code and a u64. */
  private static final int RECORD_BYTES = 9;

  /** Bytes of an operation record with no quantiles and no refusals. */
  static final int OP_MIN_BYTES = 1 + 8 + 8 + 8 + 1 + 1;

  private static final int QUANTILE_BYTES = 4 + 8;
  private static final int REFUSAL_BYTES = 2 + 8;

  private StatsCodec() {}

  static void write(Stats s, WireWriter w) {
    w.u16(s.values().size());
    for (Stats.Value v : s.values()) {
      w.u8(v.metric()).u64(v.value());
    }
    w.u16(s.names().size());
    for (Stats.KindCount k : s.names()) {
      w.u8(k.kind()).u64(k.count());
    }
    w.u16(s.ops().size());
    for (Stats.OpStats o : s.ops()) {
      w.u8(o.opcode()).u64(o.requests()).u64(o.latencySumNanos()).u64(o.latencyMaxNanos());
      w.u8(o.quantiles().size());
      for (Stats.Quantile q : o.quantiles()) {
        w.u32(q.ppm()).u64(q.nanos());
      }
      w.u8(o.refusals().size());
      for (Stats.Refusals r : o.refusals()) {
        w.u16(r.status()).u64(r.count());
      }
    }
  }

  static Stats read(WireReader r) throws MalformedFrameException {
    int count = count(r, "value count", RECORD_BYTES);
    List<Stats.Value> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      values.add(new Stats.Value(r.u8("metric"), r.u64("value")));
    }
    count = count(r, "kind count", RECORD_BYTES);
    List<Stats.KindCount> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(new Stats.KindCount(r.u8("kind"), r.u64("names")));
    }
    count = count(r, "op count", OP_MIN_BYTES);
    List<Stats.OpStats> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ops.add(op(r));
    }
    String problem = Stats.problem(values, names, ops);
    if (problem != null) {
      throw new MalformedFrameException(problem);
    }
    return new Stats(values, names, ops);
  }

  private static Stats.OpStats op(WireReader r) throws MalformedFrameException {
    int opcode = r.u8("opcode");
    long requests = r.u64("requests");
    long sum = r.u64("latency_sum_ns");
    long max = r.u64("latency_max_ns");
    int n = r.u8("quantile count");
    List<Stats.Quantile> quantiles = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      quantiles.add(new Stats.Quantile(r.u32("ppm"), r.u64("quantile ns")));
    }
    n = r.u8("refusal count");
    List<Stats.Refusals> refusals = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      refusals.add(new Stats.Refusals(r.u16("status"), r.u64("refusals")));
    }
    return new Stats.OpStats(opcode, requests, sum, max, quantiles, refusals);
  }

  /** A u16 count of records of at least {@code bytes} each, checked against what is left. */
  private static int count(WireReader r, String what, int bytes) throws MalformedFrameException {
    int count = r.u16(what);
    if (count > r.remaining() / bytes) {
      throw new MalformedFrameException(what + " " + count + " exceeds the frame");
    }
    return count;
  }
}
