package io.pinbroker.daemon.it;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.Capability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * pinbrokerd run by daemon/src/test/python/fake_service_manager.py, which plays systemd for it:
 * the listening socket passed as {@code api}, NOTIFY_SOCKET with an fd store (FDSTORE=1,
 * FDSTOREREMOVE=1, BARRIER=1), and a restart with the store whenever the broker ends.
 */
final class FakeServiceManager implements AutoCloseable {
  private static final String PYTHON = "/usr/bin/python3";

  final Path home;
  final Path socket;
  final Path log;
  private final Process process;
  private final OutputStream commands;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private volatile long brokerPid;

  private FakeServiceManager(Path home, Path socket, Path log, Process process) {
    this.home = home;
    this.socket = socket;
    this.log = log;
    this.process = process;
    this.commands = process.getOutputStream();
    Thread.ofPlatform().daemon().name("fake-service-manager").start(this::readEvents);
  }

  /** Starts the manager, which starts the broker; returns once the broker sent READY=1. */
  static FakeServiceManager start() throws IOException, InterruptedException {
    Capability.requireExecutable(PYTHON);
    Path dist = Path.of(System.getProperty("pinbroker.dist", "target/pinbroker"));
    Path script =
        Path.of(System.getProperty("pinbroker.testsrc", "src/test"), "python", "fake_service_manager.py");
    Path home = Files.createTempDirectory("pinbroker-fsm");
    Path socket = home.resolve("pinbroker.sock");
    Path log = home.resolve("manager.log");
    Process p =
        new ProcessBuilder(
                PYTHON, "-B", script.toAbsolutePath().toString(), socket.toString(),
                home.resolve("notify.sock").toString(),
                dist.resolve("bin/pinbrokerd").toAbsolutePath().toString(), "--socket", socket.toString())
            .redirectError(log.toFile())
            .start();
    FakeServiceManager m = new FakeServiceManager(home, socket, log, p);
    try {
      m.awaitReady(Duration.ofSeconds(60));
      return m;
    } catch (IOException | RuntimeException | InterruptedException e) {
      m.close();
      throw e;
    }
  }

  private void readEvents() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("started ")) {
          brokerPid = Long.parseLong(line.split(" ")[1]);
        }
        events.add(line);
      }
    } catch (IOException e) {
      events.add("manager output: " + e);
    }
    events.add("manager ended");
  }

  /** Waits for the next "ready PID" (READY=1) and returns the PID. */
  long awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> seen = new ArrayList<>();
    while (true) {
      String e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null || e.equals("manager ended")) {
        throw new IOException("the broker did not send READY=1; events " + seen + "\n" + Files.readString(log));
      }
      seen.add(e);
      if (e.startsWith("ready ")) {
        return Long.parseLong(e.split(" ")[1]);
      }
    }
  }

  /** The broker process the manager started last. */
  long brokerPid() {
    return brokerPid;
  }

  /** SIGKILLs the broker; the manager starts it again with its fd store. */
  void killBroker() throws IOException {
    commands.write("kill\n".getBytes(StandardCharsets.US_ASCII));
    commands.flush();
  }

  PinbrokerClient client() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(30)).build();
  }

  /** Stops the broker with SIGTERM and the manager with it; kills both if that takes long. */
  @Override
  public void close() throws IOException {
    try {
      commands.write("stop\n".getBytes(StandardCharsets.US_ASCII));
      commands.close();
    } catch (IOException gone) {
      // the manager already ended
    }
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        long broker = brokerPid;
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        ProcessHandle.of(broker).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      TempTree.delete(home);
    }
  }
}
