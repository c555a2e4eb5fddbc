package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.client.TooManyOpenFilesException;
import io.pinbroker.daemon.Capability;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The broker's fd limit and fd hygiene as its own process: the soft RLIMIT_NOFILE raised at start,
 * pins refused with EMFILE at the limit while GETs and new connections go on, recovery when fds
 * are freed, and every fd it receives close-on-exec.
 */
class BoundsIT {
  private static final long O_CLOEXEC = 02000000;
  /** What STATUS= says while pins of fds are refused at the fd bound. */
  private static final String FULL = "fd limit reached, pins of fds get EMFILE";
  /** The broker sends STATUS= every 2 s when it changed. */
  private static final Duration STATUS_WITHIN = Duration.ofSeconds(10);

  @Test
  void theSoftFdLimitIsRaisedToTheHardOneAtStart() throws Exception {
    Capability.requireExecutable("/usr/bin/prlimit");
    try (ExternalBroker b =
        ExternalBroker.start(List.of("prlimit", "--nofile=256:4096", "--"), List.of(), Map.of())) {
      assertEquals(List.of(4096L, 4096L), openFilesLimits(b.pid()));
      assertTrue(Files.readString(b.log).contains("(fd limit 4096)"), Files.readString(b.log));
    }
  }

  /**
   * With 1024 fds and 16 connections the broker keeps 2 * 16 + 317 = 349 fds free: pins stop with
   * EMFILE below that, while every GET (each makes an fd) and every new connection still works.
   * Freed names make room again.
   */
  @Test
  void atItsFdLimitTheBrokerRefusesPinsKeepsServingGetsAndRecovers() throws Exception {
    Capability.requireExecutable("/usr/bin/prlimit");
    Path notify = Files.createTempDirectory("pinbroker-bounds").resolve("notify");
    try (NotifyReceiver systemd = new NotifyReceiver(notify);
        ExternalBroker b =
            ExternalBroker.start(
                List.of("prlimit", "--nofile=1024:1024", "--"),
                List.of("--max-connections", "16"),
                Map.of("NOTIFY_SOCKET", notify.toString(), "FDSTORE", "0"));
        PinbrokerClient c = b.client();
        Fd memfd = FileOps.memfd("limit", 64, 0)) {
      c.mkdir("/full", 0755);
      int pinned = 0;
      TooManyOpenFilesException refused = null;
      while (refused == null && pinned < 1024) {
        try {
          c.pin("/full/" + pinned, memfd.value(), PinOptions.DEFAULT);
          pinned++;
        } catch (TooManyOpenFilesException e) {
          refused = e;
        }
      }
      assertTrue(refused != null && pinned > 500, "pinned " + pinned + " before EMFILE");
      assertTrue(refused.getMessage().contains("kept for connections and GETs"), refused.getMessage());
      assertTrue(fds(b.pid()).size() < 1024 - 300, "the reserve is free: " + fds(b.pid()).size());
      String status = systemd.await("STATUS= at the limit", m -> m.contains(FULL), STATUS_WITHIN);
      assertTrue(status.contains("(fd limit 1024, less 349 kept for connections and GETs)"), status);

      List<PinbrokerClient> more = new ArrayList<>();
      List<ReceivedFd> got = new ArrayList<>();
      try {
        for (int i = 0; i < 15; i++) {
          PinbrokerClient client = b.client(); // accepted: connections have their fds
          more.add(client);
          for (int k = 0; k < 4; k++) {
            got.add(client.get("/full/" + (i * 4 + k), Access.READ_ONLY)); // each a new fd
          }
        }
        assertTrue(pinsUntilRefused(c, memfd, "/full/x") <= 2, "still refused, but for a gap or two");
      } finally {
        got.forEach(ReceivedFd::close);
        more.forEach(PinbrokerClient::close);
      }

      for (int i = 0; i < 5; i++) {
        c.unlink("/full/" + i);
      }
      for (int i = 0; i < 5; i++) {
        c.pin("/full/again" + i, memfd.value(), PinOptions.DEFAULT); // room again
      }
      systemd.await("STATUS= no longer at the limit",
          m -> m.startsWith("STATUS=") && !m.contains(FULL), STATUS_WITHIN);
      assertTrue(pinsUntilRefused(c, memfd, "/full/y") <= 2, "and full again");
      assertFalse(Files.readString(b.log).contains("cannot accept"), "never out of fds to accept");
    }
  }

  /**
   * Every fd the broker receives (PIN of a memfd, a file, both ends of a pipe, a socket) is
   * close-on-exec, and so is every other fd of its own beyond 0, 1 and 2. The JVM's class path (its
   * jars and lib/modules) is not: the JDK opens those without O_CLOEXEC, which matters only if the
   * broker ever execs, and it never does.
   */
  @Test
  void everyFdInTheBrokerIsCloseOnExec() throws Exception {
    try (ExternalBroker b = ExternalBroker.start();
        PinbrokerClient c = b.client()) {
      Set<Integer> before = fds(b.pid());
      Path file = Files.writeString(b.home.resolve("plain"), "x");
      Fd[] pipe = FileOps.pipe();
      try (Fd memfd = FileOps.memfd("m", 8, 0);
          Fd regular = FileOps.open(file.toString(), FileOps.O_RDWR | FileOps.O_APPEND);
          Fd pipeRead = pipe[0];
          Fd pipeWrite = pipe[1];
          UnixSocket socket = UnixSocket.connect(b.socket)) {
        int[] pinned = {memfd.value(), regular.value(), pipeRead.value(), pipeWrite.value(), socket.fd()};
        for (int i = 0; i < pinned.length; i++) {
          c.pin("/h" + i, pinned[i], PinOptions.DEFAULT);
        }
        Set<Integer> held = fds(b.pid());
        held.removeAll(before);
        assertTrue(held.size() >= pinned.length, "the broker holds them: " + held);
        for (int fd : held) {
          long flags = flags(b.pid(), fd);
          assertTrue(flags == -1 || (flags & O_CLOEXEC) != 0, "held fd " + fd + " is CLOEXEC");
        }
        List<String> inherited = new ArrayList<>();
        for (int fd : fds(b.pid())) {
          long flags = flags(b.pid(), fd);
          if (fd > 2 && flags != -1 && (flags & O_CLOEXEC) == 0) {
            String target = Files.readSymbolicLink(Path.of("/proc/" + b.pid() + "/fd/" + fd)).toString();
            if (!target.endsWith(".jar") && !target.endsWith("/lib/modules")) {
              inherited.add(fd + " " + target);
            }
          }
        }
        assertEquals(List.of(), inherited, "fds beyond the JVM's own class path that an exec would leak");
      }
    }
  }

  /**
   * Pins under {@code prefix} until refused with EMFILE; returns how many were accepted. A held fd
   * takes the lowest free number, so a gap a transient fd left below the reserve takes one more.
   */
  private static int pinsUntilRefused(PinbrokerClient c, Fd memfd, String prefix) throws IOException {
    for (int n = 0; n < 10; n++) {
      try {
        c.pin(prefix + n, memfd.value(), PinOptions.DEFAULT);
      } catch (TooManyOpenFilesException e) {
        return n;
      }
    }
    return 10;
  }

  static List<Long> openFilesLimits(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
      if (line.startsWith("Max open files")) {
        String[] f = line.substring("Max open files".length()).trim().split("\\s+");
        return List.of(Long.parseLong(f[0]), Long.parseLong(f[1]));
      }
    }
    throw new IOException("no Max open files in /proc/" + pid + "/limits");
  }

  static Set<Integer> fds(long pid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return s.map(p -> Integer.parseInt(p.getFileName().toString()))
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  /** The flags line of /proc/PID/fdinfo/FD, octal; -1 if the fd is gone. */
  static long flags(long pid, int fd) throws IOException {
    Matcher m;
    try {
      m = Pattern.compile("(?m)^flags:\\s+([0-7]+)$")
          .matcher(Files.readString(Path.of("/proc/" + pid + "/fdinfo/" + fd)));
    } catch (java.nio.file.NoSuchFileException gone) {
      return -1;
    }
    assertTrue(m.find());
    return Long.parseLong(m.group(1), 8);
  }
}
