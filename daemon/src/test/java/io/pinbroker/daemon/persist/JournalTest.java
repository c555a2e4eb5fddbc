package io.pinbroker.daemon.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.namespace.Change;
import io.pinbroker.daemon.namespace.Lifetime;
import io.pinbroker.daemon.object.Charge;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The journal's records: every change round-trips; damage stops the reader, never crashes it. */
class JournalTest {
  private static final Change.Meta META = new Change.Meta(1000, -2, 01750, 42, 1L << 60, -1);
  static final List<Change> EVERY_KIND =
      List.of(
          new Change.SetMeta("/", META),
          new Change.PutDirectory("/net", META),
          new Change.PutEntry("/net/stats", META, 7, Charge.NONE, Lifetime.FOREVER, ""),
          new Change.PutEntry(
              "/net/mäp", META, Long.MAX_VALUE, new Charge(-1, 1L << 40),
              new Lifetime(1_800_000_000_000L, true, 4242, 987654321L),
              "/sys/fs/bpf/pinbroker/x-1"),
          new Change.Move("/net/stats", "/net/old"),
          new Change.Swap("/net/old", "/net/mäp"),
          new Change.Remove("/net/old"),
          new Change.PutDirectory("/" + "d".repeat(255), META));

  @Test
  void everyKindOfChangeRoundTrips() throws Exception {
    try (Journal j = Journal.create(5)) {
      for (Change c : EVERY_KIND) {
        j.append(c);
      }
      Journal.Reading r = read(j);
      assertEquals(5, r.epoch());
      assertEquals(EVERY_KIND, list(r));
      assertEquals("", r.damage());
    }
  }

  @Test
  void aRecordCutShortEndsTheReadingAfterTheRecordsBeforeIt() throws Exception {
    try (Journal j = Journal.create(1)) {
      for (Change c : EVERY_KIND) {
        j.append(c);
      }
      long whole = j.size();
      for (long cut = whole - 1; cut > whole - 12; cut--) {
        truncate(j, cut);
        Journal.Reading r = read(j);
        assertEquals(EVERY_KIND.subList(0, EVERY_KIND.size() - 1), list(r), "cut at " + cut);
        assertTrue(r.damage().endsWith("of " + cut), r.damage());
      }
    }
  }

  @Test
  void aFlippedByteFailsTheChecksumThere() throws Exception {
    try (Journal j = Journal.create(1)) {
      j.append(EVERY_KIND.get(0));
      long second = j.size();
      j.append(EVERY_KIND.get(1));
      j.append(EVERY_KIND.get(2));
      writeAt(j, second + 12, (byte) 0x55);
      Journal.Reading r = read(j);
      assertEquals(EVERY_KIND.subList(0, 1), list(r));
      assertTrue(r.damage().startsWith("a checksum mismatch at byte " + second), r.damage());
    }
  }

  @Test
  void whatIsNotAJournalIsRefused() throws Exception {
    try (Fd empty = FileOps.memfd("empty", 0, 0); Fd other = FileOps.memfd("other", 64, 0)) {
      assertThrows(JournalFormatException.class, () -> Journal.read(empty));
      assertThrows(JournalFormatException.class, () -> Journal.read(other));
    }
  }

  /** Random bytes after a valid header: the reader stops somewhere, and never throws. */
  @Test
  void readingArbitraryBytesIsTotal() throws Exception {
    Random random = new Random(20261125);
    for (int i = 0; i < 2000; i++) {
      try (Journal j = Journal.create(1)) {
        byte[] junk = new byte[random.nextInt(200)];
        random.nextBytes(junk);
        if (junk.length >= 8 && random.nextBoolean()) {
          ByteBuffer.wrap(junk).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, junk.length - 8);
        }
        append(j, junk);
        list(read(j));
      }
    }
  }

  static Journal.Reading read(Journal j) throws Exception {
    try (Fd fd = FileOps.duplicate(j.fd(), 3)) {
      return Journal.read(fd);
    }
  }

  static List<Change> list(Journal.Reading r) {
    List<Change> out = new ArrayList<>();
    r.forEach(out::add);
    return out;
  }

  private static FileChannel channel(Journal j) throws IOException {
    return FileChannel.open(Path.of("/proc/self/fd/" + j.fd()), StandardOpenOption.WRITE);
  }

  private static void truncate(Journal j, long size) throws IOException {
    try (FileChannel ch = channel(j)) {
      ch.truncate(size);
    }
  }

  private static void writeAt(Journal j, long offset, byte b) throws IOException {
    try (FileChannel ch = channel(j)) {
      ch.write(ByteBuffer.wrap(new byte[] {b}), offset);
    }
  }

  private static void append(Journal j, byte[] bytes) throws IOException {
    try (FileChannel ch = channel(j)) {
      ch.write(ByteBuffer.wrap(bytes), ch.size());
    }
  }
}
