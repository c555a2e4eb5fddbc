package io.pinbroker.bench;

import io.pinbroker.bench.Table.Kind;
import io.pinbroker.bench.Table.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code scale} workload: one socket-activated broker (under fakesd) keeps real BPF array
 * maps by their pins in a private bpffs, no fd per name, while its directory grows to 1k, 10k,
 * 100k and 1M names. At each size: GETs of random names (1 client), the broker's live heap per
 * name, one LIST of the whole directory (paged, every entry counted), and a SIGKILL + restart to
 * READY=1 with the names restored from the journal.
 */
final class Scale {
  private static final String DIR = "/scale";
  /** A directory of one name that warms the broker up before the heap baseline. */
  private static final String WARM = "/warm";

  private final Bench.Options o;
  private final Peers peers;
  private final Path dir;

  Scale(Bench.Options o, Peers peers, Path dir) {
    this.o = o;
    this.peers = peers;
    this.dir = dir;
  }

  /** The four tables: GET, heap, LIST, restore, one row per size. */
  List<Table> run() throws IOException, InterruptedException {
    List<Integer> sizes =
        o.quick() ? List.of(1_000, 10_000) : List.of(1_000, 10_000, 100_000, 1_000_000);
    List<String> rows = sizes.stream().map(Scale::row).toList();
    Table get = new Table("scale-get", "GET of a random name among N BPF maps, 1 client",
        Kind.THROUGHPUT, List.of(rows.get(0))).rows(rows);
    Table heap = new Table("scale-heap", "Broker live heap per name, N BPF maps kept by pins",
        Kind.BYTES, List.of()).rows(rows);
    Table list = new Table("scale-list", "One LIST of the whole N-entry directory, every page",
        Kind.TIME, List.of()).rows(rows);
    Table restore = new Table("scale-restore", "SIGKILL and restart to READY=1 with N names",
        Kind.TIME, List.of()).rows(rows);
    Path store = dir.resolve("scale-bpffs");
    Path sock = dir.resolve("scale.sock");
    Bpffs fs = Bpffs.mount(store);
    try (Service broker =
        peers.pinbroker(sock, true, List.of("--bpf-store", store.toString(),
            "--max-names", "1100000", "--max-names-per-uid", "1100000"))) {
      warm(sock);
      double baseline = liveHeap(broker);
      for (int n : sizes) {
        String r = row(n);
        long start = System.nanoTime();
        loadgen("populate-maps", sock, DIR, n, List.of(), 3600);
        double populate = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "bench: scale %,d names: populated in %s; broker fds %d%n",
            n, Table.time(populate), fdCount(broker));
        for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
          Bench.Output out = loadgen("get-random", sock, DIR, n, List.of("--clients", "1",
              "--seconds", Double.toString(o.seconds()),
              "--warmup", Double.toString(o.clientWarmup())), o.seconds() + 120);
          Sample s = result(out);
          System.out.printf(Locale.ROOT, "bench: scale %,d names: GET %s ops/s p50 %s µs p99 %s"
              + " µs%s%n", n, Table.ops(s.value()), Table.num(s.p50()), Table.num(s.p99()),
              round < o.warmupRounds() ? " (warm-up)" : "");
          if (round >= o.warmupRounds()) {
            get.add(r, s);
          }
        }
        double perName = (liveHeap(broker) - baseline) / n;
        heap.add(r, new Sample(perName, Double.NaN, Double.NaN, 0));
        Bench.Output l = loadgen("list", sock, DIR, n, List.of("--clients", "1", "--seconds", "0.5",
            "--warmup", "0"), 600);
        Sample ls = result(l);
        list.add(r, new Sample(1 / ls.value(), Double.NaN, Double.NaN, ls.errors()));
        double back = broker.restart();
        restore.add(r, new Sample(back, Double.NaN, Double.NaN, 0));
        System.out.printf(Locale.ROOT, "bench: scale %,d names: heap %.1f B/name, LIST %s,"
            + " restore %s%n", n, perName, Table.time(1 / ls.value()), Table.time(back));
      }
    } finally {
      fs.close(); // after the broker: unmounting frees the maps
    }
    get.note("The broker runs with --max-names and --max-names-per-uid 1100000 (defaults 1M and"
        + " 250k, which refuse the millionth name of one uid with EDQUOT). Names " + DIR + "/e000000 on in one directory, each a one-entry BPF array map made"
        + " by the broker (CREATE_MAP) and kept by its pin in a private bpffs: the broker holds no"
        + " fd per name. A GET opens the map from its pin (BPF_OBJ_GET, read-only). Sizes are"
        + " measured one after the other as the directory grows, so the ratio to 1,000 names"
        + " also carries the machine's drift between them.");
    heap.note("The bytes of the broker's live objects (jcmd GC.class_histogram: a full GC, then every"
        + " object counted), less the same"
        + " before any name of " + DIR + " (after one map in " + WARM + " was made, got and listed,"
        + " so that what the broker makes once per kind of request is not counted per name),"
        + " divided by the names. Each size is measured in the broker"
        + " restarted after the previous size, against the first broker's baseline.");
    list.note("load-pinbroker's LIST of " + DIR + " counts every entry over every page and fails"
        + " unless it sees exactly N.");
    restore.note("fakesd passes the journal back (the maps need no fd in the store); time: exec"
        + " of the new broker to READY=1, with every name re-attached to its pin.");
    return List.of(get, heap, list, restore);
  }

  private static String row(int n) {
    return String.format(Locale.ROOT, "%,d names", n);
  }

  /**
   * One map in {@link #WARM}, GETs and a LIST of it: what the broker makes once, on the first
   * request of a kind (latency histograms, lazily built tables), exists before the heap baseline
   * and is not counted per name.
   */
  private void warm(Path sock) throws IOException, InterruptedException {
    loadgen("populate-maps", sock, WARM, 1, List.of(), 60);
    loadgen("get-random", sock, WARM, 1, List.of("--clients", "1", "--seconds", "0.5",
        "--warmup", "0"), 60);
    loadgen("list", sock, WARM, 1, List.of("--clients", "1", "--seconds", "0.2", "--warmup", "0"),
        60);
  }

  private Bench.Output loadgen(
      String what, Path sock, String dir, int n, List<String> more, double timeout)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(
        peers.cbuild().resolve("load-pinbroker").toString(), what, "--socket", sock.toString(),
        "--dir", dir, "--count", Integer.toString(n)));
    argv.addAll(more);
    Bench.Output out = Bench.run(argv, Map.of(), timeout);
    if (out.exit() != 0) {
      throw new IOException("load-pinbroker " + what + " with " + n + " names: " + out.stderr());
    }
    return out;
  }

  private static Sample result(Bench.Output out) throws IOException {
    String line = out.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
        .orElseThrow(() -> new IOException("no RESULT: " + out.stdout() + out.stderr()));
    return new Sample(Double.parseDouble(Bench.field(line, "ops_per_s")),
        Double.parseDouble(Bench.field(line, "p50_us")),
        Double.parseDouble(Bench.field(line, "p99_us")),
        Long.parseLong(Bench.field(line, "errors")));
  }

  /**
   * The bytes of every live object in the broker's heap: GC.class_histogram runs a full GC and
   * counts what is left, to the byte (GC.heap_info's "used" counts G1's regions, not objects).
   */
  private static double liveHeap(Service broker) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    String pid = Long.toString(broker.serverPid());
    Bench.Output histogram = Bench.run(List.of(jcmd, pid, "GC.class_histogram"), Map.of(), 300);
    // the last line: "Total         61375        4240280" (instances, bytes)
    for (String line : histogram.stdout().lines().toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[0].equals("Total")) {
        return Double.parseDouble(f[2]);
      }
    }
    throw new IOException("no Total in GC.class_histogram: " + histogram.stdout());
  }

  private static long fdCount(Service broker) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + broker.serverPid() + "/fd"))) {
      return s.count();
    }
  }
}
