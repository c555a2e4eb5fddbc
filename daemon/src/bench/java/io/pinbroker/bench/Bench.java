package io.pinbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The whole-system benchmark of issue 6: every workload against every peer in one run,
 * alternating peers round by round, with medians and ratios. {@code daemon/src/bench/run.sh}
 * installs and builds what it needs and starts this; BENCHMARKS.md says what each peer and
 * workload is.
 *
 * <pre>
 * Bench [--quick] [--rounds N] [--seconds S] [--placement none|split] [--only ID,...]
 *       --cbuild DIR --dist DIR [--out BENCHMARKS.md] [--command TEXT]
 * </pre>
 */
public final class Bench {
  /** What one run does: sizes, rounds and where things are. */
  record Options(
      boolean quick,
      int rounds,
      int warmupRounds,
      double seconds,
      double clientWarmup,
      int cliCalls,
      int restoreRounds,
      String placement,
      Set<String> only,
      Path cbuild,
      Path dist,
      Path out,
      String command) {

    boolean wants(String id) {
      return only.isEmpty() || only.contains(id) || only.stream().anyMatch(id::startsWith);
    }
  }

  private Bench() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(
          "usage: Bench [--quick] [--rounds N] [--seconds S] [--placement none|split]"
              + " [--only ID,...] --cbuild DIR --dist DIR [--out FILE] [--command TEXT]");
      System.exit(2);
      return;
    }
    Path dir = Files.createTempDirectory("pinbroker-bench-");
    Report report = new Report(o, Machine.facts(o.placement()));
    Workloads workloads = new Workloads(o, new Peers(o.cbuild(), o.dist(), dir, o.placement()), dir);
    int failures = workloads.runAll(report);
    report.finish();
    String section = report.markdown();
    System.out.println();
    System.out.println(section);
    if (o.out() != null) {
      report.write(o.out(), section);
      System.out.println("bench: results written to " + o.out());
    }
    System.out.println("bench: logs in " + dir);
    System.exit(failures == 0 ? 0 : 1);
  }

  static Options parse(String[] args) {
    boolean quick = List.of(args).contains("--quick");
    int rounds = quick ? 2 : 5;
    double seconds = quick ? 0.5 : 5;
    String placement = "none";
    Set<String> only = new LinkedHashSet<>();
    Path cbuild = null;
    Path dist = null;
    Path out = null;
    String command = "daemon/src/bench/run.sh" + (quick ? " --quick" : "");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick")) {
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--placement" -> {
          if (!v.equals("none") && !v.equals("split")) {
            throw new IllegalArgumentException("--placement is none or split");
          }
          placement = v;
        }
        case "--only" -> only.addAll(List.of(v.split(",")));
        case "--cbuild" -> cbuild = Path.of(v);
        case "--dist" -> dist = Path.of(v);
        case "--out" -> out = Path.of(v);
        case "--command" -> command = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (cbuild == null || dist == null) {
      throw new IllegalArgumentException("--cbuild and --dist are needed");
    }
    return new Options(
        quick, rounds, 1, seconds, quick ? 0.2 : 1, quick ? 3 : 20, quick ? 1 : 3, placement,
        only, cbuild, dist, out, command);
  }

  // ---- processes ----

  /** What a finished process said. */
  record Output(int exit, String stdout, String stderr) {}

  /** Runs argv to completion (killed after {@code timeoutSeconds}), capturing both outputs. */
  static Output run(List<String> argv, Map<String, String> env, double timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("bench-", ".out");
    Path err = Files.createTempFile("bench-", ".err");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        return new Output(-1, Files.readString(out), "timed out after " + timeoutSeconds + " s");
      }
      return new Output(p.exitValue(), Files.readString(out), Files.readString(err).trim());
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * Runs argv with its output discarded and returns its wall time in seconds, from just before
   * the start to its exit; negative (minus the exit status, or -1000 for a timeout) if it failed.
   */
  static double timedCall(List<String> argv, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      return -1000;
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return p.exitValue() == 0 ? secs : -p.exitValue();
  }

  /** Runs argv and fails unless it exits 0. */
  static void exec(List<String> argv) throws IOException, InterruptedException {
    Output o = run(argv, Map.of(), 120);
    if (o.exit() != 0) {
      throw new IOException(String.join(" ", argv) + ": exit " + o.exit() + ": " + o.stderr());
    }
  }

  /** The first line argv prints, or "unknown". */
  static String quietOutput(List<String> argv) {
    try {
      Output o = run(argv, Map.of(), 10);
      String s = o.stdout().strip();
      return o.exit() == 0 && !s.isEmpty() ? s.lines().findFirst().orElse(s) : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  /** This JVM's java with this classpath, running {@code main}. */
  static List<String> javaCommand(Class<?> main) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> argv = new ArrayList<>();
    argv.add(java);
    argv.add("--enable-native-access=ALL-UNNAMED");
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(main.getName());
    return argv;
  }

  /** The value of {@code key=} in a line of space-separated fields. */
  static String field(String line, String key) {
    for (String f : line.trim().split(" ")) {
      if (f.startsWith(key + "=")) {
        return f.substring(key.length() + 1);
      }
    }
    throw new IllegalArgumentException("no " + key + " in: " + line);
  }

  static long uid() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
      }
    }
    throw new IOException("no Uid in /proc/self/status");
  }
}
