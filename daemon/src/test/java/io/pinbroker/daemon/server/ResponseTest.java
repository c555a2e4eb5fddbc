package io.pinbroker.daemon.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** A response owns its fds: it keeps exactly as many as its reply requires, and closes them. */
class ResponseTest {
  private static List<Fd> memfds(int n) throws IOException {
    List<Fd> fds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fds.add(FileOps.memfd("r" + i, 0, FileOps.MFD_CLOEXEC));
    }
    return fds;
  }

  private static List<Long> ids(int n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }

  @Test
  void aFullPageKeepsItsFdsInOrderUntilClosed() throws IOException {
    List<Fd> fds = memfds(Limits.MAX_FDS_PER_FRAME);
    Response r =
        new Response(new Reply.TakeoverFdsReply(ids(Limits.MAX_FDS_PER_FRAME), false), fds);
    assertArrayEquals(fds.stream().mapToInt(Fd::value).toArray(), r.fdValues());
    r.close();
    assertTrue(fds.stream().noneMatch(Fd::isOpen), "every fd closed");
    r.close(); // again: nothing happens
  }

  @Test
  void aTakeoverStartCarriesTwoFds() throws IOException {
    List<Fd> fds = memfds(2);
    try (Response r = Response.of(new Reply.TakeoverBeginReply(0), fds.get(0), fds.get(1))) {
      assertEquals(fds, r.fds());
    }
    assertFalse(fds.get(0).isOpen());
    assertFalse(fds.get(1).isOpen());
  }

  @Test
  void theWrongNumberOfFdsIsRefusedAndWhatCameInIsClosed() throws IOException {
    List<Fd> one = memfds(1);
    assertThrows(
        IllegalArgumentException.class,
        () -> Response.of(new Reply.TakeoverBeginReply(0), one.get(0)));
    assertFalse(one.get(0).isOpen());

    List<Fd> three = memfds(3);
    assertThrows(
        IllegalArgumentException.class,
        () -> new Response(new Reply.TakeoverFdsReply(ids(2), true), three));
    assertTrue(three.stream().noneMatch(Fd::isOpen));

    List<Fd> stray = memfds(1);
    assertThrows(
        IllegalArgumentException.class,
        () -> Response.of(new Reply.Failure(Status.EAGAIN, ""), stray.get(0)));
    assertFalse(stray.get(0).isOpen());
  }
}
