package io.pinbroker.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** epoll over seqpacket sockets, and the send and receive that never wait, as the broker uses them. */
class EpollTest {
  @TempDir Path dir;

  @Test
  void reportsEachReadySocketByItsNumberUntilItsDatagramIsTaken() throws IOException {
    try (SeqpacketListener listener = SeqpacketListener.bind(dir.resolve("s"), 8);
        UnixSocket a = UnixSocket.connect(dir.resolve("s"));
        UnixSocket b = UnixSocket.connect(dir.resolve("s"));
        UnixSocket servedA = listener.accept();
        UnixSocket servedB = listener.accept();
        Epoll epoll = Epoll.open()) {
      epoll.add(servedA.fd());
      epoll.add(servedB.fd());
      assertEquals(0, epoll.await(0), "nothing sent yet");
      a.send(ByteBuffer.wrap(new byte[] {1}));
      b.send(ByteBuffer.wrap(new byte[] {2}));
      Set<Integer> ready = readyAfter(epoll);
      assertEquals(Set.of(servedA.fd(), servedB.fd()), ready);
      assertEquals(Set.of(servedA.fd(), servedB.fd()), readyAfter(epoll), "level-triggered");
      ByteBuffer in = ByteBuffer.allocate(16);
      try (Received r = servedA.receiveNow(in)) {
        assertNotNull(r);
        assertEquals(1, in.get(0));
      }
      assertEquals(Set.of(servedB.fd()), readyAfter(epoll), "a's datagram was taken");
      epoll.remove(servedB.fd());
      assertEquals(0, epoll.await(0), "b is no longer watched");
      a.shutdown();
      assertEquals(Set.of(servedA.fd()), readyAfter(epoll), "end of stream is readiness");
      try (Received r = servedA.receiveNow(in)) {
        assertTrue(r.endOfStream());
      }
    }
  }

  private static Set<Integer> readyAfter(Epoll epoll) throws IOException {
    int n = epoll.await(1000);
    Set<Integer> fds = new HashSet<>();
    for (int i = 0; i < n; i++) {
      fds.add(epoll.ready(i));
    }
    return fds;
  }

  @Test
  void receiveNowIsNullWithNothingWaitingAndSendNowFalseOnceThePeerIsFull() throws IOException {
    try (SeqpacketListener listener = SeqpacketListener.bind(dir.resolve("s"), 8);
        UnixSocket client = UnixSocket.connect(dir.resolve("s"));
        UnixSocket server = listener.accept();
        Fd memfd = FileOps.memfd("epoll-test", 1, 0)) {
      ByteBuffer in = ByteBuffer.allocate(64);
      assertNull(server.receiveNow(in));
      byte[] payload = new byte[1024];
      int sent = 0;
      while (sent < 1_000_000) {
        ByteBuffer frame = ByteBuffer.wrap(payload);
        if (!server.sendNow(frame, memfd.value())) {
          assertEquals(payload.length, frame.remaining(), "nothing of a refused datagram sent");
          break;
        }
        assertFalse(frame.hasRemaining());
        sent++;
      }
      assertTrue(sent > 0 && sent < 1_000_000, "the queue filled after " + sent + " datagrams");
      try (Received r = client.receiveNow(ByteBuffer.allocate(2048))) {
        assertNotNull(r);
        assertEquals(1024, r.length());
        assertEquals(1, r.fdCount(), "the fd came along");
      }
    }
  }
}
