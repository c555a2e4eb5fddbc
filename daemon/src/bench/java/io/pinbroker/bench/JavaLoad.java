package io.pinbroker.bench;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The load generator for pinbrokerd through the Java client ({@link PinbrokerClient}), with the
 * command line and output of the C ones (libclient/c/bench/bench.h):
 *
 * <pre>
 * JavaLoad get|connect|pinunlink|list --socket PATH [--clients N] [--seconds S] [--warmup S]
 *          [--name NAME] [--dir DIR] [--count N]
 * RESULT ops=N seconds=S ops_per_s=X p50_us=X p99_us=X errors=N
 * </pre>
 *
 * Clients are platform threads of this one JVM, each with its own connection, started together
 * once all have connected. Each runs --warmup seconds unmeasured (the JIT's time), then --seconds
 * measured.
 */
public final class JavaLoad {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_ERRORS = 100;

  private final String workload;
  private Path socket;
  private int clients = 1;
  private double seconds = 1;
  private double warmup;
  private String name = "/bench/obj";
  private String dir = "/bench/dir";
  private long count = 10_000;

  private JavaLoad(String[] args) {
    workload = args[0];
    for (int i = 1; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--socket" -> socket = Path.of(v);
        case "--clients" -> clients = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--warmup" -> warmup = Double.parseDouble(v);
        case "--name" -> name = v;
        case "--dir" -> dir = v;
        case "--count" -> count = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: JavaLoad get|connect|pinunlink|list --socket PATH [options]");
      System.exit(2);
    }
    System.exit(new JavaLoad(args).run());
  }

  /** One client: its connection and what one operation does with it. */
  private final class Client implements AutoCloseable {
    private final int index;
    private PinbrokerClient broker;
    private final Fd memfd;
    private final String pinName;
    final Histogram histogram = new Histogram();
    long errors;
    double measuredSeconds;
    Throwable failure;

    Client(int index) throws IOException {
      this.index = index;
      this.memfd = FileOps.memfd("pinbroker-bench", 4096, FileOps.MFD_CLOEXEC);
      this.pinName = "/bench/p" + index;
      if (!workload.equals("connect")) {
        broker = connect();
      }
    }

    void op() throws IOException {
      switch (workload) {
        case "get" -> {
          try (ReceivedFd got = broker.get(name, Access.READ_ONLY)) {
            got.fd();
          }
        }
        case "connect" -> {
          try (PinbrokerClient once = connect();
              ReceivedFd got = once.get(name, Access.READ_ONLY)) {
            got.fd();
          }
        }
        case "pinunlink" -> {
          broker.pin(pinName, memfd.value(), PinOptions.DEFAULT.mode(0644));
          broker.unlink(pinName);
        }
        case "list" -> {
          int n = broker.list(dir).size();
          if (n != count) {
            throw new IOException("listed " + n + " names, not " + count);
          }
        }
        default -> throw new IllegalArgumentException("no workload " + workload);
      }
    }

    void run(CountDownLatch go) {
      try {
        go.await();
        long end = System.nanoTime() + (long) (warmup * 1e9);
        while (System.nanoTime() < end) {
          tolerate(this::op);
        }
        errors = 0;
        long start = System.nanoTime();
        long t = start;
        end = start + (long) (seconds * 1e9);
        do {
          long s = t;
          tolerate(this::op);
          t = System.nanoTime();
          histogram.record(t - s);
        } while (t < end);
        measuredSeconds = (t - start) / 1e9;
      } catch (Throwable e) {
        failure = e;
      }
    }

    private void tolerate(IoAction action) throws IOException {
      try {
        action.run();
      } catch (IOException e) {
        if (++errors > MAX_ERRORS) {
          throw new IOException("client " + index + ": too many errors", e);
        }
      }
    }

    @Override
    public void close() {
      if (broker != null) {
        broker.close();
      }
      memfd.close();
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private PinbrokerClient connect() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(TIMEOUT).build();
  }

  private int run() throws Exception {
    if (!List.of("get", "connect", "pinunlink", "list").contains(workload)) {
      System.out.println("NA JavaLoad has no workload " + workload);
      return 0;
    }
    List<Client> all = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        all.add(new Client(i));
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (Client c : all) {
        threads.add(Thread.ofPlatform().name("client-" + c.index).start(() -> c.run(go)));
      }
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      Histogram merged = new Histogram();
      long errors = 0;
      double secs = 0;
      for (Client c : all) {
        if (c.failure != null) {
          System.err.println("JavaLoad: " + workload + ": " + c.failure);
          return 1;
        }
        merged.add(c.histogram);
        errors += c.errors;
        secs += c.measuredSeconds;
      }
      secs /= clients;
      System.out.println(
          String.format(
              Locale.ROOT,
              "RESULT ops=%d seconds=%.6f ops_per_s=%.1f p50_us=%.2f p99_us=%.2f errors=%d",
              merged.total(),
              secs,
              secs > 0 ? merged.total() / secs : 0,
              merged.percentileMicros(0.50),
              merged.percentileMicros(0.99),
              errors));
      return 0;
    } finally {
      all.forEach(Client::close);
    }
  }
}
