package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An over-long detail is cut to the limit, never inside a UTF-8 sequence. */
class DetailTruncationTest {
  @ParameterizedTest
  @ValueSource(strings = {"\u00e9", "\u20ac", "\uD83D\uDE00", "x"})
  void staysWithinTheLimitAndIsAPrefix(String tail) throws Exception {
    String detail = "x".repeat(Limits.MAX_DETAIL_BYTES - 1) + tail.repeat(3);
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeReply(
        new ReplyFrame(1, Opcode.STAT.code(), 0, new Reply.Failure(Status.ENOENT, detail)), out);
    Reply.Failure f = (Reply.Failure) FrameCodec.decodeReply(out).reply();
    int bytes = f.detail().getBytes(StandardCharsets.UTF_8).length;
    assertTrue(bytes <= Limits.MAX_DETAIL_BYTES, "detail on the wire is " + bytes + " bytes");
    assertTrue(detail.startsWith(f.detail()), "a prefix of the original");
    assertEquals(tail.equals("x") ? Limits.MAX_DETAIL_BYTES : Limits.MAX_DETAIL_BYTES - 1, bytes);
  }
}
