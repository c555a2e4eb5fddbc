package io.pinbroker.protocol;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Encodes and decodes {@link NodeInfo}: the 68-byte fixed part, then the per-kind details. */
final class NodeInfoCodec {
  private static final int MAX_STRING = 0xFFFF;

  private NodeInfoCodec() {}

  static WireWriter write(NodeInfo i, WireWriter w) {
    return w.u8(i.type().code())
        .u8(i.kind().code())
        .u8(i.fdType().code())
        .u8(0)
        .u32(i.mode())
        .u32(i.uid())
        .u32(i.gid())
        .u64(i.generation())
        .u64(i.ctimeNanos())
        .u64(i.mtimeNanos())
        .u64(i.dev())
        .u64(i.ino())
        .u64(i.size())
        .u32(i.children())
        .u16(0)
        .details(i.details());
  }

  /** Bytes one LIST entry takes in a reply, for filling a page up to the frame cap. */
  static int entryBytes(String name, NodeInfo info) {
    return WireWriter.stringBytes(name) + NodeInfo.FIXED_BYTES + 2 + detailsBytes(info.details());
  }

  private static int detailsBytes(ObjectDetails d) {
    return switch (d) {
      case ObjectDetails.None n -> 0;
      case ObjectDetails.MapDetails m -> {
        int n = 24 + WireWriter.stringBytes(m.name()) + 4;
        for (ObjectDetails.ProgArraySlot s : m.members()) {
          n += 8 + WireWriter.stringBytes(s.holder());
        }
        yield n;
      }
      case ObjectDetails.ProgDetails p -> 16 + WireWriter.stringBytes(p.name());
      case ObjectDetails.LinkDetails l -> 12;
    };
  }

  static NodeInfo read(WireReader r) throws MalformedFrameException {
    NodeType type = r.code(NodeType.values(), "node type");
    ObjectKind kind = r.code(ObjectKind.values(), "object kind");
    FdType fdType = r.code(FdType.values(), "fd type");
    if (r.u8("reserved") != 0) {
      throw new MalformedFrameException("the NodeInfo's reserved byte is not 0");
    }
    return new NodeInfo(
        type,
        kind,
        fdType,
        r.u32("mode"),
        r.u32("uid"),
        r.u32("gid"),
        r.u64("generation"),
        r.u64("ctime"),
        r.u64("mtime"),
        r.u64("dev"),
        r.u64("ino"),
        r.u64("size"),
        r.u32("children"),
        readDetails(kind, r.sub(r.u16("details_length"), "details")));
  }

  private static ObjectDetails readDetails(ObjectKind kind, WireReader r)
      throws MalformedFrameException {
    ObjectDetails d =
        switch (kind) {
          case NONE, FD -> ObjectDetails.NONE;
          case BPF_MAP, SIM_MAP -> readMap(r);
          case BPF_PROG, SIM_PROG ->
              new ObjectDetails.ProgDetails(
                  r.u32("prog_type"), r.u32("id"), hex(r.bytes(8, "tag")), r.string("name", MAX_STRING));
          case BPF_LINK ->
              new ObjectDetails.LinkDetails(r.u32("link_type"), r.u32("id"), r.u32("prog_id"));
        };
    r.end();
    return d;
  }

  private static ObjectDetails.MapDetails readMap(WireReader r) throws MalformedFrameException {
    int type = r.u32("map_type");
    int id = r.u32("id");
    int keySize = r.u32("key_size");
    int valueSize = r.u32("value_size");
    int maxEntries = r.u32("max_entries");
    int flags = r.u32("map_flags");
    String name = r.string("name", MAX_STRING);
    int count = r.u32("member_count");
    if (count < 0 || count > r.remaining() / 10) {
      throw new MalformedFrameException("member count " + count + " exceeds the frame");
    }
    List<ObjectDetails.ProgArraySlot> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      members.add(
          new ObjectDetails.ProgArraySlot(r.u32("slot"), r.u32("prog_id"), r.string("holder", MAX_STRING)));
    }
    return new ObjectDetails.MapDetails(
        type, id, keySize, valueSize, maxEntries, flags, name, members);
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
