package io.pinbroker.bench;

import io.pinbroker.bench.Peers.Peer;
import io.pinbroker.bench.Peers.Server;
import io.pinbroker.bench.Table.Kind;
import io.pinbroker.bench.Table.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The workloads of issue 6 and how each runs: servers started fresh per workload, peers
 * alternating within every round, the first round(s) discarded as warm-up.
 */
final class Workloads {
  static final String COLD_ACTIVATED = "pinbroker (socket-activated, READY=1)";

  /** The name every GET reads and the directory LIST reads. */
  private static final String NAME = "/bench/obj";

  private static final String DIR = "/bench/dir";

  /** pinbrokerd's --fd-store-max default: two of its slots are the journal's. */
  private static final int FD_STORE_MAX = 16_384;

  /** A load workload: one load-generator command run against several peers. */
  private record Load(String id, String title, String op, int clients, List<Peer> peers,
      boolean populate) {}

  private static final List<Peer> GET_PEERS =
      List.of(Peer.PINBROKER_JAVA, Peer.PINBROKER_C, Peer.RAW_C, Peer.S6, Peer.BPF);

  private static final List<Load> LOADS =
      List.of(
          new Load("get-1", "GET over a persistent connection, 1 client", "get", 1, GET_PEERS, false),
          new Load("get-2", "GET over a persistent connection, 2 clients", "get", 2, GET_PEERS, false),
          new Load("get-8", "GET over a persistent connection, 8 clients", "get", 8, GET_PEERS, false),
          new Load("connect", "connect + GET + close per request, 1 client", "connect", 1,
              GET_PEERS, false),
          new Load("pinunlink", "PIN + UNLINK pairs (s6: store + delete), 1 client", "pinunlink", 1,
              List.of(Peer.PINBROKER_JAVA, Peer.PINBROKER_C, Peer.PINBROKER_C_STORE, Peer.RAW_C,
                  Peer.S6, Peer.BPF),
              false),
          new Load("list", "LIST of a 10k-entry directory, 1 client", "list", 1, GET_PEERS, true));

  private final Bench.Options o;
  private final Peers peers;
  private final Path dir;

  Workloads(Bench.Options o, Peers peers, Path dir) {
    this.o = o;
    this.peers = peers;
    this.dir = dir;
  }

  /** Runs every workload the options ask for; returns how many failed outright. */
  int runAll(Report report) {
    int failures = 0;
    List<String> ids = new ArrayList<>();
    LOADS.forEach(l -> ids.add(l.id()));
    ids.addAll(List.of("cli", "coldstart", "restore-10k", "restore-100k", "heap", "scale", "jmh"));
    for (String id : ids) {
      if (!o.wants(id)) {
        continue;
      }
      System.out.println("bench: == " + id + " ==");
      try {
        switch (id) {
          case "cli" -> report.add(cli());
          case "coldstart" -> report.add(coldStart());
          case "restore-10k" -> report.add(restore(id, 10_000));
          case "restore-100k" -> report.add(restore(id, 100_000));
          case "heap" -> report.add(heap());
          case "scale" -> new Scale(o, peers, dir).run().forEach(report::add);
          case "jmh" -> report.addSection(Jmh.run(o.quick(), dir));
          default -> report.add(load(LOADS.stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow()));
        }
      } catch (Exception e) {
        failures++;
        report.failed(id, e.toString());
        System.out.println("bench: " + id + " failed: " + e);
      }
    }
    return failures;
  }

  private Table load(Load w) throws IOException, InterruptedException {
    Table t = new Table(w.id(), w.title(), Kind.THROUGHPUT, List.of("raw-c", "s6"))
        .rows(w.peers().stream().map(p -> p.id).toList());
    Peers.Running running = peers.start(w.peers());
    try {
      for (Peer p : w.peers()) {
        setup(p, "prepare");
        if (w.populate()) {
          setup(p, "populate");
        }
      }
      for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
        boolean warm = round < o.warmupRounds();
        for (Peer p : w.peers()) {
          if (t.isNotAvailable(p.id)) {
            continue;
          }
          List<String> argv = new ArrayList<>(peers.client(p));
          argv.addAll(List.of(w.op(), "--socket", peers.address(p.server).toString(),
              "--clients", Integer.toString(w.clients()),
              "--seconds", Double.toString(o.seconds()),
              "--warmup", Double.toString(o.clientWarmup()),
              "--name", NAME, "--dir", DIR, "--count", Integer.toString(Peers.LIST_ENTRIES)));
          Bench.Output out = Bench.run(argv, Map.of(), o.seconds() + o.clientWarmup() + 120);
          Sample s = parse(p, out, t);
          if (s == null) {
            continue;
          }
          System.out.printf(Locale.ROOT, "bench: %s round %d%s %-20s %s ops/s p50 %s µs p99 %s µs%n",
              w.id(), round, warm ? " (warm-up)" : "", p.id, Table.ops(s.value()),
              Table.num(s.p50()), Table.num(s.p99()));
          if (!warm) {
            t.add(p.id, s);
          }
        }
      }
    } finally {
      running.close();
    }
    t.note("Clients: " + w.clients() + "; C peers fork one process per client, pinbroker-java runs"
        + " one thread per client in one JVM; each client has its own connection.");
    return t;
  }

  private static Sample parse(Peer p, Bench.Output out, Table t) {
    for (String line : out.stdout().lines().toList()) {
      if (line.startsWith("NA ")) {
        t.notAvailable(p.id, line.substring(3));
        return null;
      }
      if (line.startsWith("RESULT ")) {
        return new Sample(
            Double.parseDouble(Bench.field(line, "ops_per_s")),
            Double.parseDouble(Bench.field(line, "p50_us")),
            Double.parseDouble(Bench.field(line, "p99_us")),
            Long.parseLong(Bench.field(line, "errors")));
      }
    }
    System.out.println("bench: " + p.id + " failed (exit " + out.exit() + "): " + out.stderr());
    t.note(p.id + ": a round failed: " + out.stderr().lines().findFirst().orElse("exit " + out.exit()));
    Sample failed = Sample.failed();
    t.add(p.id, failed);
    return null;
  }

  private void setup(Peer p, String step) throws IOException, InterruptedException {
    List<String> argv = peers.setup(p, step);
    if (argv == null) {
      return;
    }
    argv = new ArrayList<>(argv);
    argv.addAll(List.of("--name", NAME, "--dir", DIR));
    Bench.Output out = Bench.run(argv, Map.of(), 300);
    if (out.exit() != 0) {
      throw new IOException(p.id + " " + step + ": " + out.stderr());
    }
  }

  /** The CLI per call: a JVM start against a C program against s6's own tool. */
  private Table cli() throws IOException, InterruptedException {
    Table t = new Table("cli", "One CLI call: get one fd and exit, wall time per call", Kind.TIME,
        List.of("pinbroker-c CLI", "s6-fdholder-retrieve"));
    List<Peer> needs = List.of(Peer.PINBROKER_C, Peer.S6, Peer.BPF);
    Peers.Running running = peers.start(needs);
    try {
      for (Peer p : needs) {
        setup(p, "prepare");
      }
      String pb = peers.address(Server.PINBROKER).toString();
      Map<String, List<String>> commands = new java.util.LinkedHashMap<>();
      commands.put("pinbroker CLI (JVM)",
          List.of(peers.dist().resolve("bin/pinbroker").toString(), "--socket", pb, "get", NAME));
      commands.put("pinbroker-c CLI",
          List.of(peers.cbuild().resolve("pinbroker-c").toString(), "get", NAME));
      commands.put("s6-fdholder-retrieve",
          List.of("s6-fdholder-retrieve", peers.address(Server.S6).toString(), NAME, "true"));
      commands.put("bpftool map show pinned",
          List.of("bpftool", "map", "show", "pinned", peers.address(Server.BPFFS) + NAME));
      t.rows(List.copyOf(commands.keySet()));
      Map<String, String> env = Map.of("PINBROKER_SOCKET", pb);
      for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
        for (Map.Entry<String, List<String>> c : commands.entrySet()) {
          if (t.isNotAvailable(c.getKey())) {
            continue;
          }
          List<Double> calls = new ArrayList<>();
          for (int i = 0; i < o.cliCalls(); i++) {
            double secs = Bench.timedCall(c.getValue(), env);
            if (secs < 0) {
              Bench.Output out = Bench.run(c.getValue(), env, 60);
              t.notAvailable(c.getKey(), "exit " + out.exit() + ": " + out.stderr());
              break;
            }
            calls.add(secs);
          }
          double median = Table.median(calls);
          System.out.printf(Locale.ROOT, "bench: cli round %d %-28s %s per call%n", round,
              c.getKey(), Table.time(median));
          if (round >= o.warmupRounds() && !t.isNotAvailable(c.getKey())) {
            t.add(c.getKey(), new Sample(median, Double.NaN, Double.NaN, 0));
          }
        }
      }
    } finally {
      running.close();
    }
    t.note("Each round's value is the median of " + o.cliCalls() + " sequential calls, timed"
        + " from process start to exit by the harness (a JVM's ProcessBuilder, the same for all).");
    return t;
  }

  /** From fork+exec of the server to readiness, each server started fresh every round. */
  private Table coldStart() throws IOException, InterruptedException {
    Table t = new Table("coldstart", "Cold start: exec to ready", Kind.TIME,
        List.of("s6 (s6-fdholder-daemon -1)", "raw-c (first connect)"));
    for (int round = 0; round < o.warmupRounds() + o.rounds(); round++) {
      for (String peer : List.of(COLD_ACTIVATED, "pinbroker (plain, first connect)",
          "raw-c (first connect)", "s6 (s6-fdholder-daemon -1)")) {
        Path sock = dir.resolve("cold.sock");
        java.nio.file.Files.deleteIfExists(sock);
        Service s = switch (peer) {
          case COLD_ACTIVATED -> peers.pinbroker(sock, true);
          case "pinbroker (plain, first connect)" -> peers.pinbroker(sock, false);
          case "raw-c (first connect)" -> peers.service("raw-server",
              List.of("--listen-path", sock.toString(), "--ready", "connect"),
              List.of(peers.cbuild().resolve("raw-server").toString(), sock.toString()));
          default -> peers.s6(sock);
        };
        double secs = s.readySeconds();
        s.close();
        System.out.printf(Locale.ROOT, "bench: coldstart round %d %-40s %s%n", round, peer,
            Table.time(secs));
        if (round >= o.warmupRounds()) {
          t.add(peer, new Sample(secs, Double.NaN, Double.NaN, 0));
        }
      }
    }
    t.note("Ready means: READY=1 on NOTIFY_SOCKET (fakesd plays the service manager and passes"
        + " the listening socket as systemd does), the first successful connect(2) to the socket,"
        + " or s6-fdholder-daemon's -1 newline. Timed from just before fork.");
    return t;
  }

  /**
   * The broker's heap per name for real BPF maps kept by their pins: {@link HeapProbe} in a fresh
   * JVM (serial collector, so that the heap used after a full GC is the live heap) for each size.
   */
  private Table heap() throws IOException, InterruptedException {
    Table t = new Table("heap", "Broker heap per name: BPF array maps kept by their pins",
        Kind.BYTES, List.of());
    List<Integer> sizes = o.quick() ? List.of(1_000) : List.of(10_000, 100_000);
    t.rows(sizes.stream().map(n -> String.format(Locale.ROOT, "%,d names", n)).toList());
    Path store = dir.resolve("heap-bpffs");
    Bpffs fs = Bpffs.mount(store);
    try {
      for (int n : sizes) {
        List<String> argv = new ArrayList<>(Bench.javaCommand(HeapProbe.class));
        argv.addAll(1, List.of("-XX:+UseSerialGC", "-Xmx2g"));
        argv.addAll(List.of("--store", store.toString(), "--names", Integer.toString(n)));
        Bench.Output out = Bench.run(argv, Map.of(), 300);
        String line = out.stdout().lines().filter(l -> l.startsWith("HEAP ")).findFirst()
            .orElseThrow(() -> new IOException("HeapProbe failed (exit " + out.exit() + "): "
                + out.stderr()));
        double perName = Double.parseDouble(Bench.field(line, "bytes_per_name"));
        System.out.printf(Locale.ROOT, "bench: heap %,d names: %.1f bytes per name%n", n, perName);
        t.add(String.format(Locale.ROOT, "%,d names", n), new Sample(perName, Double.NaN,
            Double.NaN, 0));
      }
    } finally {
      fs.close();
    }
    t.note("Live heap after a full GC with the names, less the same namespace's before them,"
        + " divided by the names: one directory, names m000000 on (7 bytes), one-entry array maps"
        + " (4-byte keys, 8-byte values) pinned in a private bpffs, no fd per name. One run per"
        + " size: the figure is deterministic to a few bytes.");
    return t;
  }

  /** pinbrokerd killed (SIGKILL) and restarted with N names in the fake fd store. */
  private Table restore(String id, int names) throws IOException, InterruptedException {
    Table t = new Table(id, "Restart restore time with " + names / 1000 + "k names", Kind.TIME,
        List.of());
    String peer = "pinbroker (SIGKILL, restart to READY=1)";
    long hard = Machine.fdHardLimit();
    if (names > FD_STORE_MAX - 2 || names + 256 > hard) {
      t.notAvailable(peer, String.format(Locale.ROOT, "fd limit: every name holds one fd in the"
          + " broker and one in the service manager's store; RLIMIT_NOFILE hard limit %d,"
          + " --fd-store-max %d; %d names cannot be held", hard, FD_STORE_MAX, names));
      return t;
    }
    for (int round = 0; round < o.restoreRounds(); round++) {
      Path sock = dir.resolve("restore.sock");
      try (Service s = peers.pinbroker(sock, true)) {
        long start = System.nanoTime();
        Bench.Output out = Bench.run(List.of(peers.cbuild().resolve("load-pinbroker").toString(),
            "populate", "--socket", sock.toString(), "--dir", "/r", "--count",
            Integer.toString(names), "--distinct"), Map.of(), 900);
        double loadSecs = (System.nanoTime() - start) / 1e9;
        if (out.exit() != 0) {
          throw new IOException("populate: " + out.stderr());
        }
        double secs = s.restart();
        System.out.printf(Locale.ROOT, "bench: %s round %d pinned %d names in %s, restored %d fds"
            + " in %s%n", id, round, names, Table.time(loadSecs), s.stored(), Table.time(secs));
        if (s.stored() < names) {
          throw new IOException("only " + s.stored() + " fds were in the store");
        }
        t.add(peer, new Sample(secs, Double.NaN, Double.NaN, 0));
        t.add("pinning the names first (each acknowledged after BARRIER=1)",
            new Sample(loadSecs, Double.NaN, Double.NaN, 0));
      }
    }
    t.note("fakesd keeps the fd store (FDSTORE=1/FDNAME=/FDSTOREREMOVE=1, BARRIER=1) and passes it"
        + " back as LISTEN_FDS/LISTEN_FDNAMES after the listener, as systemd does. Names are"
        + " distinct memfds pinned by load-pinbroker. Time: exec of the new broker to READY=1.");
    return t;
  }
}
