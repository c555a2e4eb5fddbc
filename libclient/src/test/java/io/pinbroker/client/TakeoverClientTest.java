package io.pinbroker.client;

import static io.pinbroker.client.FakeBroker.encode;
import static io.pinbroker.client.FakeBroker.withFdCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.FakeBroker.Answer;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client's side of a takeover, against a {@link FakeBroker}: what it hands the caller, and
 * that a reply whose fds do not match what it says is refused without leaking a descriptor.
 */
class TakeoverClientTest {
  @TempDir Path dir;
  private int fdsBefore;

  @BeforeEach
  void countFds() throws IOException {
    fdsBefore = openFds();
  }

  @AfterEach
  void nothingLeaked() throws Exception {
    int after = openFds();
    for (int i = 0; i < 50 && after != fdsBefore; i++) {
      Thread.sleep(20);
      after = openFds();
    }
    assertEquals(fdsBefore, after, "open descriptors before and after the test");
  }

  private static int openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return (int) s.count();
    }
  }

  /** What /proc says an fd of this process is: "/memfd:obj-3 (deleted)", "socket:[1234]". */
  private static String link(int fd) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
  }

  private static String memfdLink(String name) {
    return "/memfd:" + name + " (deleted)";
  }

  private static Fd memfd(String name) {
    try {
      return FileOps.memfd(name, 0, FileOps.MFD_CLOEXEC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One memfd per id, named obj-ID. */
  private static List<Fd> objects(int n) {
    List<Fd> fds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fds.add(memfd("obj-" + i));
    }
    return fds;
  }

  private static List<Fd> objects(List<Long> ids) {
    return ids.stream().map(id -> memfd("obj-" + id)).toList();
  }

  /** Answers with {@code reply}, the fd count it requires in its header, and {@code n} fds. */
  private static Function<RequestFrame, Answer> reply(Reply reply, int n) {
    return r -> new Answer(encode(r, reply), objects(n));
  }

  private static Function<RequestFrame, Answer> page(List<Long> ids, boolean more) {
    return r -> new Answer(encode(r, new Reply.TakeoverFdsReply(ids, more)), objects(ids));
  }

  /** Answers with {@code reply} under a header that announces {@code announced} fds. */
  private static Function<RequestFrame, Answer> lying(Reply reply, int announced, int attached) {
    return r -> new Answer(withFdCount(encode(r, reply), announced), objects(attached));
  }

  @Test
  void beginHandsTheCallerTheListenerAndTheJournal() throws Exception {
    try (SeqpacketListener old = SeqpacketListener.bind(dir.resolve("old.sock"), 1)) {
      Function<RequestFrame, Answer> begin =
          r -> {
            try {
              Fd journal = memfd("journal");
              Files.writeString(Path.of("/proc/self/fd/" + journal.value()), "J1");
              return new Answer(
                  encode(r, new Reply.TakeoverBeginReply(7)),
                  List.of(FileOps.duplicate(old.fd(), 3), journal));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          };
      try (FakeBroker broker = new FakeBroker(dir, List.of(begin));
          PinbrokerClient c = broker.client()) {
        TakeoverStart start = c.takeoverBegin();
        try (start) {
          assertEquals(7, start.objectCount());
          assertEquals(link(old.fd()), link(start.listener().value()), "the listening socket");
          assertEquals(memfdLink("journal"), link(start.journal().value()));
          assertEquals("J1", Files.readString(Path.of("/proc/self/fd/" + start.journal().value())));
        }
        assertFalse(start.listener().isOpen(), "closing the start closes the listener");
        assertFalse(start.journal().isOpen(), "and the journal");
        assertEquals(List.of(new Request.TakeoverBegin()), broker.requests());
      }
    }
  }

  @Test
  void pagesHandOverEveryObjectInIdOrderThenDone() throws Exception {
    List<Long> first = List.of(3L, 4L, 9L);
    List<Long> second = List.of(Long.MIN_VALUE, -1L); // above 2^63: ids are unsigned
    try (FakeBroker broker =
            new FakeBroker(
                dir,
                List.of(
                    reply(new Reply.TakeoverBeginReply(5), 2),
                    page(first, true),
                    page(second, false),
                    reply(new Reply.Done(), 0)));
        PinbrokerClient c = broker.client()) {
      c.takeoverBegin().close();
      List<Long> ids = new ArrayList<>();
      List<String> links = new ArrayList<>();
      long after = 0;
      boolean more = true;
      while (more) {
        try (TakeoverPage page = c.takeoverFds(after)) {
          assertEquals(page.ids().size(), page.fds().size());
          for (int i = 0; i < page.ids().size(); i++) {
            ids.add(page.ids().get(i));
            links.add(link(page.fds().get(i).value()));
          }
          more = page.more();
          after = page.ids().getLast();
        }
      }
      c.takeoverDone();
      assertEquals(List.of(3L, 4L, 9L, Long.MIN_VALUE, -1L), ids);
      assertEquals(ids.stream().map(id -> memfdLink("obj-" + id)).toList(), links, "fd order");
      assertEquals(
          List.of(
              new Request.TakeoverBegin(),
              new Request.TakeoverFds(0),
              new Request.TakeoverFds(9),
              new Request.TakeoverDone()),
          broker.requests());
    }
  }

  @Test
  void aRefusalDuringAHandoffIsTryAgainAndTheConnectionStays() throws Exception {
    try (FakeBroker broker =
            new FakeBroker(
                dir,
                List.of(
                    reply(new Reply.Failure(Status.EAGAIN, "handoff in progress"), 0),
                    reply(new Reply.Failure(Status.EBUSY, "another handoff"), 0),
                    reply(new Reply.Done(), 0)));
        PinbrokerClient c = broker.client()) {
      TryAgainException e = assertThrows(TryAgainException.class, () -> c.mkdir("/d", 0755));
      assertEquals(Status.EAGAIN, e.status());
      assertEquals("/d", e.path());
      assertThrows(BusyException.class, c::takeoverBegin);
      c.rmdir("/d");
    }
  }

  interface Call {
    void on(PinbrokerClient c) throws IOException;
  }

  private static final NodeInfo ENTRY =
      new NodeInfo(NodeType.ENTRY, ObjectKind.FD, FdType.MEMFD, 0600, 0, 0, 2, 0, 0, 0, 0, 0, 0);

  static Stream<Arguments> mismatches() {
    Call begin = c -> c.takeoverBegin().close();
    Call fds = c -> c.takeoverFds(0).close();
    Call done = PinbrokerClient::takeoverDone;
    Call get = c -> c.get("/e", Access.READ_WRITE).close();
    Reply.TakeoverBeginReply started = new Reply.TakeoverBeginReply(1);
    Reply.TakeoverFdsReply three = new Reply.TakeoverFdsReply(List.of(1L, 2L, 3L), false);
    Reply.GetReply got = new Reply.GetReply(ENTRY, Handout.REOPENED);
    return Stream.of(
        Arguments.of("BEGIN with one of its two fds", begin, lying(started, 2, 1)),
        Arguments.of("BEGIN with three fds, header says 2", begin, lying(started, 2, 3)),
        Arguments.of("BEGIN with one fd, header says 1", begin, lying(started, 1, 1)),
        Arguments.of("BEGIN with three fds, header says 3", begin, lying(started, 3, 3)),
        Arguments.of("page of 3 ids with 2 fds, header says 3", fds, lying(three, 3, 2)),
        Arguments.of("page of 3 ids with 2 fds, header says 2", fds, lying(three, 2, 2)),
        Arguments.of("page of 3 ids with 4 fds, header says 4", fds, lying(three, 4, 4)),
        Arguments.of("page of 3 ids with no fds", fds, lying(three, 0, 0)),
        Arguments.of("DONE with an fd", done, lying(new Reply.Done(), 1, 1)),
        Arguments.of("DONE with an fd it does not announce", done, lying(new Reply.Done(), 0, 1)),
        Arguments.of(
            "a refusal with an fd",
            done,
            lying(new Reply.Failure(Status.EINVAL, "no handoff"), 0, 1)),
        Arguments.of(
            "a refusal with 253 fds",
            begin,
            lying(new Reply.Failure(Status.EPERM, "not yours"), 253, 253)),
        Arguments.of("GET with two fds", get, lying(got, 1, 2)),
        Arguments.of("GET with none", get, lying(got, 0, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mismatches")
  void aReplyWhoseFdsDoNotMatchIsRefusedAndItsFdsClosed(
      String name, Call call, Function<RequestFrame, Answer> answer) throws Exception {
    try (FakeBroker broker = new FakeBroker(dir, List.of(answer));
        PinbrokerClient c = broker.client()) {
      IOException e = assertThrows(IOException.class, () -> call.on(c), name);
      assertFalse(e instanceof PinbrokerException, "not a refusal: " + e);
      IOException after = assertThrows(IOException.class, c::takeoverDone);
      assertTrue(after.getMessage().contains("closed"), "the connection is gone: " + after);
    }
  }

  @Test
  void aPageMayNotRepeatTheIdItWasAskedToFollow() throws Exception {
    try (FakeBroker broker = new FakeBroker(dir, List.of(page(List.of(5L, 6L), false)));
        PinbrokerClient c = broker.client()) {
      IOException e = assertThrows(IOException.class, () -> c.takeoverFds(5).close());
      assertFalse(e instanceof PinbrokerException, "not a refusal: " + e);
      assertTrue(e.getMessage().contains("after 5"), e.getMessage());
    }
  }
}
