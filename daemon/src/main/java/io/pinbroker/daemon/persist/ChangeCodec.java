package io.pinbroker.daemon.persist;

import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.Lifetime;
import io.pinbroker.daemon.object.Charge;
import io.pinbroker.protocol.Limits;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The byte form of one {@link Change} in a journal record (little-endian): a tag byte, then the
 * fields in declaration order. A path is a u16 length and UTF-8 bytes; Meta is uid u32, gid u32,
 * mode u32, generation u64, ctime u64, mtime u64; a PutEntry adds object id u64, charge uid u32,
 * charge bytes u64, and its lifetime: expiry u64 (epoch ms, 0 for none), ephemeral u8, owner pid
 * u32, owner start u64; then its bpffs pin, a path ("" for an object kept by its fd).
 */
final class ChangeCodec {
  private static final byte PUT_DIRECTORY = 1;
  private static final byte PUT_ENTRY = 2;
  private static final byte REMOVE = 3;
  private static final byte MOVE = 4;
  private static final byte SWAP = 5;
  private static final byte SET_META = 6;

  /** Longest encoding: two paths of the longest length plus the fixed fields. */
  static final int MAX_BYTES = 1 + 3 * (2 + Limits.MAX_PATH_BYTES) + 36 + 20 + 21;

  private ChangeCodec() {}

  static void encode(Change change, ByteBuffer out) {
    switch (change) {
      case Change.PutDirectory p -> {
        out.put(PUT_DIRECTORY);
        path(out, p.path());
        meta(out, p.meta());
      }
      case Change.PutEntry p -> {
        out.put(PUT_ENTRY);
        path(out, p.path());
        meta(out, p.meta());
        out.putLong(p.objectId()).putInt(p.charge().uid()).putLong(p.charge().bytes());
        Lifetime l = p.lifetime();
        out.putLong(l.expiresAtMillis()).put((byte) (l.ephemeral() ? 1 : 0));
        out.putInt(l.ownerPid()).putLong(l.ownerStart());
        path(out, p.pin());
      }
      case Change.Remove r -> {
        out.put(REMOVE);
        path(out, r.path());
      }
      case Change.Move m -> {
        out.put(MOVE);
        path(out, m.from());
        path(out, m.to());
      }
      case Change.Swap w -> {
        out.put(SWAP);
        path(out, w.a());
        path(out, w.b());
      }
      case Change.SetMeta m -> {
        out.put(SET_META);
        path(out, m.path());
        meta(out, m.meta());
      }
    }
  }

  /** Decodes exactly the buffer's remaining bytes. */
  static Change decode(ByteBuffer in) throws JournalFormatException {
    try {
      Change c =
          switch (in.get()) {
            case PUT_DIRECTORY -> new Change.PutDirectory(path(in), meta(in));
            case PUT_ENTRY ->
                new Change.PutEntry(
                    path(in), meta(in), in.getLong(), new Charge(in.getInt(), in.getLong()),
                    lifetime(in), path(in));
            case REMOVE -> new Change.Remove(path(in));
            case MOVE -> new Change.Move(path(in), path(in));
            case SWAP -> new Change.Swap(path(in), path(in));
            case SET_META -> new Change.SetMeta(path(in), meta(in));
            default -> throw new JournalFormatException("unknown change tag " + in.get(in.position() - 1));
          };
      if (in.hasRemaining()) {
        throw new JournalFormatException(in.remaining() + " bytes after a change");
      }
      return c;
    } catch (BufferUnderflowException e) {
      throw new JournalFormatException("change cut short");
    }
  }

  private static void path(ByteBuffer out, String path) {
    byte[] b = path.getBytes(StandardCharsets.UTF_8);
    out.putShort((short) b.length).put(b);
  }

  private static String path(ByteBuffer in) throws JournalFormatException {
    int n = Short.toUnsignedInt(in.getShort());
    if (n > in.remaining()) {
      throw new JournalFormatException("path cut short");
    }
    ByteBuffer bytes = in.slice(in.position(), n);
    in.position(in.position() + n);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new JournalFormatException("path is not UTF-8");
    }
  }

  private static Lifetime lifetime(ByteBuffer in) throws JournalFormatException {
    long expires = in.getLong();
    byte ephemeral = in.get();
    if (ephemeral != 0 && ephemeral != 1) {
      throw new JournalFormatException("ephemeral flag " + ephemeral);
    }
    return new Lifetime(expires, ephemeral == 1, in.getInt(), in.getLong());
  }

  private static void meta(ByteBuffer out, Change.Meta m) {
    out.putInt(m.uid()).putInt(m.gid()).putInt(m.mode()).putLong(m.generation());
    out.putLong(m.ctimeNanos()).putLong(m.mtimeNanos());
  }

  private static Change.Meta meta(ByteBuffer in) {
    return new Change.Meta(
        in.getInt(), in.getInt(), in.getInt(), in.getLong(), in.getLong(), in.getLong());
  }
}
