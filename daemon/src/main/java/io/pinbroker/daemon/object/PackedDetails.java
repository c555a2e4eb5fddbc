package io.pinbroker.daemon.object;

import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link ObjectDetails} packed into six ints and a name, the form a {@link HeldObject} keeps them
 * in (a record per object cost 48 bytes of heap per name): MapDetails as map type, id, key size,
 * value size, max entries, flags; ProgDetails as prog type, id, the 8-byte tag as two ints;
 * LinkDetails as link type, id, prog id. The object's kind says which.
 */
final class PackedDetails {
  static final int INTS = 6;
  private static final HexFormat HEX = HexFormat.of();

  private PackedDetails() {}

  /** Packs {@code d} into {@code ints} (of {@link #INTS}); returns the name to keep ("" if none). */
  static String pack(ObjectDetails d, int[] ints) {
    switch (d) {
      case ObjectDetails.None n -> {
        return "";
      }
      case ObjectDetails.MapDetails m -> {
        if (!m.members().isEmpty()) {
          throw new IllegalArgumentException("a held map's details list no members");
        }
        ints[0] = m.mapType();
        ints[1] = m.id();
        ints[2] = m.keySize();
        ints[3] = m.valueSize();
        ints[4] = m.maxEntries();
        ints[5] = m.flags();
        return m.name();
      }
      case ObjectDetails.ProgDetails p -> {
        byte[] tag = HEX.parseHex(p.tag());
        if (tag.length != 8) {
          throw new IllegalArgumentException("a program tag is 8 bytes, not " + tag.length);
        }
        ints[0] = p.progType();
        ints[1] = p.id();
        ints[2] = HexFormat.fromHexDigits(p.tag(), 0, 8);
        ints[3] = HexFormat.fromHexDigits(p.tag(), 8, 16);
        return p.name();
      }
      case ObjectDetails.LinkDetails l -> {
        ints[0] = l.linkType();
        ints[1] = l.id();
        ints[2] = l.progId();
        return "";
      }
    }
  }

  /** The details of an object of {@code kind} packed as {@link #pack} did. */
  static ObjectDetails unpack(
      ObjectKind kind, int a, int b, int c, int d, int e, int f, String name) {
    return switch (kind) {
      case BPF_MAP, SIM_MAP -> new ObjectDetails.MapDetails(a, b, c, d, e, f, name, List.of());
      case BPF_PROG, SIM_PROG ->
          new ObjectDetails.ProgDetails(a, b, HEX.toHexDigits(c) + HEX.toHexDigits(d), name);
      case BPF_LINK -> new ObjectDetails.LinkDetails(a, b, c);
      case NONE, FD -> ObjectDetails.NONE;
    };
  }
}
