package io.pinbroker.daemon.server;

import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.inject.Inject;
import javax.inject.Singleton;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the request path records as it goes: per opcode the requests answered, the refusals by
 * status and the latency from datagram received to reply sent; and the connections accepted,
 * refused and ended by a violation. Recording takes no lock: {@link LongAdder}s and an
 * HdrHistogram {@link Recorder} per opcode, so that connection threads never wait for each other
 * or for a STATS reader.
 *
 * <p>Why HdrHistogram: recording is a wait-free array increment with a fixed, bounded relative
 * error (two significant digits: 1%) over the whole range from nanoseconds to a minute, and its
 * {@link Recorder} hands a reader consistent interval histograms without stopping the writers. The
 * Prometheus client's summaries and native histograms are built to be scraped by a Prometheus
 * server from the process itself; this broker answers STATS over its own socket instead, so it
 * needs percentiles it can compute on request, and the CLI turns them into a Prometheus summary.
 */
@Singleton
final class ServerMetrics {
  /** The quantiles STATS reports, in parts per million: p50, p90, p99 and p99.9. */
  static final int[] QUANTILES_PPM = {500_000, 900_000, 990_000, 999_000};

  /** Latencies above this (a minute) are recorded as this. */
  static final long HIGHEST_NANOS = 60_000_000_000L;

  private static final int DIGITS = 2;
  private static final Status[] STATUSES = Status.values();

  /** Meters by opcode byte; codes no opcode has share the meter of code 0. */
  private final OpMeter[] byCode = new OpMeter[256];
  private final List<OpMeter> meters = new ArrayList<>();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder violations = new LongAdder();
  private final AtomicInteger open = new AtomicInteger();
  private final long startedNanos = System.nanoTime();

  @Inject
  ServerMetrics() {
    OpMeter unknown = new OpMeter(0);
    meters.add(unknown);
    Arrays.fill(byCode, unknown);
    for (Opcode op : Opcode.values()) {
      OpMeter m = new OpMeter(op.code());
      meters.add(m);
      byCode[op.code()] = m;
    }
    meters.sort((a, b) -> Integer.compare(a.opcode, b.opcode));
  }

  /** A reply went out: {@code nanos} after its request was received. */
  void served(int opcode, Status status, long nanos) {
    byCode[opcode & 0xFF].record(status, nanos);
  }

  void accepted() {
    accepted.increment();
    open.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }

  void refused() {
    refused.increment();
  }

  void violation() {
    violations.increment();
  }

  int connections() {
    return open.get();
  }

  long connectionsAccepted() {
    return accepted.sum();
  }

  long connectionsRefused() {
    return refused.sum();
  }

  long violations() {
    return violations.sum();
  }

  long uptimeNanos() {
    return System.nanoTime() - startedNanos;
  }

  /** Every opcode since the start, opcode 0 (unknown opcodes) first. */
  List<Stats.OpStats> ops() {
    List<Stats.OpStats> out = new ArrayList<>(meters.size());
    for (OpMeter m : meters) {
      out.add(m.snapshot());
    }
    return out;
  }

  /** One opcode's counts. Writers record without locking; readers take turns. */
  private static final class OpMeter {
    final int opcode;
    private final Recorder recorder = new Recorder(1, HIGHEST_NANOS, DIGITS);
    private final LongAdder sumNanos = new LongAdder();
    private final LongAdder[] refusals = new LongAdder[STATUSES.length];
    /** Everything recorded so far: the intervals the recorder handed over, added up. */
    private final Histogram total = new Histogram(1, HIGHEST_NANOS, DIGITS);
    private Histogram interval;

    OpMeter(int opcode) {
      this.opcode = opcode;
      for (int i = 0; i < refusals.length; i++) {
        refusals[i] = new LongAdder();
      }
    }

    /** The histogram first, the refusal after: a reader never sees more refusals than requests. */
    void record(Status status, long nanos) {
      long clamped = Math.clamp(nanos, 0, HIGHEST_NANOS);
      recorder.recordValue(clamped);
      sumNanos.add(clamped);
      if (status != Status.OK) {
        refusals[status.ordinal()].increment();
      }
    }

    /** The refusals first, the histogram after (see {@link #record}). */
    synchronized Stats.OpStats snapshot() {
      List<Stats.Refusals> byStatus = new ArrayList<>();
      for (Status s : STATUSES) {
        long n = refusals[s.ordinal()].sum();
        if (n > 0) {
          byStatus.add(new Stats.Refusals(s.code(), n));
        }
      }
      byStatus.sort((a, b) -> Integer.compare(a.status(), b.status()));
      interval = recorder.getIntervalHistogram(interval);
      total.add(interval);
      long count = total.getTotalCount();
      List<Stats.Quantile> quantiles = new ArrayList<>();
      if (count > 0) {
        for (int ppm : QUANTILES_PPM) {
          quantiles.add(new Stats.Quantile(ppm, total.getValueAtPercentile(ppm / 10_000.0)));
        }
      }
      return new Stats.OpStats(
          opcode, count, sumNanos.sum(), count > 0 ? total.getMaxValue() : 0, quantiles, byStatus);
    }
  }
}
