package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.IsADirectoryException;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.StatsMetric;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STATS from a broker in this JVM: a known number of pins, gets and refused gets is counted
 * exactly, latencies come as ordered quantiles, and names and fds add up. Nothing here asserts a
 * latency value: performance belongs to the benchmarks.
 */
class StatsTest {
  private static final int PINS = 5;
  private static final int GETS = 7;
  private static final int MISSING = 3;

  @TempDir Path dir;
  TestBroker broker;
  PinbrokerClient client;

  @BeforeEach
  void start() throws IOException {
    broker = TestBroker.start(dir);
    client = broker.client();
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    broker.close();
  }

  private static long value(Stats s, StatsMetric m) {
    OptionalLong v = s.value(m);
    assertTrue(v.isPresent(), m + " is reported");
    return v.getAsLong();
  }

  private static Stats.OpStats op(Stats s, Opcode op) {
    return s.op(op).orElseThrow(() -> new AssertionError("no record for " + op));
  }

  @Test
  void requestsAndRefusalsAreCountedExactly() throws IOException {
    client.mkdir("/t", 0755);
    try (Fd memfd = FileOps.memfd("stats", 64, 0)) {
      for (int i = 0; i < PINS; i++) {
        client.pin("/t/m" + i, memfd.value(), PinOptions.DEFAULT);
      }
    }
    for (int i = 0; i < GETS; i++) {
      try (ReceivedFd got = client.get("/t/m" + (i % PINS), Access.READ_ONLY)) {
        assertTrue(got.fd().value() >= 0);
      }
    }
    for (int i = 0; i < MISSING; i++) {
      String missing = "/t/missing" + i;
      assertThrows(NoSuchEntryException.class, () -> client.get(missing, Access.READ_ONLY));
    }
    assertThrows(IsADirectoryException.class, () -> client.get("/t", Access.READ_ONLY));

    Stats s = client.stats();
    Stats.OpStats pin = op(s, Opcode.PIN);
    assertEquals(PINS, pin.requests());
    assertEquals(0, pin.refused());
    Stats.OpStats get = op(s, Opcode.GET);
    assertEquals(GETS + MISSING + 1, get.requests());
    assertEquals(MISSING + 1, get.refused());
    assertEquals(MISSING, get.refused(Status.ENOENT));
    assertEquals(1, get.refused(Status.EISDIR));
    assertEquals(
        List.of(
            new Stats.Refusals(Status.ENOENT.code(), MISSING),
            new Stats.Refusals(Status.EISDIR.code(), 1)),
        get.refusals(),
        "by status, in increasing order");
    assertEquals(1, op(s, Opcode.MKDIR).requests());
    assertEquals(1, op(s, Opcode.HELLO).requests(), "this client's HELLO");
    assertEquals(0, op(s, Opcode.STATS).requests(), "a STATS counts once it is answered");
    assertEquals(1, op(client.stats(), Opcode.STATS).requests());

    for (Stats.OpStats o : List.of(pin, get)) {
      quantilesAreOrdered(o);
    }
    for (Stats.OpStats o : s.ops()) {
      if (o.requests() == 0) {
        assertTrue(o.quantiles().isEmpty(), "no quantiles without requests: " + o);
        assertEquals(0, o.latencyMaxNanos());
      } else {
        quantilesAreOrdered(o);
      }
    }
    assertEquals(
        0, s.ops().getFirst().opcode(), "unknown opcodes first, then every opcode in order");
    assertEquals(Opcode.values().length + 1, s.ops().size());
  }

  private static void quantilesAreOrdered(Stats.OpStats o) {
    assertEquals(List.of(500_000, 900_000, 990_000, 999_000),
        o.quantiles().stream().map(Stats.Quantile::ppm).toList(), "p50, p90, p99, p99.9");
    long p50 = o.quantileNanos(500_000).orElseThrow();
    long p99 = o.quantileNanos(990_000).orElseThrow();
    long previous = 0;
    for (Stats.Quantile q : o.quantiles()) {
      assertTrue(q.nanos() >= previous, "quantiles do not decrease: " + o);
      previous = q.nanos();
    }
    assertTrue(p50 > 0 && p50 <= p99 && p99 <= o.latencyMaxNanos(), "p50 <= p99 <= max: " + o);
    assertTrue(o.latencySumNanos() >= o.requests(), "a sum of positive latencies: " + o);
  }

  @Test
  void namesByKindAndFdsAddUp() throws IOException {
    client.mkdir("/k", 0755);
    client.mkdir("/k/sub", 0755);
    try (Fd memfd = FileOps.memfd("stats", 64, 0)) {
      client.pin("/k/fd1", memfd.value(), PinOptions.DEFAULT);
      client.pin("/k/fd2", memfd.value(), PinOptions.DEFAULT);
    }
    client.createMap("/k/sim", new MapSpec(true, Bpf.HASH, 4, 8, 16, 0, "sim"), PinOptions.DEFAULT);
    boolean bpf = Capability.optionalBpf("count a real BPF map");
    if (bpf) {
      try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 4, 0, "stats")) {
        client.pin("/k/bpf", map.value(), PinOptions.DEFAULT);
      }
    }
    long objects = bpf ? 4 : 3;

    Stats s = client.stats();
    assertEquals(2, s.names(ObjectKind.NONE), "directories, the root excepted");
    assertEquals(2, s.names(ObjectKind.FD), "memfds are plain fds");
    assertEquals(1, s.names(ObjectKind.SIM_MAP));
    assertEquals(bpf ? 1 : 0, s.names(ObjectKind.BPF_MAP));
    assertEquals(0, s.names(ObjectKind.BPF_PROG));
    assertEquals(ObjectKind.values().length, s.names().size(), "every kind, zeros included");
    assertEquals(objects, value(s, StatsMetric.FDS_HELD));
    long open = value(s, StatsMetric.FDS_OPEN);
    assertTrue(open >= objects + 2, "held fds, the listener and a connection are open: " + open);
    long limit = value(s, StatsMetric.FDS_LIMIT);
    assertTrue(limit == -1 || limit >= open, "limit " + limit + " >= open " + open);
    assertEquals(100_000, value(s, StatsMetric.NAMES_MAX));
    assertFalse(s.value(StatsMetric.FD_STORE_USED).isPresent(), "no fd store in this broker");
    assertFalse(s.value(StatsMetric.FD_STORE_MAX).isPresent());

    client.unlink("/k/fd1");
    assertEquals(1, client.stats().names(ObjectKind.FD));
  }

  @Test
  void connectionsAreCounted() throws IOException {
    assertTrue(value(client.stats(), StatsMetric.UPTIME_MS) >= 0);
    try (PinbrokerClient second = broker.client()) {
      Stats s = second.stats();
      assertEquals(2, value(s, StatsMetric.CONNECTIONS), "both clients");
      assertEquals(2, value(s, StatsMetric.CONNECTIONS_ACCEPTED));
      assertEquals(256, value(s, StatsMetric.CONNECTIONS_MAX));
      assertEquals(0, value(s, StatsMetric.PROTOCOL_VIOLATIONS));
    }
    try (UnixSocket raw = UnixSocket.connect(broker.socket)) {
      raw.send(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), new int[0]); // not a frame
      raw.receive(java.nio.ByteBuffer.allocate(65536)).close(); // the EPROTO notice
    }
    Stats s = awaitConnections(1);
    assertEquals(1, value(s, StatsMetric.PROTOCOL_VIOLATIONS));
    assertEquals(3, value(s, StatsMetric.CONNECTIONS_ACCEPTED));
  }

  /** Connections close on their own threads: wait until only this client's is open. */
  private Stats awaitConnections(long open) throws IOException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    Stats s = client.stats();
    while (value(s, StatsMetric.CONNECTIONS) != open && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      s = client.stats();
    }
    assertEquals(open, value(s, StatsMetric.CONNECTIONS));
    return s;
  }
}
