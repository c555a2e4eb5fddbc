package io.pinbroker.protocol;

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
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes frames. Pure functions over {@link ByteBuffer}; decoding is total: any byte
 * string yields a result or a {@link MalformedFrameException}, never another exception.
 */
public final class FrameCodec {
  private static final int MAX_STRING = 0xFFFF;

  private FrameCodec() {}

  // ---- requests ----

  /**
   * Writes a request frame into {@code out} (from its position) and flips it for sending.
   *
   * @throws IllegalArgumentException if the frame would exceed {@link Limits#MAX_FRAME_BYTES}
   */
  public static void encodeRequest(RequestFrame frame, ByteBuffer out) {
    Request r = frame.request();
    encode(out, r.opcode().code(), 0, frame.requestId(), Status.OK, frame.fdCount(), w -> writeBody(r, w));
  }

  private static void writeBody(Request request, WireWriter w) {
    switch (request) {
      case Hello h -> w.u16(h.minVersion()).u16(h.maxVersion()).u64(h.features());
      case Pin p -> {
        w.string(p.path()).u32(p.mode()).u32(p.gid()).u32(p.flags()).u64(p.expectedGeneration());
        if ((p.flags() & Request.PIN_TTL) != 0) {
          w.u64(p.ttlMillis());
        }
      }
      case Get g -> w.string(g.path()).u8(g.readOnly() ? 0 : 1);
      case Stat s -> w.string(s.path());
      case ListDir l -> w.string(l.path()).string(l.after()).u32(l.limit());
      case Mkdir m -> w.string(m.path()).u32(m.mode());
      case Rmdir r -> w.string(r.path());
      case Unlink u -> w.string(u.path()).u32(u.flags());
      case CreateMap c ->
          w.string(c.path())
              .u32(c.mode())
              .u32(c.gid())
              .u8(c.sim() ? 1 : 0)
              .u32(c.mapType())
              .u32(c.keySize())
              .u32(c.valueSize())
              .u32(c.maxEntries())
              .u32(c.mapFlags())
              .string(c.name());
      case Rename r -> w.string(r.from()).string(r.to()).u8(r.mode().code());
      case Chmod c -> w.string(c.path()).u32(c.mode());
      case Chown c -> w.string(c.path()).u32(c.uid()).u32(c.gid());
      case TakeoverBegin t -> {}
      case TakeoverFds t -> w.u64(t.after());
      case TakeoverDone t -> {}
      case Request.GetStats s -> {}
      case Watch t -> w.string(t.path()).u8(t.flags());
    }
  }

  /**
   * Decodes one request datagram (the buffer's remaining bytes). An opcode clients do not send
   * ({@link Opcode#isRequest()}) is an unknown opcode.
   */
  public static DecodedRequest decodeRequest(ByteBuffer datagram) {
    try {
      WireReader r = new WireReader(datagram);
      Header h = Header.read(r);
      if ((h.flags & Frames.FLAG_REPLY) != 0) {
        throw new MalformedFrameException("reply flag set on a request");
      }
      if (h.status != 0) {
        throw new MalformedFrameException("non-zero status on a request");
      }
      Opcode op = Opcode.valueOf((byte) h.opcode);
      if (op == null || !op.isRequest()) {
        return new DecodedRequest.UnknownOpcode(h.requestId, h.opcode, h.fdCount);
      }
      Request req = readRequestBody(op, r);
      r.end();
      return new DecodedRequest.Valid(new RequestFrame(h.requestId, h.fdCount, req));
    } catch (MalformedFrameException e) {
      return new DecodedRequest.Malformed(e.getMessage());
    }
  }

  /** The PIN body's fixed fields, then its time to live if PIN_TTL says one follows. */
  private static Pin pin(String path, int mode, int gid, int flags, long generation, WireReader r)
      throws MalformedFrameException {
    long ttl = (flags & Request.PIN_TTL) != 0 ? r.u64("ttl_ms") : 0;
    return new Pin(path, mode, gid, flags, generation, ttl);
  }

  private static Request readRequestBody(Opcode op, WireReader r) throws MalformedFrameException {
    return switch (op) {
      case HELLO -> new Hello(r.u16("min_version"), r.u16("max_version"), r.u64("features"));
      case PIN -> pin(path(r), r.u32("mode"), r.u32("gid"), r.u32("flags"), r.u64("generation"), r);
      case GET -> new Get(path(r), readOnly(r.u8("access")));
      case STAT -> new Stat(path(r));
      case LIST -> new ListDir(path(r), r.string("after", MAX_STRING), r.u32("limit"));
      case MKDIR -> new Mkdir(path(r), r.u32("mode"));
      case RMDIR -> new Rmdir(path(r));
      case UNLINK -> new Unlink(path(r), r.u32("flags"));
      case CREATE_MAP ->
          new CreateMap(
              path(r),
              r.u32("mode"),
              r.u32("gid"),
              flag(r.u8("sim"), "sim"),
              r.u32("map_type"),
              r.u32("key_size"),
              r.u32("value_size"),
              r.u32("max_entries"),
              r.u32("map_flags"),
              r.string("name", MAX_STRING));
      case RENAME -> new Rename(path(r), path(r), r.code(RenameMode.values(), "rename mode"));
      case CHMOD -> new Chmod(path(r), r.u32("mode"));
      case CHOWN -> new Chown(path(r), r.u32("uid"), r.u32("gid"));
      case TAKEOVER_BEGIN -> new TakeoverBegin();
      case TAKEOVER_FDS -> new TakeoverFds(r.u64("after"));
      case TAKEOVER_DONE -> new TakeoverDone();
      case STATS -> new Request.GetStats();
      case WATCH -> new Watch(path(r), r.u8("flags"));
      case WATCH_EVENT -> throw new MalformedFrameException("WATCH_EVENT is not a request");
    };
  }

  private static String path(WireReader r) throws MalformedFrameException {
    return r.string("path", MAX_STRING);
  }

  private static boolean flag(int v, String what) throws MalformedFrameException {
    return switch (v) {
      case 0 -> false;
      case 1 -> true;
      default -> throw new MalformedFrameException(what + " must be 0 or 1, not " + v);
    };
  }

  private static boolean readOnly(int access) throws MalformedFrameException {
    return switch (access) {
      case 0 -> true;
      case 1 -> false;
      default -> throw new MalformedFrameException("unknown access " + access);
    };
  }

  // ---- replies ----

  /**
   * Writes a reply frame into {@code out} (from its position) and flips it for sending.
   *
   * @throws IllegalArgumentException if the frame would exceed {@link Limits#MAX_FRAME_BYTES}, or
   *     if its fd count is not the one its reply requires ({@link Reply#requiredFds()})
   */
  public static void encodeReply(ReplyFrame frame, ByteBuffer out) {
    Reply reply = frame.reply();
    if (frame.fdCount() != reply.requiredFds()) {
      throw new IllegalArgumentException(
          "fd count " + frame.fdCount() + " but the reply requires " + reply.requiredFds());
    }
    encode(
        out,
        frame.opcode(),
        Frames.FLAG_REPLY,
        frame.requestId(),
        reply.status(),
        frame.fdCount(),
        w -> writeBody(reply, w));
  }

  private static void writeBody(Reply reply, WireWriter w) {
    switch (reply) {
      case HelloReply h ->
          w.u16(h.version())
              .u16(h.maxFds())
              .u32(h.maxFrameBytes())
              .u64(h.features())
              .u32(h.pid())
              .u32(h.uid())
              .u32(h.gid());
      case NodeReply n -> NodeInfoCodec.write(n.info(), w);
      case GetReply g -> NodeInfoCodec.write(g.info(), w).u8(g.handout().code());
      case ListReply l -> {
        w.u8(l.more() ? 1 : 0).u8(0).u16(l.entries().size());
        for (DirEntry e : l.entries()) {
          NodeInfoCodec.write(e.info(), w.string(e.name()));
        }
      }
      case TakeoverBeginReply t -> w.u64(t.objectCount());
      case TakeoverFdsReply t -> {
        w.u8(t.more() ? 1 : 0).u16(t.ids().size());
        for (long id : t.ids()) {
          w.u64(id);
        }
      }
      case StatsReply s -> StatsCodec.write(s.stats(), w);
      case WatchEvent e -> {
        w.u8(e.type().code()).string(e.path()).string(e.to());
        if (e.info() != null) {
          NodeInfoCodec.write(e.info(), w);
        }
      }
      case Done d -> {}
      case Failure f -> w.string(truncate(f.detail()));
    }
  }



  /** Bytes one LIST entry takes in a reply, for filling a page up to the frame cap. */
  public static int listEntryBytes(String name, NodeInfo info) {
    return NodeInfoCodec.entryBytes(name, info);
  }

  /** Bytes of a LIST reply with no entries. */
  public static final int LIST_REPLY_OVERHEAD = Frames.HEADER_BYTES + 4;

  /** Cuts a detail to {@link Limits#MAX_DETAIL_BYTES}, never inside a UTF-8 sequence. */
  static String truncate(String detail) {
    byte[] bytes = detail.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= Limits.MAX_DETAIL_BYTES) {
      return detail;
    }
    int end = Limits.MAX_DETAIL_BYTES;
    while ((bytes[end] & 0xC0) == 0x80) {
      end--; // bytes[end] continues a sequence: cut before the sequence starts
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /**
   * Decodes one reply datagram; the opcode in its header selects the body layout. The header's
   * {@code fd_count} must be the number of fds the body requires ({@link Reply#requiredFds()});
   * that so many fds really arrived is for the receiver to check.
   */
  public static ReplyFrame decodeReply(ByteBuffer datagram) throws MalformedFrameException {
    WireReader r = new WireReader(datagram);
    Header h = Header.read(r);
    if ((h.flags & Frames.FLAG_REPLY) == 0) {
      throw new MalformedFrameException("reply flag missing");
    }
    Opcode op = Opcode.valueOf((byte) h.opcode);
    Reply reply;
    if (h.status != 0) {
      Status status = Status.valueOf(h.status);
      String detail = r.string("detail", MAX_STRING);
      reply =
          status != null
              ? new Failure(status, detail)
              : new Failure(Status.EPROTO, "unknown status " + h.status + ": " + detail);
    } else if (op == null) {
      throw new MalformedFrameException("unknown opcode " + h.opcode + " in an OK reply");
    } else {
      reply = readReplyBody(op, r);
    }
    r.end();
    if (h.fdCount != reply.requiredFds()) {
      throw new MalformedFrameException(
          "fd_count " + h.fdCount + " but the reply requires " + reply.requiredFds() + " fds");
    }
    return new ReplyFrame(h.requestId, h.opcode, h.fdCount, reply);
  }

  private static Reply readReplyBody(Opcode op, WireReader r) throws MalformedFrameException {
    return switch (op) {
      case HELLO ->
          helloReply(r.u16("version"), r.u16("max_fds"), r.u32("max_frame"), r.u64("features"), r);
      case PIN, STAT, MKDIR, CHMOD, CHOWN, CREATE_MAP, WATCH ->
          new NodeReply(NodeInfoCodec.read(r));
      case GET -> new GetReply(NodeInfoCodec.read(r), r.code(Handout.values(), "handout"));
      case LIST -> listReply(r);
      case RMDIR, UNLINK, RENAME, TAKEOVER_DONE -> new Done();
      case TAKEOVER_BEGIN -> new TakeoverBeginReply(r.u64("object_count"));
      case TAKEOVER_FDS -> takeoverFdsReply(r);
      case STATS -> new StatsReply(StatsCodec.read(r));
      case WATCH_EVENT -> watchEvent(r);
    };
  }

  private static WatchEvent watchEvent(WireReader r) throws MalformedFrameException {
    EventType type = r.code(EventType.values(), "event type");
    String path = r.string("path", MAX_STRING);
    String to = r.string("to", MAX_STRING);
    NodeInfo info = type == EventType.OVERFLOW ? null : NodeInfoCodec.read(r);
    String problem = WatchEvent.problem(type, path, to, info);
    if (problem != null) {
      throw new MalformedFrameException(problem);
    }
    return new WatchEvent(type, path, to, info);
  }

  private static HelloReply helloReply(
      int version, int maxFds, int maxFrame, long features, WireReader r)
      throws MalformedFrameException {
    return new HelloReply(
        version, features, maxFrame, maxFds, r.u32("pid"), r.u32("uid"), r.u32("gid"));
  }

  private static ListReply listReply(WireReader r) throws MalformedFrameException {
    boolean more = flag(r.u8("more"), "more");
    if (r.u8("reserved") != 0) {
      throw new MalformedFrameException("the LIST reply's reserved byte is not 0");
    }
    int count = r.u16("count");
    if (count > r.remaining() / (NodeInfo.FIXED_BYTES + 4)) {
      throw new MalformedFrameException("entry count " + count + " exceeds the frame");
    }
    List<DirEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(new DirEntry(r.string("name", MAX_STRING), NodeInfoCodec.read(r)));
    }
    return new ListReply(entries, more);
  }

  private static TakeoverFdsReply takeoverFdsReply(WireReader r) throws MalformedFrameException {
    boolean more = flag(r.u8("more"), "more");
    int count = r.u16("count");
    if (count > Limits.MAX_FDS_PER_FRAME) {
      throw new MalformedFrameException(
          "id count " + count + " exceeds " + Limits.MAX_FDS_PER_FRAME + " fds per frame");
    }
    List<Long> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(r.u64("object id"));
    }
    String problem = TakeoverFdsReply.problem(ids, more);
    if (problem != null) {
      throw new MalformedFrameException(problem);
    }
    return new TakeoverFdsReply(ids, more);
  }


  // ---- header ----

  private interface BodyWriter {
    void write(WireWriter w);
  }

  private static void encode(
      ByteBuffer out, int opcode, int flags, int id, Status status, int fdCount, BodyWriter body) {
    if (fdCount < 0 || fdCount > Limits.MAX_FDS_PER_FRAME) {
      throw new IllegalArgumentException("fd count " + fdCount + " out of range");
    }
    int start = out.position();
    ByteBuffer frame = out.slice(start, Math.min(out.remaining(), Limits.MAX_FRAME_BYTES));
    WireWriter w = new WireWriter(frame);
    try {
      w.u16(Frames.MAGIC).u8(opcode).u8(flags).u32(id).u16(status.code()).u8(fdCount).u8(0);
      w.u32(0);
      body.write(w);
    } catch (BufferOverflowException e) {
      throw new IllegalArgumentException("frame exceeds " + Limits.MAX_FRAME_BYTES + " bytes", e);
    }
    int length = w.position();
    w.putU32At(12, length - Frames.HEADER_BYTES);
    out.position(start + length);
    out.flip();
    out.position(start);
  }

  private record Header(int opcode, int flags, int requestId, int status, int fdCount) {
    static Header read(WireReader r) throws MalformedFrameException {
      if (r.remaining() > Limits.MAX_FRAME_BYTES) {
        throw new MalformedFrameException(
            "datagram of " + r.remaining() + " bytes exceeds " + Limits.MAX_FRAME_BYTES);
      }
      if (r.remaining() < Frames.HEADER_BYTES) {
        throw new MalformedFrameException(
            "datagram of " + r.remaining() + " bytes is shorter than the header");
      }
      int magic = r.u16("magic");
      if (magic != Frames.MAGIC) {
        throw new MalformedFrameException(String.format("bad magic 0x%04x", magic));
      }
      int opcode = r.u8("opcode");
      int flags = r.u8("flags");
      int id = r.u32("request_id");
      int status = r.u16("status");
      int fdCount = r.u8("fd_count");
      int reserved = r.u8("reserved");
      long bodyLength = r.u32("body_length") & 0xFFFFFFFFL;
      if ((flags & ~Frames.FLAG_REPLY) != 0 || reserved != 0) {
        throw new MalformedFrameException("reserved header bits set");
      }
      if (fdCount > Limits.MAX_FDS_PER_FRAME) {
        throw new MalformedFrameException("fd_count " + fdCount + " exceeds 253");
      }
      if (bodyLength != r.remaining()) {
        throw new MalformedFrameException(
            "body_length " + bodyLength + " but " + r.remaining() + " body bytes arrived");
      }
      return new Header(opcode, flags, id, status, fdCount);
    }
  }
}
