package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and refused requests, one table row each. After every row: the broker still serves
 * other clients, the sentinel entry is intact, and this process's fd count (broker included) is
 * back to its baseline.
 */
class BadInputTest {
  static Path dir;
  static TestBroker broker;
  static Fd sentinel;
  static long sentinelIno;

  /** Expect a status reply (connection stays) or, with status null, a dropped connection. */
  record Case(String name, boolean greet, byte[] datagram, int fds, Status expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case drop(String name, byte[] datagram) {
    return new Case(name, true, datagram, 0, null);
  }

  static Case status(String name, Request r, Status s) {
    return new Case(name, true, RawClient.frame(7, r, 0), 0, s);
  }

  static Case withFds(String name, Request r, int announced, int attached, Status s) {
    return new Case(name, true, RawClient.frame(7, r, announced), attached, s);
  }

  static byte[] patch(byte[] frame, int offset, int value) {
    byte[] copy = frame.clone();
    copy[offset] = (byte) value;
    return copy;
  }

  static Stream<Case> cases() {
    byte[] stat = RawClient.frame(7, new Request.Stat("/sentinel"), 0);
    byte[] pin = RawClient.frame(7, new Request.Pin("/p", 0600, -1, 0, 0), 1);
    ByteBuffer lying = ByteBuffer.wrap(stat.clone()).order(ByteOrder.LITTLE_ENDIAN);
    lying.putInt(12, stat.length); // body_length larger than what arrived
    byte[] badUtf8 = stat.clone();
    badUtf8[Frames.HEADER_BYTES + 2] = (byte) 0xC3; // a lead byte followed by '/' is invalid
    String deep = "/d".repeat(65);
    return Stream.of(
        drop("zero-length datagram", new byte[0]),
        drop("shorter than the header", new byte[] {0x50, 0x42, 4}),
        drop("garbage header", patch(stat, 0, 0x99)),
        drop("body_length mismatch", lying.array()),
        drop("truncated body", Arrays.copyOf(pin, pin.length - 3)),
        drop("reply flag on a request", patch(stat, 3, Frames.FLAG_REPLY)),
        drop("reserved header byte", patch(stat, 11, 1)),
        drop("path is not UTF-8", badUtf8),
        drop("second HELLO", RawClient.frame(2, new Request.Hello(1, 1, 0), 0)),
        new Case("request before HELLO", false, stat, 0, null),
        new Case(
            "unsupported version",
            false,
            RawClient.frame(1, new Request.Hello(2, 9, 0), 0),
            0,
            Status.EPROTONOSUPPORT),
        new Case(
            "HELLO announcing an fd",
            false,
            RawClient.frame(1, new Request.Hello(1, 1, 0), 1),
            0,
            null),
        status("unknown opcode", new Request.Stat("/"), Status.ENOSYS),
        new Case(
            "WATCH_EVENT sent as a request",
            true,
            patch(RawClient.frame(7, new Request.Stat("/"), 0), 2, 0x11),
            0,
            Status.ENOSYS),
        withFds("WATCH with an fd", new Request.Watch("/", 0), 1, 1, Status.EBADF),
        status("unknown WATCH flags", new Request.Watch("/sentinel", 0x80), Status.EINVAL),
        status("WATCH of a missing name", new Request.Watch("/missing", 1), Status.ENOENT),
        // Known opcodes without a handler yet: refused, the connection stays.
        withFds("TAKEOVER_BEGIN with an fd attached", new Request.TakeoverBegin(), 1, 1, Status.EBADF),
        status("TAKEOVER_FDS before TAKEOVER_BEGIN", new Request.TakeoverFds(0), Status.EINVAL),
        status("TAKEOVER_DONE before TAKEOVER_BEGIN", new Request.TakeoverDone(), Status.EINVAL),
        withFds("PIN without an fd", new Request.Pin("/p", 0600, -1, 0, 0), 0, 0, Status.EBADF),
        withFds("STAT with two fds", new Request.Stat("/"), 2, 2, Status.EBADF),
        withFds("fd_count says 1, none attached", new Request.Stat("/"), 1, 0, Status.EBADF),
        withFds("fd_count says 0, one attached", new Request.Stat("/"), 0, 1, Status.EBADF),
        withFds("PIN with 253 fds", new Request.Pin("/p", 0600, -1, 0, 0), 253, 253, Status.EBADF),
        status("path with ..", new Request.Stat("/a/../b"), Status.EINVAL),
        status("path with .", new Request.Stat("/a/./b"), Status.EINVAL),
        status("relative path", new Request.Stat("a"), Status.EINVAL),
        status("empty component", new Request.Stat("/a//b"), Status.EINVAL),
        status("trailing slash", new Request.Stat("/sentinel/"), Status.EINVAL),
        status("NUL in a path", new Request.Stat("/a\0b"), Status.EILSEQ),
        status("255-byte component is legal", new Request.Stat("/" + "c".repeat(255)), Status.ENOENT),
        status("256-byte component", new Request.Stat("/" + "c".repeat(256)), Status.ENAMETOOLONG),
        status("over-long path", new Request.Stat(("/" + "e".repeat(200)).repeat(21)), Status.ENAMETOOLONG),
        status("path one level too deep", new Request.Stat(deep), Status.ELOOP),
        status("mode beyond 07777", new Request.Mkdir("/m", 010000), Status.EINVAL),
        status("setuid bit", new Request.Chmod("/sentinel", 04600), Status.EINVAL),
        withFds("unknown PIN flags", new Request.Pin("/p", 0600, -1, 8, 0), 1, 1, Status.EINVAL),
        withFds("CAS without REPLACE", new Request.Pin("/sentinel", 0600, -1, 2, 1), 1, 1, Status.EINVAL),
        status("no-replace rename onto itself", new Request.Rename("/sentinel", "/sentinel", RenameMode.NOREPLACE), Status.EEXIST),
        withFds("stale generation", new Request.Pin("/sentinel", 0600, -1, 3, 999_999), 1, 1, Status.ESTALE),
        withFds("pin over the root", new Request.Pin("/", 0600, -1, 0, 0), 1, 1, Status.EEXIST),
        status("rmdir the root", new Request.Rmdir("/"), Status.EBUSY),
        status("rename the root", new Request.Rename("/", "/x", RenameMode.REPLACE), Status.EBUSY),
        status("exchange with itself", new Request.Rename("/sentinel", "/sentinel", RenameMode.EXCHANGE), Status.OK),
        status("chown by root to the same owner", new Request.Chown("/sentinel", -1, -1), Status.OK));
  }

  @BeforeAll
  static void start(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    dir = tmp;
    broker = TestBroker.start(dir);
    sentinel = FileOps.memfd("sentinel", 16, 0);
    try (PinbrokerClient c = broker.client()) {
      sentinelIno = c.pin("/sentinel", sentinel.value(), PinOptions.DEFAULT).ino();
    }
  }

  @AfterAll
  static void stop() throws IOException {
    broker.close();
    sentinel.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isAnsweredAndHarmsNothing(Case c) throws Exception {
    long pid = ProcessHandle.current().pid();
    awaitNoConnections(); // the previous case's connection closes asynchronously
    int baseline = FdCount.self();
    try (RawClient raw = c.greet() ? RawClient.greeted(broker.socket) : new RawClient(broker.socket)) {
      if (c.name().equals("unknown opcode")) {
        raw.send(patch(c.datagram(), 2, 0x7F));
      } else {
        sendWithFds(raw, c);
      }
      if (c.expect() == null) {
        assertTrue(raw.dropped(), "the broker should drop the connection");
      } else {
        try (RawClient.Reply r = raw.reply()) {
          assertEquals(c.expect(), r.status());
          assertEquals(c.greet() ? 7 : 1, r.frame().requestId(), "the reply echoes the request id");
          assertEquals(0, r.fds().fdCount(), "a refusal carries no fds");
        }
        if (!c.greet()) {
          try (RawClient.Reply end = raw.reply()) {
            assertEquals(null, end.frame(), "a failed HELLO ends the connection");
          }
        }
      }
    }
    try (PinbrokerClient other = broker.client()) {
      assertEquals(sentinelIno, other.stat("/sentinel").ino(), "existing entries stay intact");
    }
    assertEquals(baseline, FdCount.settle(pid, baseline, Duration.ofSeconds(5)), "fd count");
  }

  private static void awaitNoConnections() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (broker.broker.server().connectionCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static void sendWithFds(RawClient raw, Case c) throws IOException {
    List<Fd> fds = new ArrayList<>();
    try {
      for (int i = 0; i < c.fds(); i++) {
        fds.add(FileOps.memfd("x", 1, 0));
      }
      raw.send(c.datagram(), fds.stream().mapToInt(Fd::value).toArray());
    } finally {
      fds.forEach(Fd::close);
    }
  }
}
