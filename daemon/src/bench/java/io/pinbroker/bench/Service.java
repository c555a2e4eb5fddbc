package io.pinbroker.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under {@code fakesd} (libclient/c/bench/fakesd.c), the stand-in service manager:
 * started, timed to readiness, restarted with its fd store, stopped. Its stderr goes to a log
 * file in the run's directory.
 */
final class Service implements AutoCloseable {
  private final String name;
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final double readySeconds;
  private int stored;

  private Service(String name, Process process) throws IOException {
    this.name = name;
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.readySeconds = awaitReady();
  }

  /**
   * Starts {@code command} under fakesd with {@code fakesdOptions} (--listen, --notify, --ready)
   * and waits until it is ready.
   */
  static Service start(
      String name, Path fakesd, List<String> fakesdOptions, List<String> command, Path log,
      List<String> cpuPrefix)
      throws IOException {
    List<String> argv = new ArrayList<>(cpuPrefix);
    argv.add(fakesd.toString());
    argv.addAll(fakesdOptions);
    argv.add("--");
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new Service(name, pb.start());
  }

  private double awaitReady() throws IOException {
    String line = out.readLine();
    if (line == null || !line.startsWith("READY ")) {
      process.destroyForcibly();
      throw new IOException(name + " did not start: " + line + " (see the log)");
    }
    stored = Integer.parseInt(Bench.field(line, "stored"));
    return Double.parseDouble(Bench.field(line, "seconds"));
  }

  /** Seconds from fork+exec to readiness at the start. */
  double readySeconds() {
    return readySeconds;
  }

  /** Kills the server (SIGKILL) and starts it again with the fd store; seconds to readiness. */
  double restart() throws IOException {
    in.write("restart\n");
    in.flush();
    return awaitReady();
  }

  /** The server's pid: fakesd's child, which the launcher replaced by the JVM. */
  long serverPid() throws IOException {
    return process.children().findFirst()
        .orElseThrow(() -> new IOException(name + " has no server process"))
        .pid();
  }

  /** fds in the store at the last (re)start. */
  int stored() {
    return stored;
  }

  @Override
  public void close() {
    try {
      in.write("stop\n");
      in.flush();
      in.close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }
}
