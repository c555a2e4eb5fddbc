package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.Capability;
import io.pinbroker.daemon.FdCount;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `pinbroker watch` in a process of its own sees what a third process does to the tree. */
class WatchIT {
  private static final List<String> NOBODY =
      List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
  static ExternalBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = ExternalBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static Proc.Result ok(Proc.Result r) {
    assertEquals(0, r.exit(), r::toString);
    return r;
  }

  /** A running `pinbroker watch`, its output read line by line as it comes. */
  static final class Watcher implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    final BlockingQueue<String> err = new LinkedBlockingQueue<>();

    Watcher(ExternalBroker on, List<String> prefix, String... args) throws Exception {
      List<String> cmd = new ArrayList<>(prefix);
      cmd.add(on.home.resolve("dist/bin/pinbroker").toString());
      cmd.add("watch");
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(on.home.toFile());
      pb.environment().put("PINBROKER_SOCKET", on.socket.toString());
      process = pb.start();
      process.getOutputStream().close();
      pump(process.getInputStream(), out);
      pump(process.getErrorStream(), err);
      String ready = err.poll(60, TimeUnit.SECONDS);
      assertNotNull(ready, "the watcher did not start");
      assertTrue(ready.startsWith("pinbroker: watching "), ready);
    }

    private static void pump(InputStream in, BlockingQueue<String> lines) {
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                  }
                } catch (IOException ended) {
                  // the process is gone
                }
              });
    }

    /** The next {@code n} lines of output, each within 30 s. */
    List<String> lines(int n) throws InterruptedException {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String l = out.poll(30, TimeUnit.SECONDS);
        assertNotNull(l, "line " + (i + 1) + " of " + n + " after " + got + "; stderr " + err);
        got.add(l);
      }
      return got;
    }

    /** Sends SIGTERM and returns the exit status. */
    int terminate() throws InterruptedException {
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the watcher did not exit");
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private static void assertLines(List<String> patterns, List<String> lines) {
    assertEquals(patterns.size(), lines.size(), lines::toString);
    for (int i = 0; i < lines.size(); i++) {
      assertTrue(lines.get(i).matches(patterns.get(i)), "line " + i + ": " + lines.get(i));
    }
  }

  @Test
  void aWatcherInAnotherProcessSeesTheEventsOfAThird() throws Exception {
    ok(broker.cli("mkdir", "-m", "0755", "/w"));
    long pid = broker.pid();
    int baseline = FdCount.steady(pid);
    try (Watcher text = new Watcher(broker, List.of(), "-r", "/w");
        Watcher json = new Watcher(broker, List.of(), "--json", "--recursive", "/w")) {
      ok(broker.cli("pin", "--memfd", "4K", "--mode", "0640", "/w/stats"));
      ok(broker.cli("pin", "--replace", "--memfd", "1K", "/w/stats"));
      ok(broker.cli("chmod", "0600", "/w/stats"));
      ok(broker.cli("mkdir", "/w/sub"));
      ok(broker.cli("mv", "/w/stats", "/w/sub/stats"));
      ok(broker.cli("pin", "--memfd", "1K", "/outside"));
      ok(broker.cli("rm", "/w/sub/stats"));
      ok(broker.cli("rmdir", "/w/sub"));
      assertLines(
          List.of(
              "created /w/stats fd/memfd gen \\d+",
              "replaced /w/stats gen \\d+",
              "attrs /w/stats mode 0600 owner 0:0",
              "created /w/sub dir gen \\d+",
              "moved /w/stats -> /w/sub/stats",
              "removed /w/sub/stats",
              "removed /w/sub"),
          text.lines(7));
      assertLines(
          List.of(
              "\\{\"event\":\"created\",\"path\":\"/w/stats\",\"node\":\\{\"path\":\"/w/stats\",.*\"mode\":\"0640\".*}}",
              "\\{\"event\":\"replaced\",\"path\":\"/w/stats\",\"node\":\\{.*\"size\":1024.*}}",
              "\\{\"event\":\"attrs\",.*\"mode\":\"0600\".*}}",
              "\\{\"event\":\"created\",\"path\":\"/w/sub\",\"node\":\\{.*\"type\":\"directory\".*}}",
              "\\{\"event\":\"moved\",\"path\":\"/w/stats\",\"to\":\"/w/sub/stats\",\"node\":\\{\"path\":\"/w/sub/stats\",.*}}",
              "\\{\"event\":\"removed\",\"path\":\"/w/sub/stats\",.*}}",
              "\\{\"event\":\"removed\",\"path\":\"/w/sub\",.*}}"),
          json.lines(7));
      assertEquals(0, text.terminate(), "SIGTERM ends a watch with status 0");
      json.process.destroyForcibly(); // SIGKILL: the broker must notice all the same
      assertTrue(json.process.waitFor(30, TimeUnit.SECONDS));
    }
    ok(broker.cli("rm", "/outside"));
    assertEquals(
        baseline,
        FdCount.settle(pid, baseline, Duration.ofSeconds(10)),
        "broker fds back to the baseline");
  }

  @Test
  void aWatcherOfAnotherUidSeesNothingBelowADirectoryItMayNotSearch() throws Exception {
    Capability.requireRoot("run a watcher as another uid with setpriv");
    Capability.requireExecutable("/usr/bin/setpriv");
    ok(broker.cli("mkdir", "-m", "0755", "/v"));
    ok(broker.cli("mkdir", "-m", "0755", "/v/pub"));
    ok(broker.cli("mkdir", "-m", "0700", "/v/priv"));
    Proc.Result refused = broker.as(NOBODY, "watch", "/v/priv");
    assertEquals(1, refused.exit(), refused::toString);
    assertEquals("pinbroker: /v/priv: Permission denied (mode denies read and search)\n", refused.err());
    try (Watcher nobody = new Watcher(broker, NOBODY, "-r", "/v")) {
      ok(broker.cli("pin", "--memfd", "1K", "/v/priv/secret"));
      ok(broker.cli("pin", "--memfd", "1K", "/v/pub/open"));
      ok(broker.cli("mv", "/v/priv/secret", "/v/pub/moved")); // from hidden: an arrival
      ok(broker.cli("mv", "/v/pub/open", "/v/priv/gone")); // to hidden: a removal
      ok(broker.cli("chmod", "0600", "/v/priv/gone"));
      ok(broker.cli("pin", "--memfd", "1K", "/v/pub/end"));
      List<String> lines = nobody.lines(4);
      assertLines(
          List.of(
              "created /v/pub/open fd/memfd gen \\d+",
              "created /v/pub/moved fd/memfd gen \\d+",
              "removed /v/pub/open",
              "created /v/pub/end fd/memfd gen \\d+"),
          lines);
      assertEquals(0, nobody.terminate());
      assertTrue(nobody.out.isEmpty(), "nothing about /v/priv: " + nobody.out);
    }
  }

  @Test
  void aWatcherWhoseBrokerStopsSaysSoAndExitsOne() throws Exception {
    ExternalBroker own = ExternalBroker.start();
    try (Watcher w = new Watcher(own, List.of(), "/")) {
      own.process.destroy(); // SIGTERM: a lame-duck stop ends every watch
      assertTrue(w.process.waitFor(30, TimeUnit.SECONDS), "the watcher exits");
      assertEquals(1, w.process.exitValue());
      assertEquals("pinbroker: the broker ended the watch on /", w.err.poll(5, TimeUnit.SECONDS));
    } finally {
      own.close();
    }
  }
}
