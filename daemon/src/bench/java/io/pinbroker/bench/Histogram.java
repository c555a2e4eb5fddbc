package io.pinbroker.bench;

/**
 * Latencies in the buckets the C load generators use (libclient/c/bench/bench.c): 10 ns steps
 * below 100 µs, 1 µs steps below 100 ms, 1 ms steps below 10 s, then one overflow bucket. Not
 * thread-safe: one per client thread, merged at the end.
 */
final class Histogram {
  private static final long FINE_END = 100_000L;
  private static final long MID_END = 100_000_000L;
  private static final long COARSE_END = 10_000_000_000L;
  private static final int FINE_N = 10_000;
  private static final int MID_N = 99_900;
  private static final int COARSE_N = 9_900;
  private static final int BUCKETS = FINE_N + MID_N + COARSE_N + 1;

  private final long[] counts = new long[BUCKETS];
  private long total;

  void record(long nanos) {
    counts[bucket(nanos)]++;
    total++;
  }

  long total() {
    return total;
  }

  void add(Histogram other) {
    for (int b = 0; b < BUCKETS; b++) {
      counts[b] += other.counts[b];
    }
    total += other.total;
  }

  /** The {@code p} quantile (0..1) in microseconds: the middle of the bucket it falls in. */
  double percentileMicros(double p) {
    if (total == 0) {
      return 0;
    }
    long want = Math.max(1, (long) (p * total));
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += counts[b];
      if (seen >= want) {
        return bucketMicros(b);
      }
    }
    return bucketMicros(BUCKETS - 1);
  }

  private static int bucket(long ns) {
    if (ns < FINE_END) {
      return (int) (Math.max(0, ns) / 10);
    }
    if (ns < MID_END) {
      return FINE_N + (int) ((ns - FINE_END) / 1000);
    }
    if (ns < COARSE_END) {
      return FINE_N + MID_N + (int) ((ns - MID_END) / 1_000_000);
    }
    return BUCKETS - 1;
  }

  private static double bucketMicros(int b) {
    if (b < FINE_N) {
      return (b * 10 + 5) / 1000.0;
    }
    b -= FINE_N;
    if (b < MID_N) {
      return (FINE_END + b * 1000L + 500) / 1000.0;
    }
    b -= MID_N;
    if (b < COARSE_N) {
      return (MID_END + b * 1_000_000L + 500_000) / 1000.0;
    }
    return COARSE_END / 1000.0;
  }
}
