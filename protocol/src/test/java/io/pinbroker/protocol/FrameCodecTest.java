package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pinbroker.protocol.Reply.Done;
import io.pinbroker.protocol.Reply.Failure;
import io.pinbroker.protocol.Reply.GetReply;
import io.pinbroker.protocol.Reply.HelloReply;
import io.pinbroker.protocol.Reply.ListReply;
import io.pinbroker.protocol.Reply.NodeReply;
import io.pinbroker.protocol.Reply.StatsReply;
import io.pinbroker.protocol.Reply.TakeoverBeginReply;
import io.pinbroker.protocol.Reply.TakeoverFdsReply;
import io.pinbroker.protocol.Reply.WatchEvent;
import io.pinbroker.protocol.Request.Chmod;
import io.pinbroker.protocol.Request.Chown;
import io.pinbroker.protocol.Request.CreateMap;
import io.pinbroker.protocol.Request.Get;
import io.pinbroker.protocol.Request.Hello;
import io.pinbroker.protocol.Request.ListDir;
import io.pinbroker.protocol.Request.Mkdir;
import io.pinbroker.protocol.Request.Pin;
import io.pinbroker.protocol.Request.Rename;
import io.pinbroker.protocol.Request.Rmdir;
import io.pinbroker.protocol.Request.Stat;
import io.pinbroker.protocol.Request.TakeoverBegin;
import io.pinbroker.protocol.Request.TakeoverDone;
import io.pinbroker.protocol.Request.TakeoverFds;
import io.pinbroker.protocol.Request.Unlink;
import io.pinbroker.protocol.Request.Watch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {

  // ---- fixtures ----

  private static final int HEADER = Frames.HEADER_BYTES;

  // Header field offsets, as the frame layout fixes them.
  private static final int OFF_MAGIC = 0;
  private static final int OFF_OPCODE = 2;
  private static final int OFF_FLAGS = 3;
  private static final int OFF_ID = 4;
  private static final int OFF_STATUS = 8;
  private static final int OFF_FD_COUNT = 10;
  private static final int OFF_RESERVED = 11;
  private static final int OFF_BODY_LENGTH = 12;

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("hello", new RequestFrame(1, 0, new Hello(1, 7, 0x8000_0000_0000_0001L))),
        Arguments.of(
            "pin",
            new RequestFrame(
                0xDEADBEEF,
                1,
                new Pin(
                    "/a/b/c",
                    01644,
                    Request.DEFAULT_ID,
                    Request.PIN_REPLACE | Request.PIN_CAS,
                    -2L))),
        Arguments.of("pin-plain", new RequestFrame(2, 1, new Pin("/x", 0600, 4242, 0, 0L))),
        Arguments.of(
            "pin-ttl-ephemeral",
            new RequestFrame(
                9, 1, new Pin("/lease", 0600, 0, Request.PIN_TTL | Request.PIN_EPHEMERAL, 0, 30_000))),
        Arguments.of("get-ro", new RequestFrame(3, 0, new Get("/ro", true))),
        Arguments.of("get-rw", new RequestFrame(4, 0, new Get("/rw", false))),
        Arguments.of("stat", new RequestFrame(5, 0, new Stat("/dir/\u00e9t\u00e9/\u20ac"))),
        Arguments.of("list", new RequestFrame(6, 0, new ListDir("/d", "after-this", 3))),
        Arguments.of("list-first", new RequestFrame(7, 0, new ListDir("/", "", 0))),
        Arguments.of("mkdir", new RequestFrame(8, 0, new Mkdir("/new", 01777))),
        Arguments.of("rmdir", new RequestFrame(9, 0, new Rmdir("/old"))),
        Arguments.of("unlink", new RequestFrame(10, 0, new Unlink("/gone", 0))),
        Arguments.of(
            "rename-replace", new RequestFrame(11, 0, new Rename("/a", "/b", RenameMode.REPLACE))),
        Arguments.of(
            "rename-noreplace",
            new RequestFrame(12, 0, new Rename("/a", "/b/c", RenameMode.NOREPLACE))),
        Arguments.of(
            "rename-exchange",
            new RequestFrame(13, 0, new Rename("/p/q", "/r", RenameMode.EXCHANGE))),
        Arguments.of("chmod", new RequestFrame(14, 0, new Chmod("/m", 0640))),
        Arguments.of("chown", new RequestFrame(15, 0, new Chown("/o", 1000, Request.DEFAULT_ID))),
        Arguments.of("unlink-force", new RequestFrame(16, 0, new Unlink("/prog", Request.UNLINK_FORCE))),
        Arguments.of(
            "create-map",
            new RequestFrame(17, 0, new CreateMap("/m", 0640, 1234, false, 2, 4, 8, 64, 0, "stats"))),
        Arguments.of(
            "create-sim-map",
            new RequestFrame(18, 0, new CreateMap("/s", 0600, -1, true, 1, 8, 32, 1024, 1, ""))),
        Arguments.of(
            "max-fds",
            new RequestFrame(Integer.MAX_VALUE, Limits.MAX_FDS_PER_FRAME, new Stat("/f"))),
        Arguments.of("takeover-begin", new RequestFrame(19, 0, new TakeoverBegin())),
        Arguments.of("takeover-fds-first", new RequestFrame(20, 0, new TakeoverFds(0))),
        Arguments.of(
            "takeover-fds-unsigned",
            new RequestFrame(21, 0, new TakeoverFds(0x8000_0000_0000_0005L))),
        Arguments.of("takeover-done", new RequestFrame(22, 0, new TakeoverDone())),
        Arguments.of("stats", new RequestFrame(26, 0, new Request.GetStats())),
        Arguments.of("watch", new RequestFrame(23, 0, new Watch("/net", 0))),
        Arguments.of(
            "watch-recursive", new RequestFrame(24, 0, new Watch("/", Request.WATCH_RECURSIVE))),
        // Unknown bits are the broker's to refuse (EINVAL), not the codec's.
        Arguments.of("watch-unknown-flags", new RequestFrame(25, 0, new Watch("/w", 0xFF))));
  }

  /** {@code n} increasing ids from {@code first}, {@code step} apart. */
  private static List<Long> ids(long first, long step, int n) {
    List<Long> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(first + i * step);
    }
    return ids;
  }

  private static NodeInfo info(long seed) {
    return new NodeInfo(
        NodeType.ENTRY,
        ObjectKind.FD,
        FdType.MEMFD,
        (int) (seed & 01777),
        (int) (1000 + seed),
        (int) (2000 + seed),
        seed + 1,
        1_700_000_000_123_456_789L + seed,
        1_700_000_000_987_654_321L + seed,
        0xFFFF_FFFF_0000_0001L + seed,
        0x7FFF_0000_0000_0000L + seed,
        4096 * seed,
        0);
  }

  private static NodeInfo withKind(ObjectKind kind, ObjectDetails details) {
    NodeInfo i = info(9);
    return new NodeInfo(
            i.type(), kind, FdType.ANON_INODE, i.mode(), i.uid(), i.gid(), i.generation(),
            i.ctimeNanos(), i.mtimeNanos(), i.dev(), i.ino(), i.size(), 0)
        .withDetails(details);
  }

  private static final NodeInfo DIR_INFO =
      new NodeInfo(
          NodeType.DIRECTORY, ObjectKind.NONE, FdType.NONE, 01777, 0, 0, 1, 5, 6, 0, 0, 0, 42);

  static Stream<Arguments> replies() {
    List<DirEntry> many = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      many.add(new DirEntry("name-" + i + "-\u00fc", info(i)));
    }
    many.add(new DirEntry("sub", DIR_INFO));
    return Stream.of(
        Arguments.of(
            "hello",
            new ReplyFrame(
                1,
                Opcode.HELLO.code(),
                0,
                new HelloReply(1, Frames.FEATURES, Limits.MAX_FRAME_BYTES, 253, 4321, 1000, 100))),
        Arguments.of(
            "hello-extremes",
            new ReplyFrame(
                -1, Opcode.HELLO.code(), 0, new HelloReply(65535, -1L, -7, 65534, -1, -2, -3))),
        Arguments.of("node-pin", new ReplyFrame(2, Opcode.PIN.code(), 0, new NodeReply(info(3)))),
        Arguments.of(
            "node-stat", new ReplyFrame(3, Opcode.STAT.code(), 0, new NodeReply(DIR_INFO))),
        Arguments.of(
            "node-mkdir", new ReplyFrame(4, Opcode.MKDIR.code(), 0, new NodeReply(info(4)))),
        Arguments.of(
            "node-chmod", new ReplyFrame(5, Opcode.CHMOD.code(), 0, new NodeReply(info(5)))),
        Arguments.of(
            "node-chown", new ReplyFrame(6, Opcode.CHOWN.code(), 0, new NodeReply(info(6)))),
        Arguments.of(
            "get-reopened",
            new ReplyFrame(7, Opcode.GET.code(), 1, new GetReply(info(7), Handout.REOPENED))),
        Arguments.of(
            "get-shared",
            new ReplyFrame(8, Opcode.GET.code(), 1, new GetReply(info(8), Handout.SHARED))),
        Arguments.of(
            "list-many-more", new ReplyFrame(9, Opcode.LIST.code(), 0, new ListReply(many, true))),
        Arguments.of(
            "list-many-last",
            new ReplyFrame(10, Opcode.LIST.code(), 0, new ListReply(many, false))),
        Arguments.of(
            "list-empty",
            new ReplyFrame(11, Opcode.LIST.code(), 0, new ListReply(List.of(), false))),
        Arguments.of("done-rmdir", new ReplyFrame(12, Opcode.RMDIR.code(), 0, new Done())),
        Arguments.of("done-unlink", new ReplyFrame(13, Opcode.UNLINK.code(), 0, new Done())),
        Arguments.of("done-rename", new ReplyFrame(14, Opcode.RENAME.code(), 0, new Done())),
        Arguments.of(
            "failure",
            new ReplyFrame(
                15, Opcode.GET.code(), 0, new Failure(Status.EACCES, "mode denies read"))),
        Arguments.of(
            "failure-empty",
            new ReplyFrame(16, Opcode.PIN.code(), 0, new Failure(Status.ESTALE, ""))),
        Arguments.of(
            "create-map-node",
            new ReplyFrame(
                18,
                Opcode.CREATE_MAP.code(),
                0,
                new NodeReply(
                    withKind(ObjectKind.BPF_MAP, new ObjectDetails.MapDetails(2, 77, 4, 8, 64, 0, "stats", List.of()))))),
        Arguments.of(
            "stat-prog-array",
            new ReplyFrame(
                19,
                Opcode.STAT.code(),
                0,
                new NodeReply(
                    withKind(
                        ObjectKind.SIM_MAP,
                        new ObjectDetails.MapDetails(
                            3, 0, 4, 4, 8, 0, "jumps",
                            List.of(
                                new ObjectDetails.ProgArraySlot(0, 12, "/progs/v1"),
                                new ObjectDetails.ProgArraySlot(5, 13, ""))))))),
        Arguments.of(
            "get-prog-advisory",
            new ReplyFrame(
                20,
                Opcode.GET.code(),
                1,
                new GetReply(
                    withKind(ObjectKind.BPF_PROG, new ObjectDetails.ProgDetails(1, 9, "00ff10a0b0c0d0e0", "filter")),
                    Handout.ADVISORY))),
        Arguments.of(
            "list-link",
            new ReplyFrame(
                21,
                Opcode.LIST.code(),
                0,
                new ListReply(
                    List.of(new DirEntry("l", withKind(ObjectKind.BPF_LINK, new ObjectDetails.LinkDetails(17, 3, 9)))),
                    false))),
        Arguments.of(
            "failure-unknown-opcode",
            new ReplyFrame(17, 0x7F, 0, new Failure(Status.ENOSYS, "opcode 127"))),
        Arguments.of(
            "takeover-begin",
            new ReplyFrame(22, Opcode.TAKEOVER_BEGIN.code(), 2, new TakeoverBeginReply(1234))),
        Arguments.of(
            "takeover-begin-unsigned",
            new ReplyFrame(23, Opcode.TAKEOVER_BEGIN.code(), 2, new TakeoverBeginReply(-1L))),
        Arguments.of(
            "takeover-fds-more",
            new ReplyFrame(
                24,
                Opcode.TAKEOVER_FDS.code(),
                3,
                new TakeoverFdsReply(List.of(3L, 4L, 9L), true))),
        Arguments.of(
            "takeover-fds-full-unsigned",
            new ReplyFrame(
                25,
                Opcode.TAKEOVER_FDS.code(),
                Limits.MAX_FDS_PER_FRAME,
                // Ids run past 2^63: they are ordered as unsigned numbers.
                new TakeoverFdsReply(
                    ids(Long.MAX_VALUE - 95, 1, Limits.MAX_FDS_PER_FRAME), false))),
        Arguments.of(
            "takeover-fds-empty",
            new ReplyFrame(
                26, Opcode.TAKEOVER_FDS.code(), 0, new TakeoverFdsReply(List.of(), false))),
        Arguments.of(
            "done-takeover", new ReplyFrame(27, Opcode.TAKEOVER_DONE.code(), 0, new Done())),
        Arguments.of(
            "failure-takeover-eagain",
            new ReplyFrame(28, Opcode.PIN.code(), 0, new Failure(Status.EAGAIN, "handoff"))),
        Arguments.of(
            "stats",
            new ReplyFrame(38, Opcode.STATS.code(), 0, new StatsReply(StatsCodecTest.FULL))),
        Arguments.of(
            "stats-empty",
            new ReplyFrame(
                39,
                Opcode.STATS.code(),
                0,
                new StatsReply(new Stats(List.of(), List.of(), List.of())))),
        Arguments.of("watch", new ReplyFrame(29, Opcode.WATCH.code(), 0, new NodeReply(DIR_INFO))),
        Arguments.of("event-created", event(30, EventType.CREATED, "/d/\u00e9", "", info(1))),
        Arguments.of("event-replaced", event(31, EventType.REPLACED, "/d/e", "", info(2))),
        Arguments.of("event-removed", event(32, EventType.REMOVED, "/d", "", DIR_INFO)),
        Arguments.of("event-expired", event(33, EventType.EXPIRED, "/d/e", "", info(3))),
        Arguments.of("event-moved", event(34, EventType.MOVED, "/d/a", "/x/b", info(4))),
        Arguments.of("event-exchanged", event(35, EventType.EXCHANGED, "/a", "/b", DIR_INFO)),
        Arguments.of(
            "event-attrs-details",
            event(
                36,
                EventType.ATTRS,
                "/m",
                "",
                withKind(
                    ObjectKind.SIM_MAP,
                    new ObjectDetails.MapDetails(1, 0, 4, 8, 16, 0, "m", List.of())))),
        Arguments.of(
            "event-overflow",
            new ReplyFrame(-1, Opcode.WATCH_EVENT.code(), 0, WatchEvent.overflow())),
        Arguments.of(
            "failure-watch",
            new ReplyFrame(37, Opcode.WATCH.code(), 0, new Failure(Status.EACCES, "no read"))));
  }

  private static ReplyFrame event(int id, EventType type, String path, String to, NodeInfo info) {
    return new ReplyFrame(id, Opcode.WATCH_EVENT.code(), 0, new WatchEvent(type, path, to, info));
  }

  private static byte[] encode(RequestFrame f) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeRequest(f, out);
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  private static byte[] encode(ReplyFrame f) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeReply(f, out);
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  private static DecodedRequest decode(byte[] bytes) {
    return FrameCodec.decodeRequest(ByteBuffer.wrap(bytes));
  }

  private static DecodedRequest decode(byte[] bytes, int length) {
    return FrameCodec.decodeRequest(ByteBuffer.wrap(bytes, 0, length));
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Rewrites body_length to match the bytes that follow the header. */
  private static byte[] fixLength(byte[] frame) {
    le(frame).putInt(OFF_BODY_LENGTH, frame.length - HEADER);
    return frame;
  }

  /** A request frame built by hand (bypassing the encoder). */
  private static byte[] rawFrame(
      int opcode, int flags, int id, int status, int fdCount, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) Frames.MAGIC)
        .put((byte) opcode)
        .put((byte) flags)
        .putInt(id)
        .putShort((short) status)
        .put((byte) fdCount)
        .put((byte) 0)
        .putInt(body.length)
        .put(body);
    return b.array();
  }

  private static byte[] stringField(byte[] utf8) {
    ByteBuffer b = ByteBuffer.allocate(2 + utf8.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) utf8.length).put(utf8);
    return b.array();
  }

  private static void assertMalformed(DecodedRequest d, String what) {
    assertInstanceOf(DecodedRequest.Malformed.class, d, what);
  }

  // ---- round trips ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void requestRoundTrip(String name, RequestFrame frame) {
    byte[] bytes = encode(frame);
    assertEquals(HEADER + le(bytes).getInt(OFF_BODY_LENGTH), bytes.length, "body_length");
    assertEquals(new DecodedRequest.Valid(frame), decode(bytes));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void replyRoundTrip(String name, ReplyFrame frame) throws MalformedFrameException {
    byte[] bytes = encode(frame);
    assertEquals(HEADER + le(bytes).getInt(OFF_BODY_LENGTH), bytes.length, "body_length");
    assertEquals(frame, FrameCodec.decodeReply(ByteBuffer.wrap(bytes)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void requestHeaderLayout(String name, RequestFrame frame) {
    byte[] bytes = encode(frame);
    ByteBuffer b = le(bytes);
    assertEquals('P', bytes[0]);
    assertEquals('B', bytes[1]);
    assertEquals(frame.request().opcode().code(), bytes[OFF_OPCODE] & 0xFF);
    assertEquals(0, bytes[OFF_FLAGS]);
    assertEquals(frame.requestId(), b.getInt(OFF_ID));
    assertEquals(0, b.getShort(OFF_STATUS));
    assertEquals(frame.fdCount(), bytes[OFF_FD_COUNT] & 0xFF);
    assertEquals(0, bytes[OFF_RESERVED]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void replyHeaderLayout(String name, ReplyFrame frame) {
    byte[] bytes = encode(frame);
    ByteBuffer b = le(bytes);
    assertEquals(Frames.MAGIC, b.getShort(OFF_MAGIC) & 0xFFFF);
    assertEquals(frame.opcode(), bytes[OFF_OPCODE] & 0xFF);
    assertEquals(Frames.FLAG_REPLY, bytes[OFF_FLAGS]);
    assertEquals(frame.requestId(), b.getInt(OFF_ID));
    assertEquals(frame.reply().status().code(), b.getShort(OFF_STATUS) & 0xFFFF);
    assertEquals(frame.fdCount(), bytes[OFF_FD_COUNT] & 0xFF);
  }

  @Test
  void encodesAtTheBufferPositionAndDecodesFromIt() throws MalformedFrameException {
    RequestFrame req = new RequestFrame(77, 0, new Stat("/offset"));
    ByteBuffer out = ByteBuffer.allocate(1024);
    out.put(new byte[] {9, 9, 9});
    FrameCodec.encodeRequest(req, out);
    assertEquals(3, out.position());
    assertEquals(encode(req).length, out.remaining());
    assertEquals(new DecodedRequest.Valid(req), FrameCodec.decodeRequest(out));

    ReplyFrame rep = new ReplyFrame(78, Opcode.RMDIR.code(), 0, new Done());
    ByteBuffer out2 = ByteBuffer.allocate(1024);
    out2.put(new byte[] {1, 2, 3, 4, 5});
    FrameCodec.encodeReply(rep, out2);
    assertEquals(5, out2.position());
    assertEquals(rep, FrameCodec.decodeReply(out2));
  }

  @Test
  void failureDetailIsCappedAtMaxDetailBytes() throws MalformedFrameException {
    String detail = "x".repeat(Limits.MAX_DETAIL_BYTES + 500);
    ReplyFrame f = new ReplyFrame(1, Opcode.STAT.code(), 0, new Failure(Status.ENOENT, detail));
    Reply decoded = FrameCodec.decodeReply(ByteBuffer.wrap(encode(f))).reply();
    Failure failure = assertInstanceOf(Failure.class, decoded);
    assertEquals(Status.ENOENT, failure.status());
    assertEquals(detail.substring(0, Limits.MAX_DETAIL_BYTES), failure.detail());
  }

  // ---- request rejects ----

  @Test
  void emptyBufferIsMalformed() {
    assertMalformed(decode(new byte[0]), "empty");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void everyTruncationIsMalformed(String name, RequestFrame frame) {
    byte[] bytes = encode(frame);
    for (int len = 0; len < bytes.length; len++) {
      assertMalformed(decode(bytes, len), name + " truncated to " + len);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void everyTruncationWithMatchingBodyLengthIsMalformed(String name, RequestFrame frame) {
    // The body_length is rewritten so that only the body parser can notice the truncation.
    byte[] bytes = encode(frame);
    for (int len = HEADER; len < bytes.length; len++) {
      byte[] cut = fixLength(Arrays.copyOf(bytes, len));
      DecodedRequest d = decode(cut);
      assertMalformed(d, name + " body truncated to " + (len - HEADER));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0x0000, 0x5042, 0x4251, 0x4150, 0xFFFF})
  void badMagicIsMalformed(int magic) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    le(bytes).putShort(OFF_MAGIC, (short) magic);
    assertMalformed(decode(bytes), "magic " + Integer.toHexString(magic));
  }

  @Test
  void replyFlagOnRequestIsMalformed() {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    bytes[OFF_FLAGS] = Frames.FLAG_REPLY;
    assertMalformed(decode(bytes), "reply flag");
  }

  @ParameterizedTest
  @ValueSource(ints = {0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFE})
  void reservedFlagBitsAreMalformed(int flags) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    bytes[OFF_FLAGS] = (byte) flags;
    assertMalformed(decode(bytes), "flags " + flags);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x80, 0xFF})
  void reservedHeaderByteIsMalformed(int reserved) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    bytes[OFF_RESERVED] = (byte) reserved;
    assertMalformed(decode(bytes), "reserved " + reserved);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 13, 0x100, 0xFFFF})
  void nonZeroStatusOnRequestIsMalformed(int status) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    le(bytes).putShort(OFF_STATUS, (short) status);
    assertMalformed(decode(bytes), "status " + status);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 1, 2, 1000, Integer.MAX_VALUE, Integer.MIN_VALUE, -16})
  void bodyLengthMismatchIsMalformed(int delta) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/abc")));
    int body = bytes.length - HEADER;
    le(bytes).putInt(OFF_BODY_LENGTH, body + delta);
    assertMalformed(decode(bytes), "body_length off by " + delta);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void trailingBytesAreMalformed(String name, RequestFrame frame) {
    byte[] bytes = encode(frame);
    for (int extra = 1; extra <= 3; extra++) {
      byte[] longer = fixLength(Arrays.copyOf(bytes, bytes.length + extra));
      assertMalformed(decode(longer), name + " + " + extra + " trailing bytes");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 6, 100, 0xFFFF})
  void stringLengthOverrunningTheBodyIsMalformed(int claimed) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/abc")));
    le(bytes).putShort(HEADER, (short) claimed);
    assertMalformed(decode(bytes), "string length " + claimed + " of a 4-byte body");
  }

  static Stream<Arguments> invalidUtf8() {
    HexFormat hex = HexFormat.of();
    return Stream.of(
            "ff", // never valid
            "c080", // overlong NUL
            "c1bf", // overlong
            "e08080", // overlong 3-byte
            "eda080", // UTF-16 surrogate
            "f4908080", // beyond U+10FFFF
            "80", // lone continuation byte
            "e282", // truncated 3-byte sequence
            "c3", // truncated 2-byte sequence
            "f8888080")
        .map(h -> Arguments.of(h, hex.parseHex(h)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUtf8")
  void invalidUtf8InAPathIsMalformed(String hex, byte[] bad) {
    byte[] path = new byte[bad.length + 2];
    path[0] = '/';
    path[1] = 'a';
    System.arraycopy(bad, 0, path, 2, bad.length);
    byte[] frame = rawFrame(Opcode.STAT.code(), 0, 1, 0, 0, stringField(path));
    assertMalformed(decode(frame), "path with " + hex);
    // The rename's second path, and LIST's "after", are strings too.
    byte[] rename =
        rawFrame(
            Opcode.RENAME.code(),
            0,
            1,
            0,
            0,
            concat(
                stringField("/ok".getBytes(StandardCharsets.UTF_8)),
                stringField(path),
                new byte[] {0}));
    assertMalformed(decode(rename), "rename target with " + hex);
    byte[] list =
        rawFrame(
            Opcode.LIST.code(),
            0,
            1,
            0,
            0,
            concat(
                stringField("/".getBytes(StandardCharsets.UTF_8)), stringField(bad), new byte[4]));
    assertMalformed(decode(list), "list after with " + hex);
  }

  @Test
  void validMultiByteUtf8IsAccepted() {
    byte[] path = "/\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
    byte[] frame = rawFrame(Opcode.STAT.code(), 0, 1, 0, 0, stringField(path));
    assertEquals(
        new DecodedRequest.Valid(new RequestFrame(1, 0, new Stat("/\u00e9\u20ac\uD83D\uDE00"))),
        decode(frame));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 0x7F, 0x80, 0xFF})
  void unknownAccessByteInGetIsMalformed(int access) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Get("/g", true)));
    bytes[bytes.length - 1] = (byte) access;
    assertMalformed(decode(bytes), "access " + access);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 4, 0x80, 0xFF})
  void unknownRenameModeIsMalformed(int mode) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Rename("/a", "/b", RenameMode.REPLACE)));
    bytes[bytes.length - 1] = (byte) mode;
    assertMalformed(decode(bytes), "rename mode " + mode);
  }

  @Test
  void everyKnownRenameModeByteDecodes() {
    for (RenameMode m : RenameMode.values()) {
      byte[] bytes = encode(new RequestFrame(1, 0, new Rename("/a", "/b", RenameMode.REPLACE)));
      bytes[bytes.length - 1] = (byte) m.code();
      DecodedRequest.Valid v = assertInstanceOf(DecodedRequest.Valid.class, decode(bytes));
      assertEquals(m, ((Rename) v.frame().request()).mode());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {254, 255})
  void fdCountAbove253IsMalformed(int fdCount) {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    bytes[OFF_FD_COUNT] = (byte) fdCount;
    assertMalformed(decode(bytes), "fd_count " + fdCount);
  }

  @Test
  void fdCountOf253IsAccepted() {
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat("/a")));
    bytes[OFF_FD_COUNT] = (byte) 253;
    DecodedRequest.Valid v = assertInstanceOf(DecodedRequest.Valid.class, decode(bytes));
    assertEquals(253, v.frame().fdCount());
  }

  /** A STAT frame of exactly {@code total} bytes, built by hand. */
  private static byte[] statFrameOfSize(int total) {
    byte[] path = new byte[total - HEADER - 2];
    Arrays.fill(path, (byte) 'p');
    path[0] = '/';
    return rawFrame(Opcode.STAT.code(), 0, 1, 0, 0, stringField(path));
  }

  @Test
  void datagramOfMaxFrameBytesIsAcceptedAndOneMoreIsMalformed() {
    byte[] max = statFrameOfSize(Limits.MAX_FRAME_BYTES);
    assertEquals(Limits.MAX_FRAME_BYTES, max.length);
    assertInstanceOf(DecodedRequest.Valid.class, decode(max));

    byte[] over = statFrameOfSize(Limits.MAX_FRAME_BYTES + 1);
    assertEquals(Limits.MAX_FRAME_BYTES + 1, over.length);
    assertMalformed(decode(over), "datagram of MAX_FRAME_BYTES + 1");

    byte[] huge = fixLength(Arrays.copyOf(max, 3 * Limits.MAX_FRAME_BYTES));
    assertMalformed(decode(huge), "datagram of 3 * MAX_FRAME_BYTES");
  }

  @Test
  void oversizeReplyDatagramIsRejected() {
    byte[] over = statFrameOfSize(Limits.MAX_FRAME_BYTES + 1);
    over[OFF_FLAGS] = Frames.FLAG_REPLY;
    le(over).putShort(OFF_STATUS, (short) Status.ENOENT.code());
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(over)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x11, 0x13, 0x42, 0x80, 0xFF})
  void unknownOpcodeYieldsUnknownOpcodeWithTheRequestId(int opcode) {
    byte[] frame = rawFrame(opcode, 0, 0xCAFEBABE, 0, 3, new byte[] {1, 2, 3, 4, 5});
    assertEquals(new DecodedRequest.UnknownOpcode(0xCAFEBABE, opcode, 3), decode(frame));
    byte[] empty = rawFrame(opcode, 0, 99, 0, 0, new byte[0]);
    assertEquals(new DecodedRequest.UnknownOpcode(99, opcode, 0), decode(empty));
  }

  @Test
  void unknownOpcodeWithBrokenHeaderIsStillMalformed() {
    byte[] frame = rawFrame(0x55, 0, 7, 0, 0, new byte[] {1, 2});
    le(frame).putInt(OFF_BODY_LENGTH, 5);
    assertMalformed(decode(frame), "unknown opcode but bad body_length");
  }

  // ---- encoding limits ----

  @Test
  void encodingAFrameOfExactlyMaxFrameBytesSucceeds() {
    String path = "/" + "p".repeat(Limits.MAX_FRAME_BYTES - HEADER - 2 - 1);
    byte[] bytes = encode(new RequestFrame(1, 0, new Stat(path)));
    assertEquals(Limits.MAX_FRAME_BYTES, bytes.length);
    assertEquals(new DecodedRequest.Valid(new RequestFrame(1, 0, new Stat(path))), decode(bytes));
  }

  @Test
  void encodingAFrameLargerThanMaxFrameBytesThrows() {
    // One byte over the cap, in a buffer that would have room for it.
    String path = "/" + "p".repeat(Limits.MAX_FRAME_BYTES - HEADER - 2);
    ByteBuffer roomy = ByteBuffer.allocate(2 * Limits.MAX_FRAME_BYTES);
    assertThrows(
        IllegalArgumentException.class,
        () -> FrameCodec.encodeRequest(new RequestFrame(1, 0, new Stat(path)), roomy));

    // Two strings that each fit a u16 but together overflow the frame.
    String half = "/" + "q".repeat(40_000);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            FrameCodec.encodeRequest(
                new RequestFrame(1, 0, new Rename(half, half, RenameMode.REPLACE)),
                ByteBuffer.allocate(4 * Limits.MAX_FRAME_BYTES)));

    // A LIST reply whose entries overflow the frame.
    List<DirEntry> entries = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      entries.add(new DirEntry("entry-" + i, info(i)));
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            FrameCodec.encodeReply(
                new ReplyFrame(1, Opcode.LIST.code(), 0, new ListReply(entries, true)),
                ByteBuffer.allocate(4 * Limits.MAX_FRAME_BYTES)));
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 254, 1000})
  void encodingAnOutOfRangeFdCountThrows(int fdCount) {
    assertThrows(
        IllegalArgumentException.class, () -> encode(new RequestFrame(1, fdCount, new Stat("/a"))));
    assertThrows(
        IllegalArgumentException.class,
        () -> encode(new ReplyFrame(1, Opcode.GET.code(), fdCount, new Done())));
  }

  // ---- reply decoding ----

  @ParameterizedTest
  @ValueSource(ints = {3, 1000, 0x7FFF, 0xFFFF})
  void replyWithUnknownStatusDecodesToEproto(int status) throws MalformedFrameException {
    assertEquals(null, Status.valueOf(status), "test premise: status unknown");
    byte[] frame =
        rawFrame(
            Opcode.STAT.code(),
            Frames.FLAG_REPLY,
            31,
            status,
            0,
            stringField("why".getBytes(StandardCharsets.UTF_8)));
    ReplyFrame r = FrameCodec.decodeReply(ByteBuffer.wrap(frame));
    assertEquals(31, r.requestId());
    assertEquals(Opcode.STAT.code(), r.opcode());
    Failure f = assertInstanceOf(Failure.class, r.reply());
    assertEquals(Status.EPROTO, f.status());
    assertTrue(f.detail().contains("why"), f.detail());
  }

  @Test
  void everyKnownStatusDecodesToItself() throws MalformedFrameException {
    for (Status s : Status.values()) {
      if (s == Status.OK) {
        continue;
      }
      ReplyFrame f = new ReplyFrame(s.code(), Opcode.PIN.code(), 0, new Failure(s, s.message()));
      assertEquals(f, FrameCodec.decodeReply(ByteBuffer.wrap(encode(f))));
    }
  }

  @Test
  void replyWithoutReplyFlagIsRejected() {
    byte[] bytes = encode(new ReplyFrame(1, Opcode.RMDIR.code(), 0, new Done()));
    bytes[OFF_FLAGS] = 0;
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(bytes)));
  }

  @Test
  void okReplyWithUnknownOpcodeIsRejected() {
    byte[] bytes = rawFrame(0x33, Frames.FLAG_REPLY, 1, 0, 0, new byte[0]);
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(bytes)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void everyReplyTruncationIsRejected(String name, ReplyFrame frame) {
    byte[] bytes = encode(frame);
    for (int len = 0; len < bytes.length; len++) {
      ByteBuffer cut = ByteBuffer.wrap(bytes, 0, len);
      assertThrows(
          MalformedFrameException.class, () -> FrameCodec.decodeReply(cut), name + " @" + len);
      byte[] fixed = len >= HEADER ? fixLength(Arrays.copyOf(bytes, len)) : null;
      if (fixed != null) {
        assertThrows(
            MalformedFrameException.class,
            () -> FrameCodec.decodeReply(ByteBuffer.wrap(fixed)),
            name + " body cut to " + (len - HEADER));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void replyTrailingBytesAreRejected(String name, ReplyFrame frame) {
    byte[] longer = fixLength(Arrays.copyOf(encode(frame), encode(frame).length + 1));
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(longer)));
  }

  @Test
  void listReplyWithAnImpossibleEntryCountIsRejected() {
    byte[] bytes =
        encode(
            new ReplyFrame(
                1,
                Opcode.LIST.code(),
                0,
                new ListReply(List.of(new DirEntry("a", info(1))), false)));
    le(bytes).putShort(HEADER + 2, (short) 0xFFFF);
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(bytes)));
  }

  /** Found by FrameCodecFuzzTest: these decoded, and encoded back with 0 or 1 in their place. */
  @ParameterizedTest
  @ValueSource(ints = {1, 0x5D, 0xFF})
  void aListReplyWhoseReservedOrMoreByteIsOutOfRangeIsRejected(int bad) {
    byte[] page =
        encode(
            new ReplyFrame(
                1, Opcode.LIST.code(), 0, new ListReply(List.of(new DirEntry("a", info(1))), true)));
    byte[] reserved = page.clone();
    reserved[HEADER + 1] = (byte) bad;
    assertReplyMalformed(reserved, "reserved " + bad);
    if (bad > 1) {
      byte[] more = page.clone();
      more[HEADER] = (byte) bad;
      assertReplyMalformed(more, "more " + bad);
    }
  }

  /** Found by FrameCodecFuzzTest: the NodeInfo's reserved byte was read and ignored. */
  @ParameterizedTest
  @ValueSource(ints = {1, 0x5D, 0xFF})
  void aNodeInfoWhoseReservedByteIsNotZeroIsRejected(int bad) {
    byte[] stat = encode(new ReplyFrame(1, Opcode.STAT.code(), 0, new NodeReply(info(1))));
    stat[HEADER + 3] = (byte) bad;
    assertReplyMalformed(stat, "reserved " + bad);
  }

  // ---- takeover pages and fd counts ----

  /** A TAKEOVER_FDS reply built by hand: the more byte, the u16 count, then the ids. */
  private static byte[] takeoverPage(int more, int count, List<Long> ids, int fdCount) {
    ByteBuffer body = ByteBuffer.allocate(3 + 8 * ids.size()).order(ByteOrder.LITTLE_ENDIAN);
    body.put((byte) more).putShort((short) count);
    ids.forEach(body::putLong);
    return rawFrame(Opcode.TAKEOVER_FDS.code(), Frames.FLAG_REPLY, 1, 0, fdCount, body.array());
  }

  private static void assertReplyMalformed(byte[] bytes, String what) {
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(bytes)), what);
  }

  @Test
  void aHandBuiltTakeoverPageDecodes() throws MalformedFrameException {
    ReplyFrame f = FrameCodec.decodeReply(ByteBuffer.wrap(takeoverPage(1, 2, List.of(5L, 6L), 2)));
    assertEquals(new TakeoverFdsReply(List.of(5L, 6L), true), f.reply());
    assertEquals(2, f.fdCount());
  }

  @Test
  void aTakeoverPageOfMoreThan253IdsIsRejected() {
    assertReplyMalformed(takeoverPage(0, 254, ids(1, 1, 254), 253), "254 ids");
    assertReplyMalformed(takeoverPage(0, 0xFFFF, ids(1, 1, 254), 253), "count 65535");
    assertThrows(IllegalArgumentException.class, () -> new TakeoverFdsReply(ids(1, 1, 254), false));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 0x80, 0xFF})
  void aTakeoverPageMoreByteOtherThan0Or1IsRejected(int more) {
    assertReplyMalformed(takeoverPage(more, 1, List.of(7L), 1), "more " + more);
  }

  @Test
  void anEmptyTakeoverPageThatSaysMoreFollowIsRejected() {
    assertReplyMalformed(takeoverPage(1, 0, List.of(), 0), "empty page with more");
    assertThrows(IllegalArgumentException.class, () -> new TakeoverFdsReply(List.of(), true));
  }

  static Stream<Arguments> disorderedPages() {
    return Stream.of(
        Arguments.of("id 0", List.of(0L)),
        Arguments.of("id 0 first", List.of(0L, 1L)),
        Arguments.of("a repeated id", List.of(5L, 5L)),
        Arguments.of("decreasing ids", List.of(2L, 6L, 5L)),
        Arguments.of("signed order", List.of(Long.MIN_VALUE, 1L)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("disorderedPages")
  void aTakeoverPageOutOfOrderIsRejected(String name, List<Long> ids) {
    assertReplyMalformed(takeoverPage(0, ids.size(), ids, ids.size()), name);
    assertThrows(IllegalArgumentException.class, () -> new TakeoverFdsReply(ids, false), name);
  }

  static Stream<Arguments> fdCountMismatches() {
    NodeInfo entry = info(1);
    return Stream.of(
        Arguments.of("GET without its fd", Opcode.GET, new GetReply(entry, Handout.SHARED), 0),
        Arguments.of("GET with two fds", Opcode.GET, new GetReply(entry, Handout.SHARED), 2),
        Arguments.of("BEGIN with no fds", Opcode.TAKEOVER_BEGIN, new TakeoverBeginReply(1), 0),
        Arguments.of("BEGIN with one fd", Opcode.TAKEOVER_BEGIN, new TakeoverBeginReply(1), 1),
        Arguments.of("BEGIN with three fds", Opcode.TAKEOVER_BEGIN, new TakeoverBeginReply(1), 3),
        Arguments.of(
            "page of 3 with 2 fds",
            Opcode.TAKEOVER_FDS,
            new TakeoverFdsReply(List.of(1L, 2L, 3L), true),
            2),
        Arguments.of(
            "page of 3 with 4 fds",
            Opcode.TAKEOVER_FDS,
            new TakeoverFdsReply(List.of(1L, 2L, 3L), true),
            4),
        Arguments.of(
            "page of 3 with none",
            Opcode.TAKEOVER_FDS,
            new TakeoverFdsReply(List.of(1L, 2L, 3L), false),
            0),
        Arguments.of(
            "empty page with an fd",
            Opcode.TAKEOVER_FDS,
            new TakeoverFdsReply(List.of(), false),
            1),
        Arguments.of(
            "full page one fd short",
            Opcode.TAKEOVER_FDS,
            new TakeoverFdsReply(ids(1, 1, Limits.MAX_FDS_PER_FRAME), false),
            Limits.MAX_FDS_PER_FRAME - 1),
        Arguments.of("DONE with an fd", Opcode.TAKEOVER_DONE, new Done(), 1),
        Arguments.of("STAT with an fd", Opcode.STAT, new NodeReply(entry), 1),
        Arguments.of(
            "a refusal with an fd", Opcode.TAKEOVER_BEGIN, new Failure(Status.EBUSY, ""), 1),
        Arguments.of(
            "a refusal with two fds", Opcode.GET, new Failure(Status.EAGAIN, "x"), 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fdCountMismatches")
  void aReplyWhoseFdCountDisagreesWithItsBodyIsRejected(
      String name, Opcode op, Reply reply, int fdCount) {
    assertThrows(
        IllegalArgumentException.class,
        () -> encode(new ReplyFrame(1, op.code(), fdCount, reply)),
        "encoding " + name);
    byte[] bytes = encode(new ReplyFrame(1, op.code(), reply.requiredFds(), reply));
    bytes[OFF_FD_COUNT] = (byte) fdCount;
    assertReplyMalformed(bytes, name);
  }

  @Test
  void eachReplySaysHowManyFdsTravelWithIt() {
    assertEquals(1, new GetReply(info(1), Handout.REOPENED).requiredFds());
    assertEquals(2, new TakeoverBeginReply(0).requiredFds());
    assertEquals(3, new TakeoverFdsReply(List.of(1L, 2L, 3L), true).requiredFds());
    assertEquals(0, new TakeoverFdsReply(List.of(), false).requiredFds());
    assertEquals(0, new NodeReply(info(1)).requiredFds());
    assertEquals(0, new Done().requiredFds());
    assertEquals(0, new Failure(Status.EAGAIN, "").requiredFds());
    replies()
        .map(a -> (ReplyFrame) a.get()[1])
        .forEach(f -> assertEquals(f.reply().requiredFds(), f.fdCount(), f.toString()));
  }

  @ParameterizedTest(name = "byte {0} = {1}")
  @CsvSource({"0, 0", "0, 3", "0, 255", "1, 2", "1, 255", "2, 10", "2, 255"})
  void unknownEnumBytesInNodeInfoAreRejected(int field, int code) {
    // NodeInfo opens with node type, object kind and fd type, one byte each.
    byte[] bytes = encode(new ReplyFrame(1, Opcode.STAT.code(), 0, new NodeReply(info(1))));
    bytes[HEADER + field] = (byte) code;
    assertThrows(
        MalformedFrameException.class, () -> FrameCodec.decodeReply(ByteBuffer.wrap(bytes)));
  }

  // ---- watch events ----

  @Test
  void watchEventIsABrokerOnlyOpcode() {
    byte[] asRequest = rawFrame(Opcode.WATCH_EVENT.code(), 0, 5, 0, 0, new byte[] {8, 0, 0, 0, 0});
    assertEquals(new DecodedRequest.UnknownOpcode(5, Opcode.WATCH_EVENT.code(), 0), decode(asRequest));
    assertTrue(Opcode.WATCH.isRequest());
    assertTrue(!Opcode.WATCH_EVENT.isRequest());
  }

  @Test
  void anOverflowEventIsFiveBytesOfBody() {
    byte[] bytes = encode(new ReplyFrame(9, Opcode.WATCH_EVENT.code(), 0, WatchEvent.overflow()));
    assertEquals(
        "504211010900000000000000050000000800000000",
        HexFormat.of().formatHex(bytes));
  }

  /** A WATCH_EVENT body built by hand: type, path, to, then {@code node} (maybe empty). */
  private static byte[] eventFrame(int type, String path, String to, byte[] node) {
    byte[] p = stringField(path.getBytes(StandardCharsets.UTF_8));
    byte[] t = stringField(to.getBytes(StandardCharsets.UTF_8));
    ByteBuffer body = ByteBuffer.allocate(1 + p.length + t.length + node.length);
    body.put((byte) type).put(p).put(t).put(node);
    return rawFrame(Opcode.WATCH_EVENT.code(), Frames.FLAG_REPLY, 1, 0, 0, body.array());
  }

  private static byte[] nodeBytes(NodeInfo info) {
    byte[] reply = encode(new ReplyFrame(1, Opcode.STAT.code(), 0, new NodeReply(info)));
    return Arrays.copyOfRange(reply, HEADER, reply.length);
  }

  static Stream<Arguments> badEvents() {
    byte[] node = nodeBytes(info(1));
    return Stream.of(
        Arguments.of("type 0", eventFrame(0, "/a", "", node)),
        Arguments.of("type 9", eventFrame(9, "/a", "", node)),
        Arguments.of("created without a path", eventFrame(1, "", "", node)),
        Arguments.of("created with a destination", eventFrame(1, "/a", "/b", node)),
        Arguments.of("created without a node", eventFrame(1, "/a", "", new byte[0])),
        Arguments.of("moved without a destination", eventFrame(5, "/a", "", node)),
        Arguments.of("exchanged without a destination", eventFrame(6, "/a", "", node)),
        Arguments.of("attrs with a destination", eventFrame(7, "/a", "/b", node)),
        Arguments.of("overflow with a node", eventFrame(8, "", "", node)),
        Arguments.of("overflow with a path", eventFrame(8, "/a", "", new byte[0])),
        Arguments.of("overflow with a destination", eventFrame(8, "", "/b", new byte[0])));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEvents")
  void anEventWhoseFieldsDoNotFitItsTypeIsRejected(String name, byte[] frame) {
    assertReplyMalformed(frame, name);
  }

  @Test
  void watchFlagsMustFitAByte() {
    assertThrows(IllegalArgumentException.class, () -> new Watch("/", 0x100));
    assertThrows(IllegalArgumentException.class, () -> new Watch("/", -1));
  }

  @Test
  void eventsThatDoNotFitTheirTypeCannotBeBuilt() {
    NodeInfo n = info(1);
    assertThrows(IllegalArgumentException.class, () -> new WatchEvent(EventType.MOVED, "/a", "", n));
    assertThrows(IllegalArgumentException.class, () -> new WatchEvent(EventType.CREATED, "/a", "", null));
    assertThrows(IllegalArgumentException.class, () -> new WatchEvent(EventType.OVERFLOW, "", "", n));
    assertThrows(IllegalArgumentException.class, () -> new WatchEvent(EventType.ATTRS, "/a", null, n));
  }

  // ---- totality ----

  private static final int FUZZ_ITERATIONS = 200_000;

  @Test
  void decodersAreTotalOnRandomAndMutatedInput() {
    SplittableRandom rnd = new SplittableRandom(0x5EED_CAFEL);
    List<byte[]> seeds = new ArrayList<>();
    requests().forEach(a -> seeds.add(encode((RequestFrame) a.get()[1])));
    List<byte[]> replySeeds = new ArrayList<>();
    replies().forEach(a -> replySeeds.add(encode((ReplyFrame) a.get()[1])));
    seeds.addAll(replySeeds);

    int valid = 0;
    int unknown = 0;
    int repliesDecoded = 0;
    for (int i = 0; i < FUZZ_ITERATIONS; i++) {
      byte[] input =
          switch (i % 4) {
            case 0 -> randomFrame(rnd);
            case 1, 2 -> mutate(rnd, seeds.get(rnd.nextInt(seeds.size())));
            default -> randomBytes(rnd, rnd.nextInt(64));
          };
      DecodedRequest d;
      try {
        d = FrameCodec.decodeRequest(ByteBuffer.wrap(input));
      } catch (Throwable t) {
        throw new AssertionError("decodeRequest threw on " + HexFormat.of().formatHex(input), t);
      }
      if (d == null) {
        fail("decodeRequest returned null on " + HexFormat.of().formatHex(input));
      }
      if (d instanceof DecodedRequest.Valid) {
        valid++;
      } else if (d instanceof DecodedRequest.UnknownOpcode) {
        unknown++;
      }
      try {
        if (FrameCodec.decodeReply(ByteBuffer.wrap(input)) == null) {
          fail("decodeReply returned null");
        }
        repliesDecoded++;
      } catch (MalformedFrameException expected) {
        // the only exception allowed
      } catch (Throwable t) {
        throw new AssertionError("decodeReply threw on " + HexFormat.of().formatHex(input), t);
      }
    }
    // The generator must reach past the header checks, or the test proves little.
    assertTrue(valid > 1000, "valid requests decoded: " + valid);
    assertTrue(unknown > 1000, "unknown opcodes decoded: " + unknown);
    assertTrue(repliesDecoded > 1000, "replies decoded: " + repliesDecoded);
  }

  private static byte[] randomBytes(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  /** A frame with a plausible header (right magic and body_length) and a random body. */
  private static byte[] randomFrame(SplittableRandom rnd) {
    int opcode = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 1 + rnd.nextInt(Opcode.values().length);
    int flags = rnd.nextInt(8) == 0 ? rnd.nextInt(256) : rnd.nextInt(2);
    int status =
        rnd.nextBoolean() ? 0 : Status.values()[rnd.nextInt(Status.values().length)].code();
    int fds = rnd.nextInt(8) == 0 ? rnd.nextInt(256) : rnd.nextInt(2);
    byte[] body = randomBytes(rnd, rnd.nextInt(200));
    // Short strings make bodies parse further.
    for (int at = 0; at + 1 < body.length; at += 2 + rnd.nextInt(16)) {
      if (rnd.nextBoolean()) {
        body[at] = (byte) rnd.nextInt(12);
        body[at + 1] = 0;
      }
    }
    return rawFrame(opcode, flags, rnd.nextInt(), status, fds, body);
  }

  private static byte[] mutate(SplittableRandom rnd, byte[] seed) {
    byte[] b = seed.clone();
    int kind = rnd.nextInt(5);
    switch (kind) {
      case 0 -> { // flip a few bytes, keep the header's length honest
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
      }
      case 1 -> { // flip body bytes only
        if (b.length > HEADER) {
          int n = 1 + rnd.nextInt(4);
          for (int k = 0; k < n; k++) {
            b[HEADER + rnd.nextInt(b.length - HEADER)] = (byte) rnd.nextInt(256);
          }
        }
      }
      case 2 -> { // truncate, maybe fixing body_length
        b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        if (b.length >= HEADER && rnd.nextBoolean()) {
          fixLength(b);
        }
      }
      case 3 -> { // extend with random bytes, maybe fixing body_length
        int old = b.length;
        b = Arrays.copyOf(b, old + 1 + rnd.nextInt(300));
        for (int k = old; k < b.length; k++) {
          b[k] = (byte) rnd.nextInt(256);
        }
        if (rnd.nextBoolean()) {
          fixLength(b);
        }
      }
      default -> { // rewrite a u16 inside the body (often a string length or count)
        if (b.length >= HEADER + 2) {
          int at = HEADER + rnd.nextInt(b.length - HEADER - 1);
          le(b).putShort(at, (short) rnd.nextInt(0x10000));
        }
      }
    }
    return b;
  }

  @Test
  void theTablesCoverEveryOpcodeAndEveryReplyType() {
    List<Integer> opcodes =
        requests()
            .map(a -> ((RequestFrame) a.get()[1]).request().opcode().code())
            .distinct()
            .sorted()
            .toList();
    assertEquals(
        Stream.of(Opcode.values()).filter(Opcode::isRequest).map(Opcode::code).sorted().toList(),
        opcodes,
        "request opcodes");
    List<Integer> replyOpcodes =
        replies().map(a -> ((ReplyFrame) a.get()[1]).opcode()).distinct().sorted().toList();
    assertTrue(
        replyOpcodes.containsAll(Stream.of(Opcode.values()).map(Opcode::code).toList()),
        "reply opcodes: " + replyOpcodes);
    List<String> replyTypes =
        replies()
            .map(a -> ((ReplyFrame) a.get()[1]).reply().getClass().getName())
            .distinct()
            .sorted()
            .toList();
    assertEquals(
        Stream.of(Reply.class.getPermittedSubclasses()).map(Class::getName).sorted().toList(),
        replyTypes,
        "reply records");
  }
}
