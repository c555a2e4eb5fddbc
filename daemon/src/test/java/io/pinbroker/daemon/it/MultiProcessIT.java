package io.pinbroker.daemon.it;

import io.pinbroker.daemon.Capability;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.FdCount;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.NodeInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pinbrokerd and its clients as separate processes: forked JVMs, other uids, SIGKILL. */
class MultiProcessIT {
  private static final Pattern IDENTITY = Pattern.compile("dev:ino:\\s+(\\d+:\\d+)");
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

  static String identity(Proc.Result get) {
    Matcher m = IDENTITY.matcher(get.out());
    assertTrue(m.find(), get::toString);
    return m.group(1);
  }

  @Test
  void theLauncherExecsJavaSoThePidIsTheBrokers() throws IOException {
    Path exe = Files.readSymbolicLink(Path.of("/proc/" + broker.pid() + "/exe"));
    assertTrue(exe.toString().endsWith("/bin/java"), exe.toString());
    assertTrue(Files.readString(broker.log).contains("listening on " + broker.socket));
  }

  @Test
  void forkedProcessesShareOneObject() throws Exception {
    ok(broker.cli("mkdir", "-p", "/shared"));
    ok(broker.cli("pin", "--memfd", "4K", "--mode", "0644", "/shared/obj"));
    ok(broker.cli("exec", "--fd", "s=/shared/obj", "--", "sh", "-c", "printf from-writer >&3"));
    String first = identity(ok(broker.cli("get", "/shared/obj")));
    String second = identity(ok(broker.cli("get", "--ro", "/shared/obj")));
    assertEquals(first, second, "two processes see the same dev:ino");
    Proc.Result read =
        ok(broker.cli("exec", "--ro", "--fd", "s=/shared/obj", "--", "sh", "-c", "head -c 11 <&3"));
    assertEquals("from-writer", read.out());
    Proc.Result env =
        ok(
            broker.cli(
                "exec", "--fd", "a=/shared/obj", "--fd", "b=/shared/obj", "--",
                "sh", "-c", "echo $LISTEN_FDS $LISTEN_FDNAMES $([ \"$LISTEN_PID\" = $$ ] && echo same-pid)"));
    assertEquals("2 a:b same-pid\n", env.out());
    assertEquals("/shared\n└── obj  [fd/memfd]\n", ok(broker.cli("tree", "/shared")).out());
    Proc.Result taken = broker.cli("pin", "--memfd", "1K", "/shared/obj");
    assertEquals(1, taken.exit(), taken::toString);
    assertEquals("pinbroker: /shared/obj: File exists\n", taken.err());
  }

  @Test
  void unixPermissionsHoldForOtherUsers() throws Exception {
    Capability.requireRoot("run clients as other uids with setpriv");
    Capability.requireExecutable("/usr/bin/setpriv");
    List<String> nobody = List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
    List<String> member = List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--groups", "1234");
    ok(broker.cli("mkdir", "-m", "0755", "/net"));
    ok(broker.cli("pin", "--memfd", "4K", "--mode", "0640", "--group", "1234", "/net/stats"));
    ok(broker.cli("exec", "--fd", "s=/net/stats", "--", "sh", "-c", "printf hello >&3"));

    Proc.Result denied = broker.as(nobody, "exec", "--ro", "--fd", "s=/net/stats", "--", "cat");
    assertEquals(1, denied.exit(), denied::toString);
    assertEquals("pinbroker: /net/stats: Permission denied (mode denies read)\n", denied.err());

    Proc.Result reader =
        broker.as(
            member, "exec", "--ro", "--fd", "s=/net/stats", "--",
            "sh", "-c", "head -c 5 <&3; if printf x >&3 2>/dev/null; then echo ' wrote'; else echo ' write-refused'; fi");
    assertEquals("hello write-refused\n", reader.out(), reader::toString);

    Proc.Result noWrite = broker.as(member, "get", "/net/stats");
    assertEquals("pinbroker: /net/stats: Permission denied (mode denies read and write)\n", noWrite.err());
    Proc.Result noCreate = broker.as(member, "pin", "--memfd", "1K", "/net/mine");
    assertEquals(1, noCreate.exit(), noCreate::toString);
    assertTrue(noCreate.err().contains("Permission denied"), noCreate::toString);
    Proc.Result sticky = broker.as(nobody, "rmdir", "/net");
    assertEquals("pinbroker: /net: Operation not permitted (sticky directory: only the owner of the entry or directory may remove it)\n", sticky.err());
    Proc.Result chmod = broker.as(nobody, "chmod", "0666", "/net/stats");
    assertTrue(chmod.err().contains("Operation not permitted"), chmod::toString);
    Proc.Result chown = broker.as(nobody, "chown", "65534", "/net/stats");
    assertTrue(chown.err().contains("only root may change the owner"), chown::toString);

    // an unprivileged user shapes a tree of its own under the sticky root
    ok(broker.as(nobody, "mkdir", "-m", "0700", "/nobody"));
    ok(broker.as(nobody, "pin", "--memfd", "1K", "/nobody/x"));
    NodeInfo mine;
    try (PinbrokerClient c = broker.client()) {
      mine = c.stat("/nobody/x");
    }
    assertEquals(65534, mine.uid());
    assertEquals(65534, mine.gid());
    List<String> stranger = List.of("setpriv", "--reuid", "4242", "--regid", "4242", "--clear-groups");
    Proc.Result foreign = broker.as(stranger, "ls", "/nobody");
    assertTrue(foreign.err().contains("Permission denied"), foreign::toString);
    // without search permission nothing about a name leaks, not even its type
    ok(broker.cli("mkdir", "-m", "0700", "/secret"));
    ok(broker.cli("mkdir", "/secret/d"));
    ok(broker.cli("pin", "--memfd", "1K", "/secret/e"));
    for (String[] probe :
        List.of(
            new String[] {"get", "/secret/d"},
            new String[] {"ls", "/secret/e"},
            new String[] {"rm", "/secret/d"},
            new String[] {"get", "/secret/missing"})) {
      Proc.Result r = broker.as(stranger, probe);
      assertTrue(r.err().contains("Permission denied"), r::toString);
    }
    Proc.Result badGroup = broker.as(nobody, "pin", "--memfd", "1K", "--group", "1234", "/nobody/y");
    assertTrue(badGroup.err().contains("not a member of group 1234"), badGroup::toString);
  }

  @Test
  void sigkilledClientsLeaveNoFdsBehind() throws Exception {
    ok(broker.cli("mkdir", "-p", "/hold"));
    ok(broker.cli("pin", "--memfd", "1K", "/hold/x"));
    long pid = broker.pid();
    int baseline = FdCount.steady(pid);
    Random random = new Random(42);
    for (int round = 0; round < 3; round++) {
      List<Process> victims = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Process h =
            new ProcessBuilder(broker.java(Hammer.class.getName(), broker.socket.toString(), "/hammer-" + round + "-" + i))
                .redirectErrorStream(true)
                .start();
        awaitReady(h);
        victims.add(h);
      }
      for (int i = 0; i < 2; i++) {
        victims.add(
            new ProcessBuilder(
                    broker.home.resolve("dist/bin/pinbroker").toString(),
                    "--socket", broker.socket.toString(),
                    "exec", "--fd", "s=/hold/x", "--", "sleep", "30")
                .start());
      }
      Thread.sleep(300 + random.nextInt(700));
      for (Process p : victims) {
        Thread.sleep(random.nextInt(50));
        p.destroyForcibly(); // SIGKILL, wherever it is in its request loop
      }
      for (Process p : victims) {
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      }
    }
    int held = removeHammerTrees();
    assertTrue(held > 0, "the hammers pinned something before they died");
    assertEquals(
        baseline,
        FdCount.settle(pid, baseline, Duration.ofSeconds(10)),
        "broker fds back to the baseline");
  }

  private static void awaitReady(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    assertEquals("ready", line, "hammer did not start");
  }

  /** Unlinks every hammer entry and directory; returns how many entries were held. */
  private static int removeHammerTrees() throws IOException {
    int entries = 0;
    try (PinbrokerClient c = broker.client()) {
      for (DirEntry top : c.list("/")) {
        if (!top.name().startsWith("hammer-")) {
          continue;
        }
        for (DirEntry e : c.list("/" + top.name())) {
          c.unlink("/" + top.name() + "/" + e.name());
          entries++;
        }
        c.rmdir("/" + top.name());
      }
    }
    return entries;
  }


  @Test
  void refusedCliCallsExitOneAndUsageErrorsTwo() throws Exception {
    Proc.Result missing = broker.cli("get", "/no/such");
    assertEquals(1, missing.exit());
    assertEquals("pinbroker: /no/such: No such file or directory\n", missing.err());
    Proc.Result usage = broker.cli("pin", "/x");
    assertEquals(2, usage.exit(), usage::toString);
    Proc.Result unreachable = Proc.run(
        List.of(broker.home.resolve("dist/bin/pinbroker").toString(), "--socket", broker.home.resolve("none.sock").toString(), "ls"),
        java.util.Map.of(), broker.home);
    assertEquals(3, unreachable.exit(), unreachable::toString);
    assertNotEquals("", unreachable.err());
  }
}
