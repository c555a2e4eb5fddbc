package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.protocol.Reply.StatsReply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The STATS reply body: round trips, its order and range rules (in the decoder and in the record
 * alike), codes this version does not know, and totality on mutated input. Truncations, trailing
 * bytes and the header are covered with every other reply in {@link FrameCodecTest}.
 */
class StatsCodecTest {
  private static final List<Stats.Quantile> QUANTILES =
      List.of(
          new Stats.Quantile(500_000, 14_000),
          new Stats.Quantile(900_000, 20_000),
          new Stats.Quantile(990_000, 90_000),
          new Stats.Quantile(999_000, 1_200_000));

  /** Every part used, unsigned extremes and codes from a newer broker included. */
  static final Stats FULL =
      new Stats(
          List.of(
              new Stats.Value(StatsMetric.UPTIME_MS.code(), 3_600_000),
              new Stats.Value(StatsMetric.CONNECTIONS.code(), 3),
              new Stats.Value(StatsMetric.FDS_LIMIT.code(), -1),
              new Stats.Value(255, Long.MIN_VALUE)),
          List.of(
              new Stats.KindCount(ObjectKind.NONE.code(), 2),
              new Stats.KindCount(ObjectKind.FD.code(), 5),
              new Stats.KindCount(200, 1)),
          List.of(
              new Stats.OpStats(
                  0,
                  1,
                  900,
                  900,
                  List.of(new Stats.Quantile(1, 900)),
                  List.of(new Stats.Refusals(Status.ENOSYS.code(), 1))),
              new Stats.OpStats(Opcode.PIN.code(), 10, 250_000, 1_200_000, QUANTILES, List.of()),
              new Stats.OpStats(
                  Opcode.GET.code(),
                  -1,
                  -2,
                  -3,
                  QUANTILES,
                  List.of(
                      new Stats.Refusals(Status.ENOENT.code(), 4),
                      new Stats.Refusals(Status.EACCES.code(), 1),
                      new Stats.Refusals(0xFFFF, 1))),
              new Stats.OpStats(Opcode.STAT.code(), 0, 0, 0, List.of(), List.of()),
              new Stats.OpStats(
                  0xFF, 0, 0, 0, List.of(new Stats.Quantile(999_999, 1)), List.of())));

  private static byte[] encode(Stats s) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeReply(new ReplyFrame(7, Opcode.STATS.code(), 0, new StatsReply(s)), out);
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  private static Stats decode(byte[] datagram) throws MalformedFrameException {
    return ((StatsReply) FrameCodec.decodeReply(ByteBuffer.wrap(datagram)).reply()).stats();
  }

  /** A STATS reply datagram around {@code body}. */
  private static byte[] frame(byte[] body) {
    ByteBuffer b =
        ByteBuffer.allocate(Frames.HEADER_BYTES + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) Frames.MAGIC).put((byte) Opcode.STATS.code());
    b.put((byte) Frames.FLAG_REPLY);
    b.putInt(7).putShort((short) 0).put((byte) 0).put((byte) 0).putInt(body.length).put(body);
    return b.array();
  }

  @Test
  void aFullReplyRoundTrips() throws MalformedFrameException {
    assertEquals(FULL, decode(encode(FULL)));
  }

  @Test
  void theBodyIsLaidOutAsTheSpecSays() {
    Stats one =
        new Stats(
            List.of(new Stats.Value(2, 3)),
            List.of(new Stats.KindCount(1, 5)),
            List.of(
                new Stats.OpStats(
                    3, 10, 0x100, 0x200, List.of(new Stats.Quantile(500_000, 7)),
                    List.of(new Stats.Refusals(2, 4)))));
    byte[] body = ByteBuffer.wrap(encode(one), Frames.HEADER_BYTES, 0).array();
    String hex = HexFormat.of().formatHex(body, Frames.HEADER_BYTES, body.length);
    assertEquals(
        "0100" + "02" + "0300000000000000" // one value: metric 2 = 3
            + "0100" + "01" + "0500000000000000" // one kind: FD = 5
            + "0100" + "03" // one op: GET
            + "0a00000000000000" + "0001000000000000" + "0002000000000000" // requests, sum, max
            + "01" + "20a10700" + "0700000000000000" // one quantile: 500000 ppm = 7 ns
            + "01" + "0200" + "0400000000000000", // one refusal status: ENOENT = 4
        hex);
  }

  @Test
  void lookupsSkipWhatIsMissingOrUnknown() {
    assertEquals(OptionalLong.of(3), FULL.value(StatsMetric.CONNECTIONS));
    assertEquals(OptionalLong.empty(), FULL.value(StatsMetric.FD_STORE_MAX));
    assertEquals(5, FULL.names(ObjectKind.FD));
    assertEquals(0, FULL.names(ObjectKind.SIM_PROG));
    Stats.OpStats get = FULL.op(Opcode.GET).orElseThrow();
    assertEquals(6, get.refused());
    assertEquals(4, get.refused(Status.ENOENT));
    assertEquals(0, get.refused(Status.EEXIST));
    assertEquals(OptionalLong.of(90_000), get.quantileNanos(990_000));
    assertEquals(0.99, get.quantiles().get(2).quantile());
    assertTrue(FULL.op(Opcode.CHOWN).isEmpty());
    assertTrue(FULL.ops().getFirst().knownOpcode().isEmpty(), "opcode 0: unknown opcodes");
    assertTrue(FULL.ops().getLast().knownOpcode().isEmpty(), "an opcode from a newer broker");
  }

  /** An operation record for opcode 2 with these quantiles and refusals. */
  private static Stats.OpStats op(List<Stats.Quantile> quantiles, List<Stats.Refusals> refusals) {
    return new Stats.OpStats(2, 1, 1, 1, quantiles, refusals);
  }

  private static Arguments values(String name, Stats.Value... values) {
    return Arguments.of(name, List.of(values), List.of(), List.of());
  }

  private static Arguments kinds(String name, Stats.KindCount... kinds) {
    return Arguments.of(name, List.of(), List.of(kinds), List.of());
  }

  private static Arguments ops(String name, Stats.OpStats... ops) {
    return Arguments.of(name, List.of(), List.of(), List.of(ops));
  }

  static Stream<Arguments> broken() {
    Stats.OpStats ok = op(List.of(), List.of());
    Stats.OpStats one = new Stats.OpStats(1, 0, 0, 0, List.of(), List.of());
    return Stream.of(
        values("metrics out of order", new Stats.Value(3, 0), new Stats.Value(2, 0)),
        values("a metric twice", new Stats.Value(3, 0), new Stats.Value(3, 0)),
        kinds("kinds out of order", new Stats.KindCount(1, 0), new Stats.KindCount(0, 0)),
        ops("opcodes out of order", ok, one),
        ops("an opcode twice", ok, ok),
        ops(
            "quantiles out of order",
            op(List.of(new Stats.Quantile(990_000, 1), new Stats.Quantile(500_000, 1)), List.of())),
        ops("quantile ppm 0", op(List.of(new Stats.Quantile(0, 1)), List.of())),
        ops(
            "quantile ppm of a million (the max has its own field)",
            op(List.of(new Stats.Quantile(1_000_000, 1)), List.of())),
        ops("refusal status 0", op(List.of(), List.of(new Stats.Refusals(0, 1)))),
        ops(
            "refusal statuses out of order",
            op(List.of(), List.of(new Stats.Refusals(13, 1), new Stats.Refusals(2, 1)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenRulesAreRefusedByTheRecordAndTheDecoder(
      String name, List<Stats.Value> values, List<Stats.KindCount> kinds, List<Stats.OpStats> ops) {
    assertThrows(IllegalArgumentException.class, () -> new Stats(values, kinds, ops), name);
    byte[] body = bodyOf(values, kinds, ops);
    assertThrows(MalformedFrameException.class, () -> decode(frame(body)), name);
  }

  /** The body as the layout gives it, written without the record's checks. */
  private static byte[] bodyOf(
      List<Stats.Value> values, List<Stats.KindCount> kinds, List<Stats.OpStats> ops) {
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) values.size());
    values.forEach(v -> b.put((byte) v.metric()).putLong(v.value()));
    b.putShort((short) kinds.size());
    kinds.forEach(k -> b.put((byte) k.kind()).putLong(k.count()));
    b.putShort((short) ops.size());
    for (Stats.OpStats o : ops) {
      b.put((byte) o.opcode()).putLong(o.requests()).putLong(o.latencySumNanos());
      b.putLong(o.latencyMaxNanos()).put((byte) o.quantiles().size());
      o.quantiles().forEach(q -> b.putInt(q.ppm()).putLong(q.nanos()));
      b.put((byte) o.refusals().size());
      o.refusals().forEach(r -> b.putShort((short) r.status()).putLong(r.count()));
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  @Test
  void outOfRangeCodesAreRefusedByTheRecord() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Stats(List.of(new Stats.Value(256, 0)), List.of(), List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Stats(
                List.of(),
                List.of(),
                List.of(op(List.of(), List.of(new Stats.Refusals(65536, 1))))));
  }

  @Test
  void aQuantilePpmAbove2To31IsRefused() {
    byte[] body =
        bodyOf(List.of(), List.of(), List.of(op(List.of(new Stats.Quantile(-1, 1)), List.of())));
    assertThrows(MalformedFrameException.class, () -> decode(frame(body)));
  }

  @Test
  void countsBeyondWhatTheFrameHoldsAreRefusedBeforeAllocating() {
    for (int at : new int[] {0, 2 + 9 * 4, 2 + 9 * 4 + 2 + 9 * 3}) { // FULL's three u16 counts
      byte[] datagram = encode(FULL);
      ByteBuffer.wrap(datagram)
          .order(ByteOrder.LITTLE_ENDIAN)
          .putShort(Frames.HEADER_BYTES + at, (short) 0xFFFF);
      assertThrows(MalformedFrameException.class, () -> decode(datagram), "count at " + at);
    }
  }

  @Test
  void theDecoderIsTotalOnMutatedReplies() {
    SplittableRandom rnd = new SplittableRandom(0x57A7_5L);
    byte[] seed = encode(FULL);
    int decoded = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] b = seed.clone();
      int flips = 1 + rnd.nextInt(4);
      for (int k = 0; k < flips; k++) {
        int at = Frames.HEADER_BYTES + rnd.nextInt(b.length - Frames.HEADER_BYTES);
        b[at] = (byte) rnd.nextInt(256);
      }
      try {
        decode(b);
        decoded++;
      } catch (MalformedFrameException expected) {
        // the only exception allowed
      } catch (RuntimeException e) {
        throw new AssertionError("threw on " + HexFormat.of().formatHex(b), e);
      }
    }
    assertTrue(decoded > 1000, "mutations that still decode: " + decoded);
  }

  @Test
  void theBrokerSideRecordsCopyTheirLists() {
    List<Stats.Value> values = new ArrayList<>(List.of(new Stats.Value(1, 1)));
    Stats s = new Stats(values, List.of(), List.of());
    values.add(new Stats.Value(2, 2));
    assertEquals(1, s.values().size());
  }
}
