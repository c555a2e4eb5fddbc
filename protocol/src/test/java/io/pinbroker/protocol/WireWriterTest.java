package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireWriterTest {
  private static final List<String> SAMPLES =
      List.of(
          "", "e000123", "é", "\u07ff", "\u0800", "日本", "\uffff", "😀x", "a\ud800", "\udc00b",
          "\ud800\ud800\udc00", "mixed é 😀 \ud83d");

  @Test
  void stringWritesWhatGetBytesWouldAndStringBytesCountsIt() {
    Random r = new Random(6);
    List<String> all = new java.util.ArrayList<>(SAMPLES);
    for (int i = 0; i < 2000; i++) {
      char[] cs = new char[r.nextInt(12)];
      for (int j = 0; j < cs.length; j++) {
        cs[j] = switch (r.nextInt(4)) {
          case 0 -> (char) r.nextInt(0x80);
          case 1 -> (char) (0x80 + r.nextInt(0x780));
          case 2 -> (char) (0xd800 + r.nextInt(0x800)); // surrogates, paired or not
          default -> (char) r.nextInt(0x10000);
        };
      }
      all.add(new String(cs));
    }
    for (String s : all) {
      byte[] expected = s.getBytes(StandardCharsets.UTF_8);
      ByteBuffer buf = ByteBuffer.allocate(2 + expected.length);
      new WireWriter(buf).string(s);
      assertEquals(buf.capacity(), buf.position(), s);
      assertEquals(expected.length, Short.toUnsignedInt(buf.getShort(0)), s);
      assertArrayEquals(expected, Arrays.copyOfRange(buf.array(), 2, buf.capacity()), s);
      assertEquals(2 + expected.length, WireWriter.stringBytes(s), s);
    }
  }
}
