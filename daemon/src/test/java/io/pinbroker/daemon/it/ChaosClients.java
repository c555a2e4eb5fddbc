package io.pinbroker.daemon.it;

import io.pinbroker.daemon.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chaos client processes (daemon/src/test/c/chaos.c on libclient/c), one per slot, each writing
 * {@code LOGS/ID.log}. A killer thread SIGKILLs one at random moments, wherever it is in its
 * loop, and starts a replacement in its slot under a new id ({@code SLOT.GENERATION}), so that
 * about as many keep running. {@link #close} kills whatever still runs.
 */
final class ChaosClients implements AutoCloseable {
  private static final String GCC = "/usr/bin/gcc";

  private final Path binary;
  private final Path socket;
  private final Path logs;
  private final int shared;
  private final int seconds;
  private final List<Process> slots = new ArrayList<>();
  private final List<Integer> generations = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final AtomicLong kills = new AtomicLong();
  private Thread killer;
  private volatile boolean killing;

  /**
   * @param shared how many shared names (/s/0 ..) the instances compete for
   * @param seconds how long an instance runs at most, should {@link #stop} never come
   */
  ChaosClients(Path binary, Path socket, Path logs, int shared, int seconds) {
    this.binary = binary;
    this.socket = socket;
    this.logs = logs;
    this.shared = shared;
    this.seconds = seconds;
  }

  /** Builds the chaos client with gcc into {@code dir}; returns the executable. */
  static Path build(Path dir) throws IOException, InterruptedException {
    Capability.requireExecutable(GCC);
    Path csrc = Path.of(System.getProperty("pinbroker.csrc", "../libclient/c")).toAbsolutePath().normalize();
    Path src = Path.of(System.getProperty("pinbroker.testsrc", "src/test"), "c", "chaos.c").toAbsolutePath();
    Path out = dir.resolve("chaos");
    Proc.Result r =
        Proc.run(
            List.of(GCC, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-I", csrc.toString(),
                "-o", out.toString(), src.toString(), csrc.resolve("pinbroker.c").toString()),
            Map.of(),
            dir);
    if (r.exit() != 0 || !Files.isExecutable(out)) {
      throw new IOException("building the chaos client failed: " + r);
    }
    return out;
  }

  /** Starts {@code count} instances, slots 0 .. count-1. */
  synchronized void start(int count) throws IOException {
    for (int slot = 0; slot < count; slot++) {
      generations.add(0);
      slots.add(launch(slot));
    }
  }

  private Process launch(int slot) throws IOException {
    String id = slot + "." + generations.get(slot);
    return new ProcessBuilder(
            binary.toString(), socket.toString(), id, logs.resolve(id + ".log").toString(),
            Integer.toString(shared), Integer.toString(seconds))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(logs.resolve(id + ".err").toFile())
        .start();
  }

  /**
   * From now on, every 0 to 2 × {@code meanMillis} ms, SIGKILLs a random instance and starts a
   * replacement.
   */
  void killAtRandom(long meanMillis, long seed) {
    killing = true;
    Random random = new Random(seed);
    killer =
        Thread.ofPlatform()
            .name("chaos-killer")
            .daemon()
            .start(
                () -> {
                  try {
                    while (killing) {
                      Thread.sleep(random.nextLong(2 * meanMillis + 1));
                      if (killing) {
                        killOne(random.nextInt(slots.size()));
                      }
                    }
                  } catch (InterruptedException | IOException e) {
                    synchronized (this) {
                      failures.add("killer: " + e);
                    }
                  }
                });
  }

  private synchronized void killOne(int slot) throws IOException, InterruptedException {
    Process p = slots.get(slot);
    if (!p.isAlive()) {
      noteExit(slot, p);
    } else {
      p.destroyForcibly(); // SIGKILL, wherever it is
      p.waitFor();
      kills.incrementAndGet();
    }
    generations.set(slot, generations.get(slot) + 1);
    slots.set(slot, launch(slot));
  }

  private void noteExit(int slot, Process p) throws IOException {
    String id = slot + "." + generations.get(slot);
    String err = Files.readString(logs.resolve(id + ".err"));
    failures.add("instance " + id + " exited with " + p.exitValue() + " on its own: " + err.strip());
  }

  /** SIGKILLs so far. */
  long kills() {
    return kills.get();
  }

  /** The exit status of a process that SIGTERM ended before it had a handler for it. */
  private static final int SIGTERM_DEATH = 128 + 15;

  /** Ends the killing, then each instance with SIGTERM (it finishes what it does and exits). */
  void stop() throws InterruptedException, IOException {
    stopKilling();
    synchronized (this) {
      List<Integer> signalled = new ArrayList<>();
      for (int slot = 0; slot < slots.size(); slot++) {
        Process p = slots.get(slot);
        if (p.isAlive()) {
          p.destroy();
          signalled.add(slot);
        } else if (p.exitValue() != 0) {
          noteExit(slot, p);
        }
      }
      for (int slot : signalled) {
        Process p = slots.get(slot);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor();
          failures.add("instance in slot " + slot + " ignored SIGTERM for 30 s");
        } else if (p.exitValue() == SIGTERM_DEATH) {
          kills.incrementAndGet(); // signalled before it could install its handler: like a kill
        } else if (p.exitValue() != 0) {
          noteExit(slot, p);
        }
      }
    }
  }

  private void stopKilling() throws InterruptedException {
    killing = false;
    if (killer != null) {
      killer.join();
      killer = null;
    }
  }

  /** Instances that ended with an error on their own, or the killer's own failure. */
  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    killing = false;
    boolean interrupted = false;
    if (killer != null) {
      killer.interrupt();
      try {
        killer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    synchronized (this) {
      for (Process p : slots) {
        p.destroyForcibly();
      }
      for (Process p : slots) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
