package io.pinbroker.daemon.it;

import io.pinbroker.client.PinbrokerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * pinbrokerd running as its own process, started from a copy of the packaged distribution in a
 * world-readable directory so that clients of other uids can run the CLI too.
 */
final class ExternalBroker implements AutoCloseable {
  final Path home;
  final Path socket;
  final Path log;
  final Process process;

  private ExternalBroker(Path home, Path socket, Path log, Process process) {
    this.home = home;
    this.socket = socket;
    this.log = log;
    this.process = process;
  }

  static ExternalBroker start() throws IOException, InterruptedException {
    return start(List.of(), Map.of());
  }

  /** Started with {@code args} after its --socket, and {@code env} added to its environment. */
  static ExternalBroker start(List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    return start(List.of(), args, env);
  }

  /**
   * Started behind {@code prefix} (a command that execs the rest, such as {@code prlimit
   * --nofile=N:N}), with {@code args} after its --socket and {@code env} added to its environment.
   */
  static ExternalBroker start(List<String> prefix, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    return start(Path.of(System.getProperty("pinbroker.dist", "target/pinbroker")), prefix, args, env);
  }

  /** Started from a copy of the distribution at {@code dist} instead of the packaged one. */
  static ExternalBroker start(Path dist, List<String> prefix, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(dist.resolve("bin/pinbrokerd"))) {
      throw new IOException("no distribution at " + dist + "; run mvn verify");
    }
    Path home =
        Files.createTempDirectory(
            "pinbroker-it", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    copyTree(dist, home.resolve("dist"));
    Path socket = home.resolve("pinbroker.sock");
    Path log = home.resolve("pinbrokerd.log");
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(home.resolve("dist/bin/pinbrokerd").toString(), "--socket", socket.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(log.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    ExternalBroker b = new ExternalBroker(home, socket, log, p);
    b.awaitServing();
    return b;
  }

  private void awaitServing() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("pinbrokerd exited: " + Files.readString(log));
      }
      if (Files.exists(socket)) {
        try {
          client().close();
          return;
        } catch (IOException notYet) {
          // bound but not yet accepting
        }
      }
      Thread.sleep(50);
    }
    throw new IOException("pinbrokerd did not start: " + Files.readString(log));
  }

  long pid() {
    return process.pid();
  }

  PinbrokerClient client() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(10)).build();
  }

  /** Runs the {@code pinbroker} CLI of the distribution as this uid. */
  Proc.Result cli(String... args) throws IOException, InterruptedException {
    return as(List.of(), args);
  }

  /** Runs the CLI behind {@code prefix}, e.g. {@code setpriv --reuid 65534 ...}. */
  Proc.Result as(List<String> prefix, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(home.resolve("dist/bin/pinbroker").toString());
    cmd.addAll(List.of(args));
    return Proc.run(cmd, Map.of("PINBROKER_SOCKET", socket.toString()), home);
  }

  /** A java command line that runs {@code mainClass} with the distribution and test classes. */
  List<String> java(String mainClass, String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(home.resolve("dist/lib/*") + ":" + System.getProperty("pinbroker.testclasses", "target/test-classes"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    TempTree.delete(home);
  }

  /** Copies {@code from} to {@code to}, directories world-readable, files with their times. */
  static void copyTree(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
