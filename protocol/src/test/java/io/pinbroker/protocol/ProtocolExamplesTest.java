package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Re-checks every example datagram of PROTOCOL.md against the codec: the hex dump, its ASCII
 * column and the field table agree byte for byte; the datagram decodes, names its opcode and
 * status as the table does, and encodes back to the same bytes. Every opcode has at least one OK
 * reply among the examples, and every opcode a client sends at least one request.
 */
class ProtocolExamplesTest {
  private static final Pattern SIZE = Pattern.compile("(\\d+) bytes:");
  /** xxd's layout: an offset, 16 bytes in pairs in 39 columns, two spaces, the ASCII. */
  private static final Pattern DUMP =
      Pattern.compile("([0-9a-f]{8}): ((?:[0-9a-f]{2,4} ?){1,8}) *(?<=^.{49})(?:  (.*))?");
  private static final Pattern FIELD =
      Pattern.compile(" *(\\d+)  ((?:[0-9a-f]{2} )*[0-9a-f]{2}) +(\\S.*?) {2,}(.*)");
  private static final Pattern MORE_BYTES = Pattern.compile(" {8}((?:[0-9a-f]{2} ?)+)");
  private static final Pattern NAMED = Pattern.compile("(?:0x)?[0-9a-f]+ = ([A-Z0-9_]+)");

  /** One example: where it is, its dump, and the fields its table lists. */
  record Example(int line, int size, byte[] dump, List<Field> fields) {
    @Override
    public String toString() {
      return "PROTOCOL.md:" + line;
    }
  }

  record Field(int offset, byte[] bytes, String name, String value) {}

  static List<Example> examples() throws IOException {
    Path spec = Path.of(System.getProperty("basedir", "."), "PROTOCOL.md");
    List<String> lines = Files.readAllLines(spec);
    List<Example> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher size = SIZE.matcher(lines.get(i));
      if (size.matches() && i > 0 && lines.get(i - 1).equals("```text")) {
        found.add(parse(lines, i, Integer.parseInt(size.group(1))));
      }
    }
    return found;
  }

  private static Example parse(List<String> lines, int at, int size) {
    int i = at + 2; // a blank line follows the size
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    for (; !lines.get(i).isEmpty(); i++) {
      Matcher m = DUMP.matcher(lines.get(i));
      if (!m.matches()) {
        fail("line " + (i + 1) + " is not a dump line: " + lines.get(i));
      }
      assertEquals(dump.size(), Integer.parseInt(m.group(1), 16), "dump offset, line " + (i + 1));
      byte[] row = HexFormat.of().parseHex(m.group(2).replace(" ", ""));
      String text = m.group(3) == null ? "" : m.group(3);
      // Markdown tools strip trailing blanks, so the spaces that end a row may be gone.
      assertEquals(
          ascii(row).stripTrailing(), text.stripTrailing(), "ASCII column, line " + (i + 1));
      dump.writeBytes(row);
    }
    i++;
    assertTrue(lines.get(i).startsWith("offset  bytes"), "table header, line " + (i + 1));
    List<Field> fields = new ArrayList<>();
    for (i++; !lines.get(i).equals("```"); i++) {
      Matcher more = MORE_BYTES.matcher(lines.get(i));
      if (more.matches() && !fields.isEmpty()) {
        Field last = fields.removeLast();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(last.bytes());
        b.writeBytes(hex(more.group(1)));
        fields.add(new Field(last.offset(), b.toByteArray(), last.name(), last.value()));
        continue;
      }
      Matcher m = FIELD.matcher(lines.get(i));
      if (!m.matches()) {
        fail("line " + (i + 1) + " is not a field line: " + lines.get(i));
      }
      fields.add(
          new Field(Integer.parseInt(m.group(1)), hex(m.group(2)), m.group(3), m.group(4)));
    }
    return new Example(at + 1, size, dump.toByteArray(), fields);
  }

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  private static String ascii(byte[] row) {
    StringBuilder s = new StringBuilder();
    for (byte b : row) {
      s.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
    }
    return s.toString();
  }

  private static String field(Example e, String name) {
    return e.fields().stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .map(Field::value)
        .orElseThrow(() -> new AssertionError(e + " has no field " + name));
  }

  @Test
  void theSpecHasExamples() throws IOException {
    assertTrue(examples().size() >= 40, "examples found: " + examples().size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void theDumpAndTheTableShowTheSameBytes(Example e) {
    assertEquals(e.size(), e.dump().length, "the size line");
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    for (Field f : e.fields()) {
      assertEquals(table.size(), f.offset(), "offset of " + f.name());
      table.writeBytes(f.bytes());
    }
    assertArrayEquals(e.dump(), table.toByteArray(), "the field table's bytes");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void theCodecDecodesAndReencodesEachExample(Example e) throws MalformedFrameException {
    byte[] bytes = e.dump();
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    if ((bytes[3] & Frames.FLAG_REPLY) == 0) {
      DecodedRequest d = FrameCodec.decodeRequest(ByteBuffer.wrap(bytes));
      if (!(d instanceof DecodedRequest.Valid v)) {
        throw new AssertionError(e + " does not decode: " + d);
      }
      FrameCodec.encodeRequest(v.frame(), out);
    } else {
      ReplyFrame r = FrameCodec.decodeReply(ByteBuffer.wrap(bytes));
      FrameCodec.encodeReply(r, out);
      Matcher status = NAMED.matcher(field(e, "status"));
      if (status.matches()) {
        assertEquals(r.reply().status().name(), status.group(1), e + ": status");
      }
    }
    byte[] again = new byte[out.remaining()];
    out.get(again);
    assertArrayEquals(bytes, again, e + " re-encoded");
    Opcode op = Opcode.valueOf(bytes[2]);
    Matcher named = NAMED.matcher(field(e, "opcode"));
    if (op != null) {
      assertTrue(named.matches(), e + ": opcode " + field(e, "opcode"));
      assertEquals(op.name(), named.group(1), e + ": opcode");
    }
  }

  @Test
  void everyOpcodeHasARequestAndAnOkReplyExample() throws IOException {
    Set<Opcode> requests = EnumSet.noneOf(Opcode.class);
    Set<Opcode> replies = EnumSet.noneOf(Opcode.class);
    for (Example e : examples()) {
      byte[] b = e.dump();
      Opcode op = Opcode.valueOf(b[2]);
      if (op == null) {
        continue;
      }
      boolean ok = b[8] == 0 && b[9] == 0;
      if ((b[3] & Frames.FLAG_REPLY) == 0) {
        requests.add(op);
      } else if (ok) {
        replies.add(op);
      }
    }
    Set<Opcode> sentByClients = EnumSet.noneOf(Opcode.class);
    for (Opcode op : Opcode.values()) {
      if (op.isRequest()) {
        sentByClients.add(op);
      }
    }
    assertEquals(sentByClients, requests, "opcodes with a request example");
    assertEquals(EnumSet.allOf(Opcode.class), replies, "opcodes with an OK reply example");
  }

}
