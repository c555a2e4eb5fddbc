package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How connections are served: by a few event loops, so an idle connection holds no thread, and in
 * order, also when a client sends many requests before it reads any reply.
 */
class ServingTest {
  private static final NamespaceConfig NS = new NamespaceConfig(01777, 022, true, 1000);

  @TempDir Path dir;

  @Test
  void idleConnectionsHoldNoThreadAndAreAllStillServed() throws Exception {
    try (TestBroker b = TestBroker.start(dir, NS, new ServerConfig(512))) {
      List<RawClient> clients = new ArrayList<>();
      try {
        clients.add(RawClient.greeted(b.socket));
        int before = ManagementFactory.getThreadMXBean().getThreadCount();
        for (int i = 0; i < 300; i++) {
          clients.add(RawClient.greeted(b.socket));
        }
        int after = ManagementFactory.getThreadMXBean().getThreadCount();
        assertTrue(after - before < 10, "300 connections added " + (after - before) + " threads");
        assertEquals(301, b.broker.server().connectionCount());
        int id = 2;
        for (RawClient c : clients) {
          c.send(RawClient.frame(id, new Request.Stat("/"), 0));
          try (RawClient.Reply r = c.reply()) {
            assertEquals(Status.OK, r.status());
            assertEquals(id, r.frame().requestId());
          }
          id++;
        }
      } finally {
        clients.forEach(RawClient::close);
      }
    }
  }

  /**
   * 3000 GETs sent before any reply is read: the replies, each with an fd, fill the client's queue
   * long before the last request is sent, so the broker must hold replies back and go on later.
   * Every reply comes, in request order, with its fd, and the broker's fds are back afterwards.
   */
  @Test
  void requestsSentAheadOfTheirRepliesAreAllAnsweredInOrder() throws Exception {
    int n = 3000;
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try (TestBroker b = TestBroker.start(dir, NS, new ServerConfig(8));
        PinbrokerClient owner = b.client();
        Fd memfd = FileOps.memfd("ahead", 8, 0)) {
      owner.pin("/m", memfd.value(), PinOptions.DEFAULT);
      long pid = ProcessHandle.current().pid();
      int baseline = FdCount.self();
      try (RawClient c = RawClient.greeted(b.socket)) {
        Future<?> sending =
            writer.submit(
                () -> {
                  for (int id = 1; id <= n; id++) {
                    c.send(RawClient.frame(id, new Request.Get("/m", true), 0));
                  }
                  return null;
                });
        long ino = FileOps.stat(memfd.value()).ino();
        for (int id = 1; id <= n; id++) {
          try (RawClient.Reply r = c.reply()) {
            assertNotNull(r.frame(), "reply " + id);
            assertEquals(id, r.frame().requestId(), "replies keep the order of requests");
            assertEquals(Opcode.GET.code(), r.frame().opcode());
            assertEquals(1, r.fds().fdCount());
            assertEquals(ino, FileOps.stat(r.fds().fds().get(0).value()).ino());
            assertTrue(r.frame().reply() instanceof Reply.GetReply);
          }
        }
        sending.get();
      }
      assertEquals(baseline, FdCount.settle(pid, baseline, Duration.ofSeconds(5)), "fd count");
    } finally {
      writer.shutdownNow();
    }
  }
}
