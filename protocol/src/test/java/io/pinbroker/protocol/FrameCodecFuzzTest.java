package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes both decoders of {@link FrameCodec} with arbitrary datagrams. Each must be total (a
 * request decodes to a {@link DecodedRequest}, a reply to a frame or a {@link
 * MalformedFrameException}, and nothing else is ever thrown), must not hang, and whatever decodes
 * must encode back to the very same bytes. Two lenient reply decodings are documented and checked
 * as such: an unknown status becomes EPROTO (§9), and a detail longer than the 1024 bytes the
 * broker sends is cut on re-encoding (§11).
 *
 * <p>In a plain test run this checks the seeds: every datagram of PROTOCOL.md and every frame of
 * {@link FrameCodecTest}, plus the files under {@code FrameCodecFuzzTestInputs/decode}, where
 * Jazzer leaves the inputs of its findings. README "Fuzzing" tells how to fuzz it.
 */
class FrameCodecFuzzTest {
  private static final int OFF_OPCODE = 2;
  private static final int OFF_FLAGS = 3;
  private static final int OFF_ID = 4;
  private static final int OFF_STATUS = 8;
  private static final int OFF_FD_COUNT = 10;

  static Stream<Named<byte[]>> seeds() throws IOException {
    Stream<Named<byte[]>> examples =
        ProtocolExamplesTest.examples().stream().map(e -> Named.of(e.toString(), e.dump()));
    Stream<Named<byte[]>> requests =
        FrameCodecTest.requests().map(a -> seed(a, f -> encode((RequestFrame) f)));
    Stream<Named<byte[]>> replies =
        FrameCodecTest.replies().map(a -> seed(a, f -> encode((ReplyFrame) f)));
    return Stream.of(examples, requests, replies).flatMap(s -> s);
  }

  private interface Encoder {
    byte[] encode(Object frame);
  }

  private static Named<byte[]> seed(Arguments a, Encoder encoder) {
    Object[] args = a.get();
    return Named.of("FrameCodecTest " + args[0], encoder.encode(args[1]));
  }

  @MethodSource("seeds")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void decode(byte[] datagram) {
    DecodedRequest request = FrameCodec.decodeRequest(ByteBuffer.wrap(datagram));
    checkRequest(datagram, request);
    assertEquals(request, FrameCodec.decodeRequest(atOffset(datagram)), "same from anywhere");

    ReplyFrame reply = decodeReply(ByteBuffer.wrap(datagram));
    if (reply != null) {
      checkReply(datagram, reply);
    }
    assertEquals(reply, decodeReply(atOffset(datagram)), "same from anywhere");
    assertFalse(
        request instanceof DecodedRequest.Valid && reply != null,
        "FLAG_REPLY tells a request from a reply");
  }

  private static void checkRequest(byte[] datagram, DecodedRequest decoded) {
    switch (decoded) {
      case DecodedRequest.Valid v -> {
        assertEquals(v.frame().request().opcode().code(), datagram[OFF_OPCODE] & 0xFF);
        assertArrayEquals(datagram, encode(v.frame()), "a valid request re-encodes to itself");
      }
      case DecodedRequest.UnknownOpcode u -> {
        ByteBuffer h = le(datagram);
        assertEquals(h.getInt(OFF_ID), u.requestId());
        assertEquals(datagram[OFF_OPCODE] & 0xFF, u.opcode());
        assertEquals(datagram[OFF_FD_COUNT] & 0xFF, u.fdCount());
        Opcode op = Opcode.valueOf((byte) u.opcode());
        assertTrue(op == null || !op.isRequest(), "opcode " + u.opcode() + " is a request");
      }
      case DecodedRequest.Malformed m -> assertFalse(m.reason().isEmpty(), "a reason is given");
    }
  }

  /** The reply, or null if it is malformed: the one exception {@code decodeReply} may throw. */
  private static ReplyFrame decodeReply(ByteBuffer datagram) {
    try {
      return FrameCodec.decodeReply(datagram);
    } catch (MalformedFrameException e) {
      assertNotNull(e.getMessage(), "a reason is given");
      return null;
    }
  }

  private static void checkReply(byte[] datagram, ReplyFrame frame) {
    int status = le(datagram).getShort(OFF_STATUS) & 0xFFFF;
    assertEquals(frame.fdCount(), frame.reply().requiredFds());
    if (frame.reply() instanceof Reply.Failure f && Status.valueOf(status) == null) {
      assertEquals(Status.EPROTO, f.status(), "an unknown status is a failure all the same");
      return;
    }
    assertEquals(status, frame.reply().status().code());
    byte[] again = encode(frame);
    if (frame.reply() instanceof Reply.Failure f && tooLong(f.detail())) {
      ReplyFrame cut = decodeReply(ByteBuffer.wrap(again));
      assertNotNull(cut, "a cut detail decodes");
      Reply.Failure shorter = (Reply.Failure) cut.reply();
      assertEquals(FrameCodec.truncate(f.detail()), shorter.detail(), "the detail is cut");
      assertTrue(f.detail().startsWith(shorter.detail()));
      return;
    }
    assertArrayEquals(datagram, again, "a valid reply re-encodes to itself");
  }

  private static boolean tooLong(String detail) {
    return detail.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_DETAIL_BYTES;
  }

  /** The datagram as the remaining bytes of a direct buffer that holds other bytes around it. */
  private static ByteBuffer atOffset(byte[] datagram) {
    ByteBuffer b = ByteBuffer.allocateDirect(datagram.length + 7);
    b.put(new byte[] {'P', 'B', 1, 2, 3}).put(datagram).put(new byte[] {0x50, 0x42});
    return b.flip().position(5).limit(5 + datagram.length);
  }

  private static ByteBuffer le(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] encode(RequestFrame f) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeRequest(f, out);
    return bytes(out);
  }

  private static byte[] encode(ReplyFrame f) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeReply(f, out);
    return bytes(out);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
