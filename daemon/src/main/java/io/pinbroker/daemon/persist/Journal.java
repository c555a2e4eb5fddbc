package io.pinbroker.daemon.persist;

import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * The state journal: changes appended to a memfd that the fd store holds as well. The service
 * manager holds the same file, so an append is kept the moment write(2) returns, kill -9 or not.
 *
 * <p>Layout (little-endian): the magic {@code PBJOURN2}, the epoch (u64), then records: payload
 * length (u32), CRC-32C of the payload (u32), payload (a {@link ChangeCodec} change). A reader
 * stops at the first record that is cut short or fails its checksum: the write a crash
 * interrupted, which was never acknowledged.
 */
final class Journal implements AutoCloseable {
  private static final byte[] MAGIC = "PBJOURN2".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = 16;
  private static final int RECORD_HEADER_BYTES = 8;

  private final Fd fd;
  private final FileChannel channel;
  private final long epoch;
  private final ByteBuffer buffer =
      ByteBuffer.allocate(RECORD_HEADER_BYTES + ChangeCodec.MAX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
  private final CRC32C crc = new CRC32C();
  private long size;

  private Journal(Fd fd, FileChannel channel, long epoch) {
    this.fd = fd;
    this.channel = channel;
    this.epoch = epoch;
  }

  /** A new, empty journal. */
  static Journal create(long epoch) throws IOException {
    Fd fd = FileOps.memfd("pinbroker-journal", 0, 0);
    try {
      Journal j = new Journal(fd, open(fd, StandardOpenOption.READ, StandardOpenOption.WRITE), epoch);
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      header.put(MAGIC).putLong(epoch).flip();
      j.write(header);
      return j;
    } catch (IOException | RuntimeException e) {
      fd.close();
      throw e;
    }
  }

  /** The file through a description of our own: positioned I/O without touching the memfd's. */
  private static FileChannel open(Fd fd, StandardOpenOption... options) throws IOException {
    return FileChannel.open(Path.of("/proc/self/fd/" + fd.value()), options);
  }

  long epoch() {
    return epoch;
  }

  /** The memfd, still owned by this journal. */
  int fd() {
    return fd.value();
  }

  /** Bytes written so far, header included. */
  long size() {
    return size;
  }

  void append(Change change) throws IOException {
    buffer.clear().position(RECORD_HEADER_BYTES);
    ChangeCodec.encode(change, buffer);
    int length = buffer.position() - RECORD_HEADER_BYTES;
    crc.reset();
    crc.update(buffer.array(), RECORD_HEADER_BYTES, length);
    buffer.putInt(0, length).putInt(4, (int) crc.getValue()).flip();
    write(buffer);
  }

  /** {@link #append} for a state writer, which cannot throw checked exceptions. */
  void appendUnchecked(Change change) {
    try {
      append(change);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      size += channel.write(bytes, size);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a memfd description does not fail in a way that matters
    }
    fd.close();
  }

  /** What a stored journal holds: its epoch and its changes, read lazily. */
  static final class Reading implements Iterable<Change> {
    private final long epoch;
    private final ByteBuffer bytes;
    private String damage = "";

    private Reading(long epoch, ByteBuffer bytes) {
      this.epoch = epoch;
      this.bytes = bytes;
    }

    long epoch() {
      return epoch;
    }

    /** Why reading stopped before the end ("" if it did not): a torn or damaged record. */
    String damage() {
      return damage;
    }

    /** Iterates the records once. */
    @Override
    public Iterator<Change> iterator() {
      return new Iterator<>() {
        private Change next = advance();

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Change next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          Change c = next;
          next = advance();
          return c;
        }
      };
    }

    private Change advance() {
      if (!damage.isEmpty() || bytes.remaining() == 0) {
        return null;
      }
      long offset = bytes.position();
      if (bytes.remaining() < RECORD_HEADER_BYTES) {
        return stop(offset, "a record header cut short");
      }
      int length = bytes.getInt();
      int sum = bytes.getInt();
      if (length <= 0 || length > ChangeCodec.MAX_BYTES || length > bytes.remaining()) {
        return stop(offset, "a record of " + Integer.toUnsignedString(length) + " bytes");
      }
      ByteBuffer payload = bytes.slice(bytes.position(), length).order(ByteOrder.LITTLE_ENDIAN);
      bytes.position(bytes.position() + length);
      CRC32C crc = new CRC32C();
      crc.update(payload.duplicate());
      if ((int) crc.getValue() != sum) {
        return stop(offset, "a checksum mismatch");
      }
      try {
        return ChangeCodec.decode(payload);
      } catch (JournalFormatException e) {
        return stop(offset, e.getMessage());
      }
    }

    private Change stop(long offset, String why) {
      damage = why + " at byte " + offset + " of " + bytes.limit();
      return null;
    }
  }

  /** Maps a stored journal for reading; the fd stays the caller's. */
  static Reading read(Fd fd) throws IOException, JournalFormatException {
    try (FileChannel ch = open(fd, StandardOpenOption.READ)) {
      long length = ch.size();
      if (length < HEADER_BYTES) {
        throw new JournalFormatException("not a journal: " + length + " bytes");
      }
      if (length > Integer.MAX_VALUE) {
        throw new JournalFormatException("journal of " + length + " bytes is too large");
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
      while (bytes.hasRemaining() && ch.read(bytes, bytes.position()) > 0) {
        // positioned reads until full
      }
      bytes.flip();
      byte[] magic = new byte[MAGIC.length];
      bytes.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new JournalFormatException("not a journal: bad magic");
      }
      return new Reading(bytes.getLong(), bytes);
    }
  }
}
