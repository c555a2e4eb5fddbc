package io.pinbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The peers of the benchmark, the servers they talk to, and the commands that drive them. One
 * object per run: it knows where the C programs, the distribution and the run's directory are.
 */
final class Peers {
  /** The servers; each is started fresh for every workload that needs it. */
  enum Server {
    /** pinbrokerd as a plain process (no service manager, so no fd store). */
    PINBROKER,
    /** pinbrokerd socket-activated under fakesd, every pin kept in the fake fd store. */
    PINBROKER_STORE,
    /** raw-server: the least work an fd-passing server can do. */
    RAW,
    /** s6-fdholderd (via s6-fdholder-daemon -1). */
    S6,
    /** No server: a private bpffs mount. */
    BPFFS
  }

  /** A peer: a client kind against a server. */
  enum Peer {
    PINBROKER_JAVA("pinbroker-java", Server.PINBROKER),
    PINBROKER_C("pinbroker-c", Server.PINBROKER),
    PINBROKER_C_STORE("pinbroker-c+fdstore", Server.PINBROKER_STORE),
    RAW_C("raw-c", Server.RAW),
    S6("s6", Server.S6),
    BPF("bpf", Server.BPFFS);

    final String id;
    final Server server;

    Peer(String id, Server server) {
      this.id = id;
      this.server = server;
    }
  }

  /** Names every populated directory holds. */
  static final int LIST_ENTRIES = 10_000;

  private final Path cbuild;
  private final Path dist;
  private final Path dir;
  private final Path log;
  private final List<String> serverCpus;
  private final List<String> clientCpus;

  Peers(Path cbuild, Path dist, Path dir, String placement) {
    this.cbuild = cbuild;
    this.dist = dist;
    this.dir = dir;
    this.log = dir.resolve("servers.log");
    boolean split = placement.equals("split");
    this.serverCpus = split ? List.of("taskset", "-c", "0") : List.of();
    this.clientCpus = split ? List.of("taskset", "-c", "1") : List.of();
  }

  Path log() {
    return log;
  }

  Path cbuild() {
    return cbuild;
  }

  Path dist() {
    return dist;
  }

  /** Where clients of {@code server} connect (the bpffs mount point for BPFFS). */
  Path address(Server server) {
    return switch (server) {
      case PINBROKER -> dir.resolve("pb.sock");
      case PINBROKER_STORE -> dir.resolve("pbs.sock");
      case RAW -> dir.resolve("raw.sock");
      case S6 -> dir.resolve("s6.sock");
      case BPFFS -> dir.resolve("bpffs");
    };
  }

  /** Starts the servers the peers need, each once; the caller closes what it returns. */
  Running start(List<Peer> peers) throws IOException, InterruptedException {
    Running running = new Running();
    try {
      for (Peer p : peers) {
        if (!running.services.containsKey(p.server)) {
          running.services.put(p.server, start(p.server));
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      running.close();
      throw e;
    }
    return running;
  }

  /** The servers of one workload. */
  final class Running implements AutoCloseable {
    final Map<Server, AutoCloseable> services = new EnumMap<>(Server.class);

    @Override
    public void close() {
      for (AutoCloseable s : services.values()) {
        try {
          s.close();
        } catch (Exception e) {
          System.err.println("bench: stopping a server: " + e);
        }
      }
      services.clear();
    }
  }

  AutoCloseable start(Server server) throws IOException, InterruptedException {
    Path address = address(server);
    return switch (server) {
      case PINBROKER -> pinbroker(address, false);
      case PINBROKER_STORE -> pinbroker(address, true);
      case RAW ->
          service(
              "raw-server",
              List.of("--listen-path", address.toString(), "--ready", "connect"),
              List.of(
                  cbuild.resolve("raw-server").toString(),
                  address.toString(),
                  "--entries",
                  Integer.toString(LIST_ENTRIES)));
      case S6 -> s6(address);
      case BPFFS -> Bpffs.mount(address);
    };
  }

  /** pinbrokerd, plain (ready at the first connect) or under the fake service manager. */
  Service pinbroker(Path socket, boolean store) throws IOException {
    return pinbroker(socket, store, List.of());
  }

  /** pinbrokerd with {@code extra} options; under fakesd's fd store if {@code store}. */
  Service pinbroker(Path socket, boolean store, List<String> extra) throws IOException {
    List<String> options =
        store
            ? List.of(
                "--listen", socket.toString(),
                "--notify", socket + ".notify",
                "--ready", "notify")
            : List.of("--listen-path", socket.toString(), "--ready", "connect");
    return service(
        "pinbrokerd",
        options,
        Stream.concat(
                Stream.of(dist.resolve("bin/pinbrokerd").toString(), "--socket", socket.toString()),
                extra.stream())
            .toList());
  }

  Service s6(Path socket) throws IOException {
    Path rules = dir.resolve("s6rules");
    String uid = Long.toString(Bench.uid());
    Path env = rules.resolve("uid").resolve(uid).resolve("env");
    Files.createDirectories(env);
    Files.writeString(rules.resolve("uid").resolve(uid).resolve("allow"), "");
    Files.writeString(env.resolve("S6_FDHOLDER_STORE_REGEX"), ".\n");
    Files.writeString(env.resolve("S6_FDHOLDER_RETRIEVE_REGEX"), ".\n");
    Files.writeString(env.resolve("S6_FDHOLDER_LIST"), "\n");
    Files.deleteIfExists(socket);
    return service(
        "s6-fdholder-daemon",
        List.of("--ready", "stdout"),
        List.of(
            "s6-fdholder-daemon", "-1", "-c", "64", "-n", Integer.toString(LIST_ENTRIES + 2000),
            "-i", rules.toString(), socket.toString()));
  }

  Service service(String name, List<String> fakesdOptions, List<String> command)
      throws IOException {
    return Service.start(name, cbuild.resolve("fakesd"), fakesdOptions, command, log, serverCpus);
  }

  /** The load generator of {@code peer}, without its arguments. */
  List<String> client(Peer peer) {
    List<String> argv = new ArrayList<>(clientCpus);
    switch (peer) {
      case PINBROKER_JAVA -> argv.addAll(Bench.javaCommand(JavaLoad.class));
      case PINBROKER_C, PINBROKER_C_STORE -> argv.add(cbuild.resolve("load-pinbroker").toString());
      case RAW_C -> argv.add(cbuild.resolve("load-raw").toString());
      case S6 -> argv.add(cbuild.resolve("load-s6").toString());
      case BPF -> argv.add(cbuild.resolve("load-bpf").toString());
    }
    return argv;
  }

  /** A setup step ("prepare" or "populate") of the server {@code peer} uses; null if none. */
  List<String> setup(Peer peer, String step) {
    if (peer.server == Server.RAW) {
      return null; // raw-server has its object and names from the start
    }
    List<String> argv = new ArrayList<>();
    argv.add(
        cbuild.resolve(switch (peer.server) {
              case S6 -> "load-s6";
              case BPFFS -> "load-bpf";
              default -> "load-pinbroker";
            })
            .toString());
    argv.addAll(
        List.of(step, "--socket", address(peer.server).toString(), "--count",
            Integer.toString(LIST_ENTRIES)));
    return argv;
  }
}
