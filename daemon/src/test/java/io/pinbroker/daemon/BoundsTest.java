package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.BrokerUnreachableException;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.QuotaExceededException;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.client.SocketLocation;
import io.pinbroker.client.Watch;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's bounds in this JVM, each hit and then shown to harm no one else: connections and
 * names per uid, the idle timeout (and what it spares), the send timeout for a client that never
 * reads, and the real and sim map quotas, counted apart.
 */
class BoundsTest {
  private static final NamespaceConfig NS = new NamespaceConfig(01777, 022, true, 1000);
  private static final Duration NONE = Duration.ZERO;

  @TempDir Path dir;

  @BeforeEach
  void searchable() throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // for nobody
  }

  private TestBroker start(ServerConfig server) throws IOException {
    return TestBroker.start(dir, NS, server);
  }

  @Test
  void connectionsPerUidAreBoundedAndTheNextOneIsToldWhy() throws Exception {
    try (TestBroker b = start(new ServerConfig(8, 2, NONE, ServerConfig.DEFAULT_SEND_TIMEOUT));
        PinbrokerClient first = b.client()) {
      PinbrokerClient second = b.client();
      BrokerUnreachableException e = assertThrows(BrokerUnreachableException.class, b::client);
      QuotaExceededException why = assertInstanceOf(QuotaExceededException.class, e.getCause());
      String uid = Integer.toUnsignedString(SocketLocation.currentUid());
      assertTrue(why.getMessage().contains("uid " + uid + " already has 2 connections open"), why.getMessage());
      assertEquals(1, first.session().version(), "those admitted are served");
      assertEquals(0, second.list("/").size());
      if (Capability.isRoot()) {
        try (RawClient other = RawClient.greet(new RawClient(AsUser.connect(b.socket, AsUser.NOBODY, AsUser.NOBODY)))) {
          other.send(RawClient.frame(2, new Request.Stat("/"), 0));
          try (RawClient.Reply r = other.reply()) {
            assertEquals(Status.OK, r.status(), "another uid has a bound of its own");
          }
        }
      }
      second.close();
      awaitConnections(b, 1);
      try (PinbrokerClient again = b.client()) {
        assertEquals(0, again.list("/").size(), "a connection closed makes room");
      }
    }
  }

  @Test
  void anIdleConnectionIsClosedWithANoticeWhetherGreetedOrNot() throws Exception {
    try (TestBroker b = start(new ServerConfig(8, 8, Duration.ofMillis(300), ServerConfig.DEFAULT_SEND_TIMEOUT));
        RawClient silent = new RawClient(b.socket);
        RawClient greeted = RawClient.greeted(b.socket);
        PinbrokerClient busy = b.client()) {
      long start = System.nanoTime();
      while (System.nanoTime() - start < Duration.ofMillis(900).toNanos()) {
        assertEquals(0, busy.list("/").size(), "a client that keeps asking is never idle");
        Thread.sleep(100);
      }
      for (RawClient idle : new RawClient[] {silent, greeted}) {
        try (RawClient.Reply notice = idle.reply()) {
          assertEquals(0, notice.frame().requestId(), "a connection-level notice");
          assertEquals(Status.ETIMEDOUT, notice.status());
        }
        try (RawClient.Reply end = idle.reply()) {
          assertEquals(null, end.frame(), "then the connection ends");
        }
      }
      assertEquals(0, busy.list("/").size());
    }
  }

  @Test
  void ephemeralPinsAndWatchesAreNeverIdle() throws Exception {
    try (TestBroker b = start(new ServerConfig(8, 8, Duration.ofMillis(200), ServerConfig.DEFAULT_SEND_TIMEOUT));
        PinbrokerClient holder = b.client();
        PinbrokerClient watcher = b.client();
        Fd memfd = FileOps.memfd("e", 8, 0)) {
      holder.pin("/lease", memfd.value(), PinOptions.DEFAULT.whileConnected());
      try (Watch w = watcher.watch("/", false)) {
        Thread.sleep(700);
        try (PinbrokerClient other = b.client()) {
          other.mkdir("/d", 0755);
          other.stat("/lease"); // the ephemeral pin lives: its connection was not closed
        }
        assertNotNull(w.next(Duration.ofSeconds(5)), "the watch still streams");
        holder.unlink("/lease"); // no longer holds anything: idle from now on
        Thread.sleep(700);
        assertThrows(IOException.class, () -> holder.stat("/"), "then closed when idle");
      }
    }
  }

  @Test
  void aClientThatNeverReadsIsDroppedAndStallsNoOneElse() throws Exception {
    try (TestBroker b = start(new ServerConfig(8, 8, NONE, Duration.ofMillis(500)));
        PinbrokerClient other = b.client();
        Fd memfd = FileOps.memfd("r", 8, 0)) {
      other.pin("/m", memfd.value(), PinOptions.DEFAULT);
      awaitConnections(b, 1);
      long pid = ProcessHandle.current().pid();
      int baseline = FdCount.self();
      try (RawClient deaf = RawClient.greeted(b.socket)) {
        deaf.socket.setSendTimeout(Duration.ofMillis(200));
        byte[] get = RawClient.frame(9, new Request.Get("/m", true), 0);
        int sent = 0;
        try {
          while (sent < 100_000) {
            deaf.send(get); // each reply carries an fd the broker made; none is read
            sent++;
          }
        } catch (SocketTimeoutException full) {
          // both queues are full: the broker is blocked sending to us
        }
        assertTrue(sent > 10, "sent " + sent);
        long t = System.nanoTime();
        try (ReceivedFd got = other.get("/m", Access.READ_ONLY)) {
          assertEquals(FileOps.stat(memfd.value()).ino(), FileOps.stat(got.fd().value()).ino());
        }
        assertTrue(System.nanoTime() - t < Duration.ofMillis(400).toNanos(), "served at once");
        awaitConnections(b, 1);
      }
      assertEquals(1, b.broker.server().connectionCount(), "only the reader is left");
      assertEquals(baseline, FdCount.settle(pid, baseline, Duration.ofSeconds(5)), "fd count");
      assertEquals(1, other.list("/").size(), "the reader is still served");
    }
  }

  @Test
  void namesPerUidAreBoundedWithEdquotAndTheTotalWithEnospc() throws Exception {
    NamespaceConfig ns = new NamespaceConfig(01777, 022, true, 5, 3);
    try (TestBroker b = TestBroker.start(dir, ns, new ServerConfig(8));
        PinbrokerClient c = b.client();
        Fd memfd = FileOps.memfd("n", 8, 0)) {
      c.mkdir("/d", 01777);
      c.chmod("/d", 01777); // past the umask, for nobody
      c.pin("/d/a", memfd.value(), PinOptions.DEFAULT);
      c.pin("/d/b", memfd.value(), PinOptions.DEFAULT);
      QuotaExceededException e =
          assertThrows(QuotaExceededException.class, () -> c.pin("/d/c", memfd.value(), PinOptions.DEFAULT));
      assertTrue(e.getMessage().contains("owns its limit of 3 names"), e.getMessage());
      assertThrows(QuotaExceededException.class, () -> c.mkdir("/e", 0755));
      c.pin("/d/a", memfd.value(), PinOptions.DEFAULT.replacing()); // a replacement adds no name
      if (Capability.isRoot()) {
        try (RawClient nobody = RawClient.greet(new RawClient(AsUser.connect(b.socket, AsUser.NOBODY, AsUser.NOBODY)))) {
          nobody.send(RawClient.frame(2, new Request.Mkdir("/d/n1", 0755), 0));
          nobody.send(RawClient.frame(3, new Request.Mkdir("/d/n2", 0755), 0));
          nobody.send(RawClient.frame(4, new Request.Mkdir("/d/n3", 0755), 0));
          try (RawClient.Reply r1 = nobody.reply(); RawClient.Reply r2 = nobody.reply(); RawClient.Reply r3 = nobody.reply()) {
            assertEquals(Status.OK, r1.status(), "another uid counts its own names");
            assertEquals(Status.OK, r2.status());
            assertEquals(Status.ENOSPC, r3.status(), "and the broker's total still holds");
          }
        }
      }
      c.unlink("/d/b");
      c.pin("/d/c", memfd.value(), PinOptions.DEFAULT); // back under the bound
    }
  }

  @Test
  void realAndSimMapMemoryHaveAQuotaEach() throws Exception {
    MapPolicy maps = new MapPolicy(Set.of(Bpf.HASH, Bpf.ARRAY), 1 << 20, 64 << 10, 2048);
    MapSpec oneKib = new MapSpec(true, Bpf.HASH, 4, 8, 64, 0, "s"); // 64 * (8 + 8) bytes
    try (TestBroker b = TestBroker.start(dir, NS, new ServerConfig(8), maps);
        PinbrokerClient c = b.client()) {
      c.createMap("/s1", oneKib, PinOptions.DEFAULT);
      c.createMap("/s2", oneKib, PinOptions.DEFAULT);
      QuotaExceededException e =
          assertThrows(QuotaExceededException.class, () -> c.createMap("/s3", oneKib, PinOptions.DEFAULT));
      assertTrue(e.getMessage().contains("sim map quota of 2048"), e.getMessage());
      if (Capability.optionalBpf("create a real map next to a full sim quota")) {
        c.createMap("/r1", new MapSpec(false, Bpf.ARRAY, 4, 8, 64, 0, "r"), PinOptions.DEFAULT);
        QuotaExceededException real =
            assertThrows(
                QuotaExceededException.class,
                () -> c.createMap("/r2", new MapSpec(false, Bpf.ARRAY, 4, 8, 8192, 0, "r"), PinOptions.DEFAULT));
        assertTrue(real.getMessage().contains("map quota of 65536"), real.getMessage());
      }
      c.unlink("/s1");
      c.createMap("/s3", oneKib, PinOptions.DEFAULT); // released with its name
    }
  }

  private static void awaitConnections(TestBroker b, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (b.broker.server().connectionCount() != n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, b.broker.server().connectionCount(), "connections");
  }
}
