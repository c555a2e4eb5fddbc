package io.pinbroker.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Bounds-checked little-endian reads; every overrun is a {@link MalformedFrameException}. */
final class WireReader {
  private final ByteBuffer buf;

  WireReader(ByteBuffer source) {
    this.buf = source.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private void need(int n, String what) throws MalformedFrameException {
    if (buf.remaining() < n) {
      throw new MalformedFrameException(
          "truncated: " + what + " needs " + n + " bytes, " + buf.remaining() + " left");
    }
  }

  int u8(String what) throws MalformedFrameException {
    need(1, what);
    return buf.get() & 0xFF;
  }

  int u16(String what) throws MalformedFrameException {
    need(2, what);
    return buf.getShort() & 0xFFFF;
  }

  int u32(String what) throws MalformedFrameException {
    need(4, what);
    return buf.getInt();
  }

  long u64(String what) throws MalformedFrameException {
    need(8, what);
    return buf.getLong();
  }

  /** A string: u16 byte length, then that many bytes of UTF-8. */
  String string(String what, int maxBytes) throws MalformedFrameException {
    int len = u16(what + " length");
    if (len > maxBytes) {
      throw new MalformedFrameException(what + " is " + len + " bytes, limit " + maxBytes);
    }
    need(len, what);
    ByteBuffer bytes = buf.slice(buf.position(), len);
    buf.position(buf.position() + len);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedFrameException(what + " is not valid UTF-8");
    }
  }

  <E extends WireCode> E code(E[] values, String what) throws MalformedFrameException {
    int code = u8(what);
    E e = WireCode.lookup(values, code);
    if (e == null) {
      throw new MalformedFrameException("unknown " + what + " " + code);
    }
    return e;
  }

  byte[] bytes(int n, String what) throws MalformedFrameException {
    need(n, what);
    byte[] b = new byte[n];
    buf.get(b);
    return b;
  }

  /** A reader over the next {@code n} bytes, which this reader skips. */
  WireReader sub(int n, String what) throws MalformedFrameException {
    need(n, what);
    WireReader r = new WireReader(buf.slice(buf.position(), n));
    buf.position(buf.position() + n);
    return r;
  }

  void end() throws MalformedFrameException {
    if (buf.hasRemaining()) {
      throw new MalformedFrameException(buf.remaining() + " unexpected trailing bytes");
    }
  }

  int remaining() {
    return buf.remaining();
  }
}
