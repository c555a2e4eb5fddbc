package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.BrokerUnreachableException;
import io.pinbroker.client.DirectoryNotEmptyException;
import io.pinbroker.client.EntryExistsException;
import io.pinbroker.client.IsADirectoryException;
import io.pinbroker.client.NoSpaceException;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.NotADirectoryException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.client.StaleGenerationException;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker in this JVM, driven through the Java client over its real socket. */
class BrokerTest {
  @TempDir Path dir;
  TestBroker broker;
  PinbrokerClient client;

  @BeforeEach
  void start() throws IOException {
    broker = TestBroker.start(dir);
    client = broker.client();
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    broker.close();
  }

  @Test
  void helloReportsTheCredentialsTheKernelGave() {
    Reply.HelloReply s = client.session();
    assertEquals(1, s.version());
    assertEquals(ProcessHandle.current().pid(), s.pid());
    assertEquals(253, s.maxFds());
  }

  @Test
  void socketFileHasTheConfiguredMode() throws IOException {
    assertEquals(0666, (Integer) Files.getAttribute(broker.socket, "unix:mode") & 07777);
  }

  @Test
  void pinThenGetHandsOutTheSameObject() throws IOException {
    try (Fd memfd = FileOps.memfd("t", 4096, 0)) {
      NodeInfo pinned = client.pin("/m", memfd.value(), PinOptions.DEFAULT.mode(0640));
      FileStat mine = FileOps.stat(memfd.value());
      assertEquals(FdType.MEMFD, pinned.fdType());
      assertEquals(mine.ino(), pinned.ino());
      try (ReceivedFd got = client.get("/m", Access.READ_WRITE)) {
        assertEquals(Handout.REOPENED, got.handout());
        assertEquals(mine.identity(), FileOps.stat(got.fd().value()).identity());
        Files.write(Path.of("/proc/self/fd/" + memfd.value()), "shared".getBytes(StandardCharsets.UTF_8));
        byte[] seen = Files.readAllBytes(Path.of("/proc/self/fd/" + got.fd().value()));
        assertEquals("shared", new String(seen, 0, 6, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void readOnlyGetGivesAReadOnlyDescription() throws IOException {
    try (Fd memfd = FileOps.memfd("t", 16, 0)) {
      client.pin("/m", memfd.value(), PinOptions.DEFAULT);
      try (ReceivedFd ro = client.get("/m", Access.READ_ONLY);
          ReceivedFd rw = client.get("/m", Access.READ_WRITE)) {
        assertEquals(FileOps.O_RDONLY, FileOps.statusFlags(ro.fd().value()) & FileOps.O_ACCMODE);
        assertEquals(FileOps.O_RDWR, FileOps.statusFlags(rw.fd().value()) & FileOps.O_ACCMODE);
        assertTrue(
            (FileOps.descriptorFlags(ro.fd().value()) & FileOps.FD_CLOEXEC) != 0,
            "received fds are close-on-exec");
      }
    }
  }

  @Test
  void aReadOnlyHeldDescriptionIsNeverHandedOutWritable() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "data");
    try (Fd ro = FileOps.open(file.toString(), FileOps.O_RDONLY)) {
      client.pin("/f", ro.value(), PinOptions.DEFAULT);
      var e = assertThrows(IOException.class, () -> client.get("/f", Access.READ_WRITE));
      assertTrue(e.getMessage().contains("Permission denied"), e.getMessage());
      try (ReceivedFd got = client.get("/f", Access.READ_ONLY)) {
        assertEquals(FdType.REGULAR, got.info().fdType());
      }
    }
  }

  @Test
  void getNeverChangesTheHeldDescription() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
    try (Fd memfd = FileOps.memfd("t", 64, 0);
        Fd pipe = FileOps.open(fifo.toString(), FileOps.O_RDWR | FileOps.O_NONBLOCK);
        UnixSocket sock = UnixSocket.connect(broker.socket)) {
      Files.write(Path.of("/proc/self/fd/" + memfd.value()), new byte[10]);
      List<Integer> fds = List.of(memfd.value(), pipe.value(), sock.fd());
      List<Map<String, String>> before = new ArrayList<>();
      for (int i = 0; i < fds.size(); i++) {
        client.pin("/o" + i, fds.get(i), PinOptions.DEFAULT);
        before.add(FdCount.info(fds.get(i)));
      }
      for (int i = 0; i < fds.size(); i++) {
        for (Access a : Access.values()) {
          try (ReceivedFd got = client.get("/o" + i, a)) {
            Handout expected = i == 2 ? Handout.SHARED : Handout.REOPENED;
            assertEquals(expected, got.handout(), "handout of /o" + i);
          }
        }
        assertEquals(before.get(i), FdCount.info(fds.get(i)), "pos and flags of /o" + i);
      }
    }
  }

  /**
   * O_APPEND, O_NONBLOCK and the offset of held descriptions, checked in /proc/self/fdinfo before
   * and after GETs: a regular file (reopened: the client gets an offset of its own), and a socket
   * and a directory (shared: the client gets the held description itself, flags and all).
   */
  @Test
  void getLeavesFlagsAndOffsetsOfHeldDescriptionsAlone() throws Exception {
    Path file = Files.writeString(dir.resolve("log"), "0123456789");
    int appendNonblock = FileOps.O_APPEND | FileOps.O_NONBLOCK;
    try (Fd log = FileOps.open(file.toString(), FileOps.O_RDWR | appendNonblock);
        UnixSocket sock = UnixSocket.connect(broker.socket);
        Fd directory = FileOps.open(dir.toString(), FileOps.O_RDONLY | 0200000)) {
      Syscalls.seek(log.value(), 4);
      FileOps.setStatusFlags(sock.fd(), FileOps.statusFlags(sock.fd()) | appendNonblock);
      Syscalls.seek(directory.value(), 2);
      int[] held = {log.value(), sock.fd(), directory.value()};
      Handout[] handout = {Handout.REOPENED, Handout.SHARED, Handout.SHARED};
      List<Map<String, String>> before = new ArrayList<>();
      for (int i = 0; i < held.length; i++) {
        client.pin("/d" + i, held[i], PinOptions.DEFAULT);
        before.add(FdCount.info(held[i]));
      }
      assertEquals(List.of("4", "2"), List.of(before.get(0).get("pos"), before.get(2).get("pos")));
      assertTrue((Integer.parseInt(before.get(1).get("flags"), 8) & appendNonblock) == appendNonblock);
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < held.length; i++) {
          for (Access a : i == 2 ? new Access[] {Access.READ_ONLY} : Access.values()) {
            try (ReceivedFd got = client.get("/d" + i, a)) {
              assertEquals(handout[i], got.handout(), "handout of /d" + i);
              Map<String, String> mine = FdCount.info(got.fd().value());
              if (handout[i] == Handout.REOPENED) {
                assertEquals("0", mine.get("pos"), "a reopened description has its own offset");
                Syscalls.seek(got.fd().value(), 7);
              } else {
                assertEquals(before.get(i).get("pos"), mine.get("pos"), "the same description");
                assertEquals(
                    Integer.parseInt(before.get(i).get("flags"), 8) & ~FileOps.O_CLOEXEC,
                    Integer.parseInt(mine.get("flags"), 8) & ~FileOps.O_CLOEXEC,
                    "the same description, flags and all");
              }
            }
          }
          assertEquals(before.get(i), FdCount.info(held[i]), "pos and flags of /d" + i);
        }
      }
    }
  }

  @Test
  void bindSemanticsAndReplace() throws IOException {
    try (Fd a = FileOps.memfd("a", 1, 0); Fd b = FileOps.memfd("b", 1, 0)) {
      NodeInfo first = client.pin("/x", a.value(), PinOptions.DEFAULT);
      assertThrows(EntryExistsException.class, () -> client.pin("/x", b.value(), PinOptions.DEFAULT));
      assertEquals(first.ino(), client.stat("/x").ino(), "a refused pin changes nothing");
      assertThrows(
          StaleGenerationException.class,
          () -> client.pin("/x", b.value(), PinOptions.DEFAULT.replacingGeneration(first.generation() + 99)));
      NodeInfo second =
          client.pin("/x", b.value(), PinOptions.DEFAULT.replacingGeneration(first.generation()));
      assertTrue(second.generation() > first.generation());
      assertEquals(FileOps.stat(b.value()).ino(), client.stat("/x").ino());
    }
  }

  @Test
  void connectSemantics() throws IOException {
    assertThrows(NoSuchEntryException.class, () -> client.get("/nope", Access.READ_ONLY));
    client.mkdir("/d", 0755);
    assertThrows(IsADirectoryException.class, () -> client.get("/d", Access.READ_ONLY));
    try (Fd a = FileOps.memfd("a", 1, 0)) {
      client.pin("/d/e", a.value(), PinOptions.DEFAULT);
      assertThrows(NotADirectoryException.class, () -> client.stat("/d/e/f"));
      assertThrows(DirectoryNotEmptyException.class, () -> client.rmdir("/d"));
      client.unlink("/d/e");
      client.rmdir("/d");
      assertThrows(NoSuchEntryException.class, () -> client.stat("/d"));
    }
  }

  @Test
  void renameModes() throws IOException {
    try (Fd a = FileOps.memfd("a", 1, 0); Fd b = FileOps.memfd("b", 1, 0)) {
      long ia = client.pin("/a", a.value(), PinOptions.DEFAULT).ino();
      long ib = client.pin("/b", b.value(), PinOptions.DEFAULT).ino();
      client.rename("/a", "/b", RenameMode.EXCHANGE);
      assertEquals(ib, client.stat("/a").ino());
      assertEquals(ia, client.stat("/b").ino());
      assertThrows(EntryExistsException.class, () -> client.rename("/a", "/b", RenameMode.NOREPLACE));
      client.rename("/a", "/b", RenameMode.REPLACE);
      assertEquals(ib, client.stat("/b").ino());
      assertThrows(NoSuchEntryException.class, () -> client.stat("/a"));
    }
  }

  @Test
  void listPagesThroughALargeDirectoryInOrder() throws IOException {
    client.mkdir("/big", 0755);
    List<String> names = new ArrayList<>();
    try (Fd a = FileOps.memfd("a", 1, 0)) {
      for (int i = 0; i < 600; i++) {
        String name = String.format("%03d-%s", i, "n".repeat(200));
        names.add(name);
        client.pin("/big/" + name, a.value(), PinOptions.DEFAULT);
      }
    }
    Reply.ListReply first = client.listPage("/big", "", 0);
    assertTrue(first.more(), "600 long names do not fit one 64 KiB frame");
    assertTrue(first.entries().size() < 600);
    List<String> listed = client.list("/big").stream().map(DirEntry::name).toList();
    assertEquals(names, listed);
    Reply.ListReply page = client.listPage("/big", names.get(9), 5);
    assertEquals(names.subList(10, 15), page.entries().stream().map(DirEntry::name).toList());
    for (String n : names) {
      client.unlink("/big/" + n);
    }
  }

  @Test
  void noFdLeaksAcrossManyClientsAndOperations() throws Exception {
    long pid = ProcessHandle.current().pid();
    client.mkdir("/leak", 0755);
    int baseline = FdCount.self();
    for (int round = 0; round < 50; round++) {
      String name = "/leak/" + round;
      try (PinbrokerClient c = broker.client(); Fd m = FileOps.memfd("m", 8, 0)) {
        c.pin(name, m.value(), PinOptions.DEFAULT);
        c.pin(name, m.value(), PinOptions.DEFAULT.replacing());
        try (ReceivedFd got = c.get(name, Access.READ_ONLY)) {
          assertNotEquals(m.value(), got.fd().value());
        }
        assertThrows(EntryExistsException.class, () -> c.pin(name, m.value(), PinOptions.DEFAULT));
        c.rename(name, "/leak/r" + round, RenameMode.REPLACE);
        c.unlink("/leak/r" + round);
      }
    }
    assertEquals(baseline, FdCount.settle(pid, baseline, Duration.ofSeconds(5)));
  }

  @Test
  void concurrentReadersNeverSeeAReplacedNameMissing() throws Exception {
    try (Fd a = FileOps.memfd("a", 1, 0)) {
      client.pin("/hot", a.value(), PinOptions.DEFAULT);
      Thread writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (PinbrokerClient w = broker.client()) {
                      for (int i = 0; i < 2000; i++) {
                        w.pin("/hot", a.value(), PinOptions.DEFAULT.replacing());
                      }
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  });
      try (PinbrokerClient r = broker.client()) {
        while (writer.isAlive()) {
          try (ReceivedFd got = r.get("/hot", Access.READ_ONLY)) {
            assertEquals(FileOps.stat(a.value()).ino(), FileOps.stat(got.fd().value()).ino());
          }
        }
      }
      writer.join();
    }
  }

  @Test
  void theConnectionLimitIsAnnouncedBeforeTheBrokerCloses() throws IOException {
    Path limited = Files.createDirectories(dir.resolve("limited"));
    try (TestBroker small =
            TestBroker.start(limited, new NamespaceConfig(01777, 022, true, 10), new ServerConfig(1));
        PinbrokerClient first = small.client()) {
      BrokerUnreachableException e = assertThrows(BrokerUnreachableException.class, small::client);
      NoSpaceException cause = assertInstanceOf(NoSpaceException.class, e.getCause());
      assertTrue(cause.getMessage().contains("1 connections already open"), cause.getMessage());
      assertEquals(0, first.list("/").size(), "the admitted client is still served");
    }
  }

  @Test
  void secondBrokerOnALiveSocketIsRefusedAndAStaleOneIsReplaced() throws IOException {
    IOException e = assertThrows(IOException.class, () -> TestBroker.start(dir));
    assertTrue(e.getMessage().contains("another broker"), e.getMessage());
    Path stale = dir.resolve("stale");
    Files.createDirectories(stale);
    try (TestBroker first = TestBroker.start(stale)) {
      first.broker.server().stop(java.time.Duration.ZERO); // leaves the socket file, like a crash
      try (TestBroker second = TestBroker.start(stale); PinbrokerClient c = second.client()) {
        assertEquals(0, c.list("/").size());
      }
    }
  }
}
