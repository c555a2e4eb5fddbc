package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.daemon.Capability;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The C client library (libclient/c), built with gcc into a temporary directory, against
 * pinbrokerd in its own process: objects pinned from C are got in Java and the other way round.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CClientIT {
  private static final String GCC = "/usr/bin/gcc";
  private static final String MAKE = "/usr/bin/make";
  private static final Pattern IDENTITY = Pattern.compile("dev:ino (\\d+:\\d+)");
  static Path csrc;
  static Path build;
  static ExternalBroker broker;

  @BeforeAll
  static void buildAndStart() throws Exception {
    Capability.requireExecutable(GCC);
    Capability.requireExecutable(MAKE);
    csrc = Path.of(System.getProperty("pinbroker.csrc", "../libclient/c")).toAbsolutePath().normalize();
    build = Files.createTempDirectory("pinbroker-c-build");
    List<String> before = listing(csrc);
    MultiProcessIT.ok(make());
    assertEquals(before, listing(csrc), "the build writes only into BUILD");
    assertTrue(Files.isExecutable(build.resolve("pinbroker-c")));
    assertTrue(Files.isRegularFile(build.resolve("libpinbroker.a")));
    broker = ExternalBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (broker != null) {
        broker.close();
      }
    } finally {
      if (build != null) {
        TempTree.delete(build);
      }
    }
  }

  private static Proc.Result make(String... targets) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(MAKE, "-C", csrc.toString(), "BUILD=" + build));
    cmd.addAll(Arrays.asList(targets));
    return Proc.run(cmd, Map.of(), build);
  }

  /** Runs pinbroker-c against the test broker. */
  private static Proc.Result c(String... args) throws IOException, InterruptedException {
    return cAt(broker.socket, args);
  }

  private static Proc.Result cAt(Path socket, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(build.resolve("pinbroker-c").toString());
    cmd.addAll(Arrays.asList(args));
    return Proc.run(cmd, Map.of("PINBROKER_SOCKET", socket.toString()), broker.home);
  }

  private static String identity(Proc.Result r) {
    Matcher m = IDENTITY.matcher(r.out());
    assertTrue(m.find(), r::toString);
    return m.group(1);
  }

  /** The text at the start of an fd's object, up to the first NUL. */
  private static String text(int fd) throws IOException {
    byte[] data = Files.readAllBytes(Path.of("/proc/self/fd/" + fd));
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void theCodecTestsPass() throws Exception {
    List<String> before = listing(csrc);
    Proc.Result r = make("test");
    assertEquals(0, r.exit(), r::toString);
    assertEquals(before, listing(csrc), "the tests write only into BUILD");
    Matcher m = Pattern.compile("(?m)^c codec: (\\d+) passed, 0 failed$").matcher(r.out());
    assertTrue(m.find(), r::toString);
    assertTrue(Integer.parseInt(m.group(1)) >= 40, r::toString);
  }

  @Test
  @Order(2)
  void pinnedFromCGotInJava() throws Exception {
    Proc.Result pinned = MultiProcessIT.ok(c("pin-memfd", "/from-c", "4096", "hello-from-c"));
    String cIdentity = identity(MultiProcessIT.ok(c("get", "/from-c")));
    assertTrue(pinned.out().contains("dev:ino " + cIdentity), pinned::toString);

    try (PinbrokerClient client = broker.client();
        ReceivedFd got = client.get("/from-c", Access.READ_ONLY)) {
      assertEquals(cIdentity, FileOps.stat(got.fd().value()).identity());
      assertEquals("hello-from-c", text(got.fd().value()));
      assertEquals(4096, got.info().size());
      assertEquals(0644, got.info().mode());
    }
  }

  @Test
  @Order(3)
  void pinnedInJavaGotFromC() throws Exception {
    String javaIdentity;
    try (PinbrokerClient client = broker.client(); Fd memfd = FileOps.memfd("java", 4096, 0)) {
      try (FileChannel ch =
          FileChannel.open(Path.of("/proc/self/fd/" + memfd.value()), StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap("hello-from-java".getBytes(StandardCharsets.UTF_8)));
      }
      client.pin("/from-java", memfd.value(), PinOptions.DEFAULT.mode(0644));
      javaIdentity = FileOps.stat(memfd.value()).identity();
    }
    Proc.Result got = MultiProcessIT.ok(c("get", "/from-java"));
    assertEquals(javaIdentity, identity(got));
    assertTrue(got.out().contains("\ncontent hello-from-java\n"), got::toString);
    assertTrue(got.out().contains("handout reopened"), got::toString);
  }

  @Test
  @Order(4)
  void lsListsBoth() throws Exception {
    Proc.Result ls = MultiProcessIT.ok(c("ls", "/"));
    List<String> names = Stream.of(ls.out().split("\n")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    assertTrue(names.contains("from-c"), ls::toString);
    assertTrue(names.contains("from-java"), ls::toString);
    try (PinbrokerClient client = broker.client()) {
      assertEquals(client.list("/").stream().map(DirEntry::name).toList(), names);
    }
    assertTrue(ls.out().contains("fd       0644 "), ls::toString);
  }

  @Test
  @Order(5)
  void lsFollowsPages() throws Exception {
    int count = 1500; // a page holds at most 897 names, far fewer with names this long
    List<String> expected = new ArrayList<>();
    try (PinbrokerClient client = broker.client(); Fd memfd = FileOps.memfd("many", 1, 0)) {
      client.mkdir("/many", 0755);
      for (int i = 0; i < count; i++) {
        String name = String.format("a-rather-long-name-to-fill-pages-sooner-%05d", i);
        client.pin("/many/" + name, memfd.value(), PinOptions.DEFAULT);
        expected.add(name);
      }
    }
    Proc.Result ls = MultiProcessIT.ok(c("ls", "/many"));
    List<String> names = Stream.of(ls.out().split("\n")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    assertEquals(expected, names);
  }

  @Test
  @Order(6)
  void refusalsExitWithOneAndSayWhy() throws Exception {
    Proc.Result taken = c("pin-memfd", "/from-c", "4096", "again");
    assertEquals(1, taken.exit(), taken::toString);
    assertTrue(taken.err().startsWith("pinbroker-c: /from-c: File exists"), taken::toString);

    Proc.Result missing = c("get", "/missing");
    assertEquals(1, missing.exit(), missing::toString);
    assertTrue(missing.err().startsWith("pinbroker-c: /missing: No such file or directory"), missing::toString);

    Proc.Result badPath = c("get", "relative");
    assertEquals(1, badPath.exit(), badPath::toString);
    assertTrue(badPath.err().contains("Invalid argument"), badPath::toString);

    Proc.Result usage = c("frobnicate");
    assertEquals(2, usage.exit(), usage::toString);
  }

  @Test
  @Order(7)
  void anUnreachableBrokerExitsWithThree() throws Exception {
    Proc.Result r = cAt(broker.home.resolve("no-such.sock"), "ls", "/");
    assertEquals(3, r.exit(), r::toString);
    assertTrue(r.err().contains("cannot reach the broker"), r::toString);
  }

  @Test
  @Order(8)
  void rmRemovesTheName() throws Exception {
    MultiProcessIT.ok(c("rm", "/from-c"));
    try (PinbrokerClient client = broker.client()) {
      assertThrows(NoSuchEntryException.class, () -> client.stat("/from-c"));
    }
    Proc.Result again = c("rm", "/from-c");
    assertEquals(1, again.exit(), again::toString);
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
