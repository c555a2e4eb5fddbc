package io.pinbroker.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Little-endian writes into a frame-sized buffer; overflowing the frame cap throws. */
final class WireWriter {
  private final ByteBuffer buf;

  WireWriter(ByteBuffer target) {
    this.buf = target.order(ByteOrder.LITTLE_ENDIAN);
  }

  WireWriter u8(int v) {
    buf.put((byte) v);
    return this;
  }

  WireWriter u16(int v) {
    buf.putShort((short) v);
    return this;
  }

  WireWriter u32(int v) {
    buf.putInt(v);
    return this;
  }

  WireWriter u64(long v) {
    buf.putLong(v);
    return this;
  }

  WireWriter string(String s) {
    if (isAscii(s)) { // names and paths nearly always are: no byte[] to encode into first
      if (s.length() > 0xFFFF) {
        throw new IllegalArgumentException("string of " + s.length() + " bytes is too long");
      }
      buf.putShort((short) s.length());
      for (int i = 0; i < s.length(); i++) {
        buf.put((byte) s.charAt(i));
      }
      return this;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0xFFFF) {
      throw new IllegalArgumentException("string of " + bytes.length + " bytes is too long");
    }
    buf.putShort((short) bytes.length).put(bytes);
    return this;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Writes per-kind details and patches the u16 length written just before them. */
  WireWriter details(ObjectDetails d) {
    int start = buf.position();
    switch (d) {
      case ObjectDetails.None n -> {}
      case ObjectDetails.MapDetails m -> {
        u32(m.mapType()).u32(m.id()).u32(m.keySize()).u32(m.valueSize()).u32(m.maxEntries());
        u32(m.flags()).string(m.name()).u32(m.members().size());
        for (ObjectDetails.ProgArraySlot s : m.members()) {
          u32(s.slot()).u32(s.progId()).string(s.holder());
        }
      }
      case ObjectDetails.ProgDetails p ->
          u32(p.progType()).u32(p.id()).bytes(HexFormat.of().parseHex(p.tag())).string(p.name());
      case ObjectDetails.LinkDetails l -> u32(l.linkType()).u32(l.id()).u32(l.progId());
    }
    int length = buf.position() - start;
    if (length > 0xFFFF) {
      throw new IllegalArgumentException("details of " + length + " bytes are too long");
    }
    putU16At(start - 2, length);
    return this;
  }

  /** Bytes {@link #string} writes for {@code s}, counted without encoding it. */
  static int stringBytes(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        n += 1;
      } else if (!Character.isSurrogate(c)) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 2; // a pair: 4 bytes for its 2 chars
        i++;
      } // an unpaired surrogate: one '?', as String.getBytes writes it
    }
    return 2 + n;
  }

  int position() {
    return buf.position();
  }

  void putU32At(int index, int v) {
    buf.putInt(index, v);
  }

  void putU16At(int index, int v) {
    buf.putShort(index, (short) v);
  }

  WireWriter bytes(byte[] b) {
    buf.put(b);
    return this;
  }
}
