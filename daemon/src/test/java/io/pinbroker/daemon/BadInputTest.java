package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and refused requests, one table row each. After every row: the broker still serves
 * other clients, every entry and directory of the fixture is exactly as it was (owner, group,
 * mode, generation, object), and this process's fd count (broker included) is back to its
 * baseline. Rows marked as another uid connect with that uid's credentials (root only; see {@link
 * AsUser}).
 */
class BadInputTest {
  static final int NOBODY = AsUser.NOBODY;
  static final int ID = 7;
  /** Opcodes the audit log records: PIN, MKDIR, RMDIR, UNLINK, RENAME, CHMOD, CHOWN, CREATE_MAP, TAKEOVER_BEGIN, TAKEOVER_DONE. */
  static final java.util.Set<Integer> AUDITED = java.util.Set.of(2, 6, 7, 8, 9, 10, 11, 12, 13, 15);

  static Path dir;
  static TestBroker broker;
  static Map<String, String> fixture;

  /** Whose credentials a row's connection carries. */
  enum Peer {
    SELF,
    NOBODY
  }

  /** What a row sends and checks on its connection. */
  @FunctionalInterface
  interface Exchange {
    void run(RawClient raw) throws Exception;
  }

  record Case(String name, boolean greet, Peer peer, Exchange exchange) {
    @Override
    public String toString() {
      return name;
    }
  }

  // ---- how rows are built ----

  /** A greeted connection sends {@code datagram}; the broker drops it (after an EPROTO notice). */
  static Case drop(String name, byte[] datagram) {
    return new Case(name, true, Peer.SELF, expect(datagram, 0, null));
  }

  static Case status(String name, Request r, Status s) {
    return new Case(name, true, Peer.SELF, expect(RawClient.frame(ID, r, 0), 0, s));
  }

  static Case withFds(String name, Request r, int announced, int attached, Status s) {
    return new Case(name, true, Peer.SELF, expect(RawClient.frame(ID, r, announced), attached, s));
  }

  /** Before HELLO: {@code s} is then the HELLO's status (the connection ends after it), or null. */
  static Case ungreeted(String name, byte[] datagram, int fds, Status s) {
    return new Case(name, false, Peer.SELF, expect(datagram, fds, s));
  }

  static Case asNobody(String name, Request r, int fds, Status s) {
    return new Case(name, true, Peer.NOBODY, expect(RawClient.frame(ID, r, fds), fds, s));
  }

  static Case custom(String name, Exchange e) {
    return new Case(name, true, Peer.SELF, e);
  }

  /** Sends {@code datagram} with {@code fds} new memfds; expects status {@code s}, or a drop. */
  static Exchange expect(byte[] datagram, int fds, Status s) {
    return raw -> {
      long mark = AuditCapture.mark();
      sendWithFds(raw, datagram, fds);
      if (s == null) {
        assertTrue(raw.dropped(), "the broker should drop the connection");
        return;
      }
      int id = ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
      boolean hello = datagram[2] == 1;
      try (RawClient.Reply r = raw.reply()) {
        assertEquals(s, r.status(), () -> "detail: " + r.frame().reply());
        assertEquals(id, r.frame().requestId(), "the reply echoes the request id");
        assertEquals(0, r.fds().fdCount(), "a refusal carries no fds");
      }
      if (AUDITED.contains((int) datagram[2])) {
        List<String> audit = AuditCapture.since(mark);
        assertEquals(1, audit.size(), "one audit line: " + audit);
        assertTrue(audit.getFirst().matches("audit: op=\\w+ .* result=" + s.name() + "( gen=\\d+)?"), audit::toString);
      }
      if (hello) {
        try (RawClient.Reply end = raw.reply()) {
          assertEquals(null, end.frame(), "a refused HELLO ends the connection");
        }
      }
    };
  }

  static byte[] patch(byte[] frame, int offset, int value) {
    byte[] copy = frame.clone();
    copy[offset] = (byte) value;
    return copy;
  }

  static byte[] frame(Request r) {
    return RawClient.frame(ID, r, 0);
  }

  static Request pin(String path) {
    return new Request.Pin(path, 0600, Request.DEFAULT_ID, 0, 0);
  }

  static Request.CreateMap map(String path, int type, int key, int value, int max) {
    return new Request.CreateMap(path, 0600, Request.DEFAULT_ID, true, type, key, value, max, 0, "m");
  }

  // ---- the table ----

  static Stream<Case> cases() {
    return Stream.of(framing(), session(), fds(), paths(), operations(), otherUid())
        .flatMap(s -> s);
  }

  /** Datagrams that are not frames. */
  static Stream<Case> framing() {
    byte[] stat = frame(new Request.Stat("/sentinel"));
    byte[] pin = RawClient.frame(ID, pin("/p"), 1);
    ByteBuffer lying = ByteBuffer.wrap(stat.clone()).order(ByteOrder.LITTLE_ENDIAN);
    lying.putInt(12, stat.length); // body_length larger than what arrived
    byte[] badUtf8 = stat.clone();
    badUtf8[Frames.HEADER_BYTES + 2] = (byte) 0xC3; // a lead byte followed by '/' is invalid
    byte[] rename = frame(new Request.Rename("/sentinel", "/x", RenameMode.REPLACE));
    byte[] get = frame(new Request.Get("/sentinel", true));
    return Stream.of(
        drop("zero-length datagram", new byte[0]),
        custom("zero-length datagram with an fd", raw -> {
          try (Fd fd = FileOps.memfd("x", 1, 0)) {
            assertEquals(0, Syscalls.sendmsg(raw.socket.fd(), new byte[0], new int[] {fd.value()}));
          }
          assertTrue(raw.dropped(), "dropped");
        }),
        drop("shorter than the header", new byte[] {0x50, 0x42, 4}),
        custom("over-long datagram (65537 bytes)", raw -> {
          byte[] big = new byte[65537];
          System.arraycopy(stat, 0, big, 0, Frames.HEADER_BYTES);
          ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putInt(12, big.length - 16);
          assertEquals(0, Syscalls.sendmsg(raw.socket.fd(), big));
          assertTrue(raw.dropped(), "dropped");
        }),
        drop("garbage header", patch(stat, 0, 0x99)),
        drop("body_length mismatch", lying.array()),
        drop("truncated body", Arrays.copyOf(pin, pin.length - 3)),
        drop("trailing bytes after the body", Arrays.copyOf(stat, stat.length + 1)),
        drop("reply flag on a request", patch(stat, 3, Frames.FLAG_REPLY)),
        drop("unknown flag bit", patch(stat, 3, 0x80)),
        drop("status set in a request", patch(stat, 8, 2)),
        drop("reserved header byte", patch(stat, 11, 1)),
        drop("path is not UTF-8", badUtf8),
        drop("unknown RENAME mode", patch(rename, rename.length - 1, 9)),
        drop("unknown GET access", patch(get, get.length - 1, 7)));
  }

  /** HELLO, versions, request ids, the watch stream. */
  static Stream<Case> session() {
    byte[] stat = frame(new Request.Stat("/sentinel"));
    return Stream.of(
        ungreeted("request before HELLO", stat, 0, null),
        ungreeted("unknown opcode before HELLO", patch(stat, 2, 0x7F), 0, null),
        ungreeted("PIN with its fd before HELLO", RawClient.frame(ID, pin("/p"), 1), 1, null),
        ungreeted(
            "unsupported version", RawClient.frame(1, new Request.Hello(2, 9, 0), 0), 0,
            Status.EPROTONOSUPPORT),
        ungreeted(
            "version 0 only", RawClient.frame(1, new Request.Hello(0, 0, 0), 0), 0,
            Status.EPROTONOSUPPORT),
        ungreeted(
            "HELLO range upside down", RawClient.frame(1, new Request.Hello(3, 1, 0), 0), 0,
            Status.EPROTONOSUPPORT),
        ungreeted("HELLO announcing an fd", RawClient.frame(1, new Request.Hello(1, 1, 0), 1), 0, null),
        ungreeted("HELLO carrying an fd", RawClient.frame(1, new Request.Hello(1, 1, 0), 1), 1, null),
        drop("second HELLO", RawClient.frame(2, new Request.Hello(1, 1, 0), 0)),
        new Case(
            "unknown opcode", true, Peer.SELF,
            expect(patch(frame(new Request.Stat("/")), 2, 0x7F), 0, Status.ENOSYS)),
        new Case(
            "WATCH_EVENT sent as a request", true, Peer.SELF,
            expect(patch(frame(new Request.Stat("/")), 2, 0x11), 0, Status.ENOSYS)),
        custom("the same request id twice in flight", raw -> {
          raw.send(frame(new Request.Stat("/sentinel")));
          raw.send(frame(new Request.Stat("/missing")));
          try (RawClient.Reply a = raw.reply(); RawClient.Reply b = raw.reply()) {
            assertEquals(List.of(ID, ID), List.of(a.frame().requestId(), b.frame().requestId()));
            assertEquals(List.of(Status.OK, Status.ENOENT), List.of(a.status(), b.status()),
                "replies in request order");
          }
        }),
        custom("request id 0 is echoed like any other", raw -> {
          raw.send(RawClient.frame(0, new Request.Stat("/sentinel"), 0));
          try (RawClient.Reply r = raw.reply()) {
            assertEquals(0, r.frame().requestId());
            assertEquals(Status.OK, r.status());
          }
          raw.send(frame(new Request.Stat("/")));
          try (RawClient.Reply r = raw.reply()) {
            assertEquals(Status.OK, r.status(), "the connection stays");
          }
        }),
        custom("a request on a watch stream", raw -> {
          raw.send(frame(new Request.Watch("/sentinel", 0)));
          try (RawClient.Reply r = raw.reply()) {
            assertEquals(Status.OK, r.status());
          }
          raw.send(frame(new Request.Stat("/")));
          assertTrue(raw.dropped(), "dropped");
        }),
        withFds("WATCH with an fd", new Request.Watch("/", 0), 1, 1, Status.EBADF),
        status("unknown WATCH flags", new Request.Watch("/sentinel", 0x80), Status.EINVAL),
        status("WATCH of a missing name", new Request.Watch("/missing", 1), Status.ENOENT),
        withFds("TAKEOVER_BEGIN with an fd attached", new Request.TakeoverBegin(), 1, 1, Status.EBADF),
        status("TAKEOVER_FDS before TAKEOVER_BEGIN", new Request.TakeoverFds(0), Status.EINVAL),
        status("TAKEOVER_DONE before TAKEOVER_BEGIN", new Request.TakeoverDone(), Status.EINVAL));
  }

  /** fds where none belong, missing, too many, lost in transit. */
  static Stream<Case> fds() {
    byte[] stat = frame(new Request.Stat("/sentinel"));
    return Stream.of(
        withFds("PIN without an fd", pin("/p"), 0, 0, Status.EBADF),
        withFds("STAT with two fds", new Request.Stat("/"), 2, 2, Status.EBADF),
        withFds("fd_count says 1, none attached", new Request.Stat("/"), 1, 0, Status.EBADF),
        withFds("fd_count says 0, one attached", new Request.Stat("/"), 0, 1, Status.EBADF),
        withFds("PIN with 253 fds", pin("/p"), 253, 253, Status.EBADF),
        drop("fd_count above 253", patch(stat, 10, 254)),
        custom("fds in two control messages", raw -> {
          try (Fd a = FileOps.memfd("a", 1, 0); Fd b = FileOps.memfd("b", 1, 0)) {
            byte[] twoFds = RawClient.frame(ID, pin("/p"), 2);
            assertEquals(0, Syscalls.sendmsg(raw.socket.fd(), twoFds, new int[] {a.value()}, new int[] {b.value()}));
          }
          try (RawClient.Reply r = raw.reply()) {
            assertEquals(Status.EBADF, r.status(), "both arrived, and PIN takes one");
          }
        }),
        custom("254 fds: the kernel refuses to send them", raw -> {
          assertEquals(22, sendMany(raw, new int[] {254}), "EINVAL (SCM_MAX_FD is 253)");
          assertEquals(22, sendMany(raw, new int[] {127, 127}), "in two control messages too");
          raw.send(stat);
          try (RawClient.Reply r = raw.reply()) {
            assertEquals(Status.OK, r.status(), "nothing reached the broker; the connection serves");
          }
        }),
        custom("MSG_CTRUNC: the broker's fd table is full", BadInputTest::fdTableFull),
        custom("an O_PATH fd", raw -> {
          try (Fd path = FileOps.open("/", FileOps.O_PATH)) {
            raw.send(RawClient.frame(ID, pin("/p"), 1), path.value());
          }
          try (RawClient.Reply r = raw.reply()) {
            assertEquals(Status.EBADF, r.status());
          }
        }));
  }

  /** Path rules (PROTOCOL.md §7). */
  static Stream<Case> paths() {
    return Stream.of(
        status("path with ..", new Request.Stat("/a/../b"), Status.EINVAL),
        status("the path /..", new Request.Stat("/.."), Status.EINVAL),
        status("path with .", new Request.Stat("/a/./b"), Status.EINVAL),
        status("relative path", new Request.Stat("a"), Status.EINVAL),
        status("empty path", new Request.Stat(""), Status.EINVAL),
        status("empty component", new Request.Stat("/a//b"), Status.EINVAL),
        status("the path //", new Request.Stat("//"), Status.EINVAL),
        status("trailing slash", new Request.Stat("/sentinel/"), Status.EINVAL),
        status("NUL in a path", new Request.Stat("/a\0b"), Status.EILSEQ),
        status("255-byte component is legal", new Request.Stat("/" + "c".repeat(255)), Status.ENOENT),
        status("256-byte component", new Request.Stat("/" + "c".repeat(256)), Status.ENAMETOOLONG),
        status("255 bytes of 2-byte characters plus one", new Request.Stat("/" + "é".repeat(128)), Status.ENAMETOOLONG),
        status("4095-byte path is legal", new Request.Stat(longPath(4095)), Status.ENOENT),
        status("4096-byte path", new Request.Stat(longPath(4096)), Status.ENAMETOOLONG),
        status("64 levels are legal", new Request.Stat("/d".repeat(64)), Status.ENOENT),
        status("path one level too deep", new Request.Stat("/d".repeat(65)), Status.ELOOP),
        status("a component below an entry", new Request.Stat("/sentinel/x"), Status.ENOTDIR));
  }

  /** /ccc...c/ccc...c of exactly {@code bytes} bytes, in components of at most 255. */
  static String longPath(int bytes) {
    StringBuilder b = new StringBuilder();
    while (b.length() < bytes) {
      int left = bytes - b.length() - 1;
      b.append('/').append("c".repeat(Math.min(200, Math.max(1, left))));
    }
    return b.toString();
  }

  /** Refusals of well-formed operations, as this process's uid. */
  static Stream<Case> operations() {
    return Stream.of(
        status("mode beyond 07777", new Request.Mkdir("/m", 010000), Status.EINVAL),
        status("mode 07777 (setuid, setgid)", new Request.Mkdir("/m", 07777), Status.EINVAL),
        status("mode of all ones", new Request.Chmod("/sentinel", -1), Status.EINVAL),
        status("setuid bit", new Request.Chmod("/sentinel", 04600), Status.EINVAL),
        withFds("unknown PIN flags", new Request.Pin("/p", 0600, -1, 0x10, 0), 1, 1, Status.EINVAL),
        withFds("PIN_TTL of 0 ms", new Request.Pin("/p", 0600, -1, Request.PIN_TTL, 0, 0), 1, 1, Status.EINVAL),
        withFds("CAS without REPLACE", new Request.Pin("/sentinel", 0600, -1, 2, 1), 1, 1, Status.EINVAL),
        withFds("stale generation", new Request.Pin("/sentinel", 0600, -1, 3, 999_999), 1, 1, Status.ESTALE),
        withFds("pin over an existing name", pin("/sentinel"), 1, 1, Status.EEXIST),
        withFds("replace a directory", new Request.Pin("/sticky", 0600, -1, 1, 0), 1, 1, Status.EISDIR),
        withFds("pin over the root", pin("/"), 1, 1, Status.EEXIST),
        status("unknown UNLINK flags", new Request.Unlink("/sentinel", 2), Status.EINVAL),
        status("unlink a directory", new Request.Unlink("/sticky", 0), Status.EISDIR),
        status("rmdir an entry", new Request.Rmdir("/sentinel"), Status.ENOTDIR),
        status("rmdir a directory with names in it", new Request.Rmdir("/sticky"), Status.ENOTEMPTY),
        status("rmdir the root", new Request.Rmdir("/"), Status.EBUSY),
        status("get a directory", new Request.Get("/sticky", true), Status.EISDIR),
        status("rename the root", new Request.Rename("/", "/x", RenameMode.REPLACE), Status.EBUSY),
        status("rename a directory into itself", new Request.Rename("/sticky", "/sticky/in", RenameMode.REPLACE), Status.EINVAL),
        status("rename a directory onto an entry", new Request.Rename("/readonly", "/sentinel", RenameMode.REPLACE), Status.ENOTDIR),
        status("no-replace rename onto itself", new Request.Rename("/sentinel", "/sentinel", RenameMode.NOREPLACE), Status.EEXIST),
        status("exchange with a missing name", new Request.Rename("/sentinel", "/missing", RenameMode.EXCHANGE), Status.ENOENT),
        status("exchange with itself", new Request.Rename("/sentinel", "/sentinel", RenameMode.EXCHANGE), Status.OK),
        status("chown by root to the same owner", new Request.Chown("/sentinel", -1, -1), Status.OK),
        status("CREATE_MAP of a type outside the policy", map("/m", 9, 4, 8, 1), Status.EPERM),
        status("CREATE_MAP with max_entries 0", map("/m", 1, 4, 8, 0), Status.EINVAL),
        status("CREATE_MAP over the size limit", map("/m", 2, 8, 1 << 20, 2), Status.E2BIG));
  }

  /** Rows that need another uid: ownership, the sticky bit, search permission, root only. */
  static Stream<Case> otherUid() {
    return Stream.of(
        asNobody("chown by non-root", new Request.Chown("/nobody/own", NOBODY, NOBODY), 0, Status.EPERM),
        asNobody("chmod by a non-owner", new Request.Chmod("/sentinel", 0666), 0, Status.EPERM),
        asNobody("unlink in a sticky directory by another user", new Request.Unlink("/sticky/roots", 0), 0, Status.EPERM),
        asNobody("rmdir of another's directory in the sticky root", new Request.Rmdir("/readonly"), 0, Status.EPERM),
        asNobody("rename another's entry out of a sticky directory", new Request.Rename("/sticky/roots", "/sticky/taken", RenameMode.REPLACE), 0, Status.EPERM),
        asNobody("rename its own entry over another's in a sticky directory", new Request.Rename("/sticky/nobodys", "/sticky/roots", RenameMode.REPLACE), 0, Status.EPERM),
        asNobody("exchange across ownership in a sticky directory", new Request.Rename("/sticky/nobodys", "/sticky/roots", RenameMode.EXCHANGE), 0, Status.EPERM),
        asNobody("rename its own entry into a directory it may not write", new Request.Rename("/nobody/own", "/readonly/own", RenameMode.REPLACE), 0, Status.EACCES),
        asNobody("replace another's entry in a sticky directory", new Request.Pin("/sticky/roots", 0644, -1, Request.PIN_REPLACE, 0), 1, Status.EPERM),
        asNobody("pin with a group it is not in", new Request.Pin("/nobody/x", 0644, 0, 0, 0), 1, Status.EPERM),
        asNobody("mkdir in a directory it may not write", new Request.Mkdir("/readonly/d", 0755), 0, Status.EACCES),
        asNobody("get below a directory it may not search", new Request.Get("/private/secret", true), 0, Status.EACCES),
        asNobody("stat below a directory it may not search", new Request.Stat("/private/missing"), 0, Status.EACCES),
        asNobody("get read-write without w", new Request.Get("/sentinel", false), 0, Status.EACCES),
        asNobody("list a directory it may not read", new Request.ListDir("/private", "", 0), 0, Status.EACCES),
        asNobody("TAKEOVER_BEGIN from another uid", new Request.TakeoverBegin(), 0, Status.EPERM),
        asNobody("CREATE_MAP in a directory it may not write", map("/readonly/m", 1, 4, 8, 1), 0, Status.EACCES));
  }

  // ---- the fixture and the checks after every row ----

  @BeforeAll
  static void start(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    dir = tmp;
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // for nobody
    broker = TestBroker.start(dir);
    try (PinbrokerClient c = broker.client()) {
      pinMemfd(c, "/sentinel", 0644);
      c.mkdir("/sticky", 01777);
      c.chmod("/sticky", 01777);
      pinMemfd(c, "/sticky/roots", 0644);
      pinMemfd(c, "/sticky/nobodys", 0644);
      c.chown("/sticky/nobodys", NOBODY, NOBODY);
      c.mkdir("/private", 0700);
      pinMemfd(c, "/private/secret", 0600);
      c.mkdir("/readonly", 0755);
      c.mkdir("/nobody", 0755);
      c.chown("/nobody", NOBODY, NOBODY);
      pinMemfd(c, "/nobody/own", 0644);
      c.chown("/nobody/own", NOBODY, NOBODY);
      fixture = snapshot(c);
    }
  }

  private static void pinMemfd(PinbrokerClient c, String path, int mode) throws IOException {
    try (Fd fd = FileOps.memfd(path.substring(path.lastIndexOf('/') + 1), 16, 0)) {
      c.pin(path, fd.value(), PinOptions.DEFAULT.mode(mode));
    }
  }

  @AfterAll
  static void stop() throws IOException {
    broker.close();
  }

  @Test
  void theTableHasARowForEachKindOfBadInput() {
    assertTrue(cases().count() >= 40, "rows: " + cases().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isAnsweredAndHarmsNothing(Case c) throws Exception {
    long pid = ProcessHandle.current().pid();
    awaitNoConnections(); // the previous case's connection closes asynchronously
    int baseline = FdCount.self();
    long mark = AuditCapture.mark();
    try (RawClient raw = connect(c)) {
      c.exchange().run(raw);
    }
    if (c.peer() == Peer.NOBODY) {
      for (String line : AuditCapture.since(mark)) {
        assertTrue(line.contains(" uid=65534 gid=65534 "), line);
      }
    }
    try (PinbrokerClient other = broker.client()) {
      assertEquals(fixture, snapshot(other), "every other entry and directory intact");
    }
    assertEquals(baseline, FdCount.settle(pid, baseline, Duration.ofSeconds(5)), "fd count");
  }

  private static RawClient connect(Case c) throws IOException {
    if (c.peer() == Peer.SELF) {
      RawClient raw = new RawClient(broker.socket);
      return c.greet() ? RawClient.greet(raw) : raw;
    }
    RawClient raw = new RawClient(AsUser.connect(broker.socket, NOBODY, NOBODY));
    raw.send(RawClient.frame(1, new Request.Hello(1, 1, 0), 0));
    try (RawClient.Reply hello = raw.reply()) {
      var session = (io.pinbroker.protocol.Reply.HelloReply) hello.frame().reply();
      assertEquals(List.of(NOBODY, NOBODY), List.of(session.uid(), session.gid()), "the broker sees nobody");
    }
    return raw;
  }

  /** Every node below the root, as "type kind mode uid:gid gen dev:ino". */
  static Map<String, String> snapshot(PinbrokerClient c) throws IOException {
    Map<String, String> out = new TreeMap<>();
    walk(c, "", out);
    return out;
  }

  private static void walk(PinbrokerClient c, String dirPath, Map<String, String> out)
      throws IOException {
    for (DirEntry e : c.list(dirPath.isEmpty() ? "/" : dirPath)) {
      String path = dirPath + "/" + e.name();
      NodeInfo i = e.info();
      out.put(
          path,
          String.format(
              "%s %s %o %d:%d gen %d %d:%d", i.type(), i.kind(), i.mode(), i.uid(), i.gid(),
              i.generation(), i.dev(), i.ino()));
      if (i.isDirectory()) {
        walk(c, path, out);
      }
    }
  }

  private static void awaitNoConnections() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (broker.broker.server().connectionCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static void sendWithFds(RawClient raw, byte[] datagram, int count) throws IOException {
    List<Fd> fds = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        fds.add(FileOps.memfd("x", 1, 0));
      }
      raw.send(datagram, fds.stream().mapToInt(Fd::value).toArray());
    } finally {
      fds.forEach(Fd::close);
    }
  }

  /** Sends a STAT with groups of memfds, one control message each; returns sendmsg's errno. */
  private static int sendMany(RawClient raw, int[] groups) throws IOException {
    List<Fd> fds = new ArrayList<>();
    try {
      int[][] numbers = new int[groups.length][];
      for (int g = 0; g < groups.length; g++) {
        numbers[g] = new int[groups[g]];
        for (int i = 0; i < groups[g]; i++) {
          Fd fd = FileOps.memfd("x", 1, 0);
          fds.add(fd);
          numbers[g][i] = fd.value();
        }
      }
      byte[] stat = patch(frame(new Request.Stat("/sentinel")), 10, 254);
      return Syscalls.sendmsg(raw.socket.fd(), stat, numbers);
    } finally {
      fds.forEach(Fd::close);
    }
  }

  /**
   * The client makes the broker's fd table full (it is this process's: the soft fd limit goes down
   * to the highest fd in use) and sends a PIN with 253 fds: the kernel can install none or few of
   * them, reports MSG_CTRUNC, and the broker answers ENOBUFS having closed what arrived.
   */
  private static void fdTableFull(RawClient raw) throws IOException {
    List<Fd> fds = new ArrayList<>();
    long soft = Syscalls.fdLimits()[0];
    try {
      for (int i = 0; i < 253; i++) {
        fds.add(FileOps.memfd("x", 1, 0));
      }
      int[] numbers = fds.stream().mapToInt(Fd::value).toArray();
      byte[] pin = RawClient.frame(ID, pin("/p"), 253);
      long highest = highestFd();
      Syscalls.softFdLimit(highest + 1);
      Status got;
      try {
        raw.send(pin, numbers);
        try (RawClient.Reply r = raw.reply()) {
          got = r.status();
        }
      } finally {
        Syscalls.softFdLimit(soft);
      }
      assertEquals(Status.ENOBUFS, got);
    } finally {
      fds.forEach(Fd::close);
    }
  }

  private static long highestFd() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.mapToLong(p -> Long.parseLong(p.getFileName().toString())).max().orElseThrow();
    }
  }
}
