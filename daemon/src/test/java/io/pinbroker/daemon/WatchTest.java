package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.InvalidArgumentException;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.NotADirectoryException;
import io.pinbroker.client.PermissionDeniedException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.Watch;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WATCH in this JVM: events in order, scope, refusals, overflow, and clean-up. */
class WatchTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** WatchQueue.CAPACITY: most events waiting for one watcher. */
  private static final int QUEUE = 1024;

  @TempDir Path dir;
  TestBroker broker;
  PinbrokerClient client;
  Fd memfd;

  @BeforeEach
  void start() throws IOException {
    broker = TestBroker.start(dir);
    client = broker.client();
    memfd = FileOps.memfd("w", 16, 0);
  }

  @AfterEach
  void stop() throws IOException {
    memfd.close();
    client.close();
    broker.close();
  }

  private static String show(Reply.WatchEvent e) {
    return switch (e.type()) {
      case OVERFLOW -> "overflow";
      case MOVED, EXCHANGED -> e.type().label() + " " + e.path() + " " + e.to();
      case ATTRS ->
          String.format("attrs %s %o %d:%d", e.path(), e.info().mode(), e.info().uid(), e.info().gid());
      default -> e.type().label() + " " + e.path() + " g" + e.info().generation();
    };
  }

  /** The next {@code n} events, each within WAIT. */
  private static List<String> next(Watch w, int n) throws IOException {
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Reply.WatchEvent e = w.next(WAIT);
      assertNotNull(e, "event " + (i + 1) + " of " + n + " after " + got);
      got.add(show(e));
    }
    return got;
  }

  @Test
  void aRecursiveWatcherSeesEveryChangeInOrder() throws IOException {
    NodeInfo top = client.mkdir("/w", 0755);
    try (Watch w = client.watch("/w", true)) {
      assertEquals(top.generation(), w.node().generation());
      long d = client.mkdir("/w/d", 0755).generation();
      long x = client.pin("/w/d/x", memfd.value(), PinOptions.DEFAULT).generation();
      long x2 = client.pin("/w/d/x", memfd.value(), PinOptions.DEFAULT.replacing()).generation();
      client.chmod("/w/d/x", 0640);
      client.chown("/w/d/x", 1000, 100);
      client.rename("/w/d/x", "/w/y", RenameMode.REPLACE);
      client.pin("/elsewhere", memfd.value(), PinOptions.DEFAULT); // not below /w
      long z = client.pin("/w/z", memfd.value(), PinOptions.DEFAULT).generation();
      client.rename("/w/y", "/w/z", RenameMode.EXCHANGE);
      client.unlink("/w/y");
      client.rmdir("/w/d");
      assertEquals(
          List.of(
              "created /w/d g" + d,
              "created /w/d/x g" + x,
              "replaced /w/d/x g" + x2,
              "attrs /w/d/x 640 0:0",
              "attrs /w/d/x 640 1000:100",
              "moved /w/d/x /w/y",
              "created /w/z g" + z,
              "exchanged /w/y /w/z",
              "removed /w/y g" + z,
              "removed /w/d g" + d),
          next(w, 10));
      assertNull(w.next(Duration.ofMillis(100)), "nothing else");
    }
  }

  @Test
  void withoutRecursionOnlyTheNodeAndTheNamesInItShow() throws IOException {
    client.mkdir("/w", 0755);
    client.mkdir("/w/d", 0755);
    try (Watch w = client.watch("/w", false)) {
      client.pin("/w/d/deep", memfd.value(), PinOptions.DEFAULT);
      client.pin("/w/e", memfd.value(), PinOptions.DEFAULT);
      client.chmod("/w", 0750);
      client.rename("/w/d/deep", "/w/up", RenameMode.NOREPLACE);
      List<String> got = next(w, 3);
      assertTrue(got.get(0).startsWith("created /w/e "), got.toString());
      assertEquals(List.of("attrs /w 750 0:0", "moved /w/d/deep /w/up"), got.subList(1, 3));
      assertNull(w.next(Duration.ofMillis(100)));
    }
  }

  @Test
  void anEntryCanBeWatchedAndItsRemovalSeen() throws IOException {
    client.pin("/e", memfd.value(), PinOptions.DEFAULT);
    try (Watch w = client.watch("/e", false)) {
      client.pin("/f", memfd.value(), PinOptions.DEFAULT);
      client.unlink("/e");
      assertTrue(next(w, 1).getFirst().startsWith("removed /e "));
    }
  }

  @Test
  void refusedWatchesSayWhy() throws IOException {
    client.pin("/e", memfd.value(), PinOptions.DEFAULT);
    assertThrows(NoSuchEntryException.class, () -> client.watch("/missing", true));
    assertThrows(NotADirectoryException.class, () -> client.watch("/e/x", false));
    assertThrows(InvalidArgumentException.class, () -> client.watch("relative", false));
    try (RawClient raw = RawClient.greeted(broker.socket)) {
      raw.send(RawClient.frame(7, new Request.Watch("/", 2), 0));
      try (RawClient.Reply r = raw.reply()) {
        assertEquals(Status.EINVAL, r.status(), "unknown flags");
      }
      raw.send(RawClient.frame(8, new Request.Stat("/e"), 0));
      try (RawClient.Reply r = raw.reply()) {
        assertEquals(Status.OK, r.status(), "a refused WATCH leaves the connection as it was");
      }
    }
    assertEquals(0, broker.broker.server().watchCount());
  }

  @Test
  void aDirectoryNeedsReadAndSearchAnEntryOnlySearch(@TempDir Path other) throws IOException {
    // uid 0 without the root override is checked like any other uid
    try (TestBroker strict =
            TestBroker.start(other, new NamespaceConfig(01777, 022, false, 100), new ServerConfig(8));
        PinbrokerClient c = strict.client()) {
      c.mkdir("/wo", 0700);
      c.pin("/wo/e", memfd.value(), PinOptions.DEFAULT);
      c.chmod("/wo", 0300); // write and search, no read
      assertThrows(PermissionDeniedException.class, () -> c.watch("/wo", false));
      try (Watch w = c.watch("/wo/e", false)) {
        c.chmod("/wo/e", 0644);
        assertEquals(List.of("attrs /wo/e 644 0:0"), next(w, 1));
      }
    }
  }

  @Test
  void aWatcherThatNeverReadsGetsOneOverflowAndCostsBoundedMemory() throws Exception {
    client.mkdir("/o", 0755);
    int produced = 0;
    try (Watch w = client.watch("/o", false)) {
      for (int i = 0; i < 3 * QUEUE; i++) {
        client.pin("/o/x", memfd.value(), PinOptions.DEFAULT);
        client.unlink("/o/x");
        produced += 2;
      }
      assertEquals(QUEUE, broker.broker.server().watchBacklog(), "the queue is full, no fuller");
      int received = 0;
      int overflows = 0;
      Reply.WatchEvent e;
      do {
        e = w.next(WAIT);
        assertNotNull(e, "events then an overflow");
        received++;
        if (e.type() == EventType.OVERFLOW) {
          overflows++;
        }
      } while (e.type() != EventType.OVERFLOW);
      client.pin("/o/after", memfd.value(), PinOptions.DEFAULT);
      for (e = w.next(WAIT); !e.path().equals("/o/after"); e = w.next(WAIT)) {
        assertNotNull(e);
        overflows += e.type() == EventType.OVERFLOW ? 1 : 0;
        received++;
      }
      assertEquals(1, overflows, "exactly one overflow");
      assertTrue(received < produced, received + " of " + produced + " events arrived");
    }
  }

  @Test
  void aWatcherThatLeavesIsCleanedUpAtOnce() throws Exception {
    client.mkdir("/c", 0755);
    var server = broker.broker.server();
    int connections = server.connectionCount();
    int fds = FdCount.self();
    for (int round = 0; round < 3; round++) {
      Watch w = client.watch("/c", true);
      assertEquals(1, server.watchCount());
      assertEquals(connections + 1, server.connectionCount());
      if (round == 1) {
        client.mkdir("/c/d", 0755); // an event in flight (a pin would hold one more fd)
      }
      w.close();
      assertEquals(0, settle(server::watchCount, 0), "the watch ends with no event to send");
      assertEquals(connections, settle(server::connectionCount, connections));
      assertEquals(fds, FdCount.settle(ProcessHandle.current().pid(), fds, Duration.ofSeconds(2)));
    }
    client.pin("/c/later", memfd.value(), PinOptions.DEFAULT); // no listener left to call
  }

  /** Waits up to 2 s (a watch ends within a poll wake-up, not a timer) for a value. */
  private static int settle(IntSupplier value, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (value.getAsInt() != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return value.getAsInt();
  }

  @Test
  void aRequestOnAWatchStreamEndsIt() throws IOException {
    try (RawClient raw = RawClient.greeted(broker.socket)) {
      raw.send(RawClient.frame(2, new Request.Watch("/", Request.WATCH_RECURSIVE), 0));
      try (RawClient.Reply ok = raw.reply()) {
        assertEquals(Opcode.WATCH.code(), ok.frame().opcode());
        assertEquals(Status.OK, ok.status());
      }
      client.mkdir("/seen", 0755);
      try (RawClient.Reply event = raw.reply()) {
        assertEquals(Opcode.WATCH_EVENT.code(), event.frame().opcode());
        assertEquals(2, event.frame().requestId(), "events carry the WATCH's request id");
      }
      raw.send(RawClient.frame(3, new Request.Stat("/"), 0));
      try (RawClient.Reply notice = raw.reply()) {
        assertEquals(Status.EPROTO, notice.status());
        assertEquals(0, notice.frame().requestId());
        assertEquals(
            new Reply.Failure(Status.EPROTO, "no requests on a watch stream"), notice.frame().reply());
      }
      try (RawClient.Reply end = raw.reply()) {
        assertNull(end.frame(), "then the broker closes the connection");
      }
    }
  }

  @Test
  void stoppingTheBrokerEndsEvenAStuckWatchAtOnce() throws Exception {
    client.mkdir("/s", 0755);
    Watch w = client.watch("/s", false);
    for (int i = 0; i < QUEUE; i++) { // more than the socket holds: the broker blocks in send
      client.pin("/s/x", memfd.value(), PinOptions.DEFAULT);
      client.unlink("/s/x");
    }
    long began = System.nanoTime();
    broker.broker.stop();
    long millis = (System.nanoTime() - began) / 1_000_000;
    assertTrue(millis < 2000, "stop took " + millis + " ms; its drain allows 5000");
    assertThrows(
        IOException.class,
        () -> {
          while (true) {
            w.next(WAIT); // what the socket held, then the end
          }
        });
    w.close();
  }
}
