package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.BusyException;
import io.pinbroker.client.InvalidArgumentException;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.maps.MapHandle;
import io.pinbroker.maps.MapHandles;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.sim.SimMapException;
import io.pinbroker.sim.SimProg;
import io.pinbroker.sim.SimMap;
import io.pinbroker.sim.SimMapType;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sim maps and programs held by the broker: no BPF privileges needed anywhere. */
class SimBrokerTest {
  private static final long[] INSNS = {Bpf.INSN_MOV64_R0_0, Bpf.INSN_EXIT};

  @TempDir Path dir;
  TestBroker broker;
  PinbrokerClient client;
  int baseline;

  @BeforeEach
  void start() throws IOException {
    baseline = FdCount.self();
    broker = TestBroker.start(dir);
    client = broker.client();
  }

  @AfterEach
  void stop() throws IOException {
    for (var e : client.list("/")) {
      client.forceUnlink("/" + e.name());
    }
    client.close();
    broker.close();
    assertEquals(baseline, FdCount.settle(ProcessHandle.current().pid(), baseline, Duration.ofSeconds(5)));
  }

  @Test
  void theBrokerCreatesSimMapsThatReadOnlyGetsCannotChange() throws IOException {
    NodeInfo made =
        client.createMap("/flows", new MapSpec(true, Bpf.HASH, 4, 8, 64, 0, "flows"), PinOptions.DEFAULT.mode(0644));
    assertEquals(ObjectKind.SIM_MAP, made.kind());
    ObjectDetails.MapDetails m = assertInstanceOf(ObjectDetails.MapDetails.class, made.details());
    assertEquals(Bpf.HASH, m.mapType());
    assertEquals("flows", m.name());
    byte[] key = Bpf.u32(7);
    byte[] value = {1, 2, 3, 4, 5, 6, 7, 8};
    try (ReceivedFd rw = client.get("/flows", Access.READ_WRITE);
        MapHandle writer = MapHandles.open(rw, true)) {
      assertEquals(Handout.REOPENED, rw.handout());
      writer.update(key, value, 0);
    }
    try (ReceivedFd ro = client.get("/flows", Access.READ_ONLY);
        MapHandle reader = MapHandles.open(ro, false)) {
      assertArrayEquals(value, reader.lookup(key));
      SimMapException e = assertThrows(SimMapException.class, () -> reader.update(key, value, 0));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
      ErrnoException mmap = assertThrows(ErrnoException.class, () -> SimMap.open(ro.fd().value(), true));
      assertEquals(13, mmap.errno(), "EACCES: the kernel refuses a writable mapping of a read-only fd");
    }
  }

  @Test
  void aPinnedSimProgIsDescribedAndSealed() throws IOException {
    try (Fd prog = SimProg.create(Bpf.PROG_TYPE_SOCKET_FILTER, INSNS, "v1")) {
      NodeInfo info = client.pin("/v1", prog.value(), PinOptions.DEFAULT);
      assertEquals(ObjectKind.SIM_PROG, info.kind());
      ObjectDetails.ProgDetails p = (ObjectDetails.ProgDetails) info.details();
      assertEquals("a04f5eef06a7f555", p.tag());
      assertEquals("v1", p.name());
    }
    try (ReceivedFd got = client.get("/v1", Access.READ_WRITE)) {
      assertEquals(SimProg.read(got.fd().value()).tag(), "a04f5eef06a7f555");
      assertThrows(
          IOException.class,
          () ->
              Files.write(
                  Path.of("/proc/self/fd/" + got.fd().value()),
                  new byte[] {1},
                  StandardOpenOption.WRITE),
          "sealed against writes");
    }
  }

  @Test
  void anUnsealedSimProgIsSealedWhenPinned() throws IOException {
    try (Fd prog = FileOps.memfd("hand-made", 0, FileOps.MFD_ALLOW_SEALING)) {
      try (Fd sealed = SimProg.create(Bpf.PROG_TYPE_SOCKET_FILTER, INSNS, "copy")) {
        byte[] image = Files.readAllBytes(Path.of("/proc/self/fd/" + sealed.value()));
        Files.write(Path.of("/proc/self/fd/" + prog.value()), image);
      }
      assertEquals(0, SharedMemory.seals(prog.value()));
      assertEquals(ObjectKind.SIM_PROG, client.pin("/copy", prog.value(), PinOptions.DEFAULT).kind());
      assertEquals(15, SharedMemory.seals(prog.value()), "all four seals");
    }
  }

  @Test
  void aSimProgArrayListsItsMembersAndProtectsThem() throws IOException {
    client.createMap("/jmp", new MapSpec(true, Bpf.PROG_ARRAY, 4, 4, 8, 0, "jmp"), PinOptions.DEFAULT);
    int id;
    try (Fd prog = SimProg.create(Bpf.PROG_TYPE_SOCKET_FILTER, INSNS, "v1")) {
      id = ((ObjectDetails.ProgDetails) client.pin("/v1", prog.value(), PinOptions.DEFAULT).details()).id();
    }
    try (ReceivedFd jmp = client.get("/jmp", Access.READ_WRITE);
        MapHandle slots = MapHandles.open(jmp, true)) {
      slots.update(Bpf.u32(3), Bpf.u32(id), 0);
    }
    ObjectDetails.MapDetails m = (ObjectDetails.MapDetails) client.stat("/jmp").details();
    assertEquals(new ObjectDetails.ProgArraySlot(3, id, "/v1"), m.members().getFirst());
    assertThrows(BusyException.class, () -> client.unlink("/v1"));
    client.forceUnlink("/v1");
  }

  @Test
  void malformedSimObjectsAndDisallowedSimTypesAreRefused() throws IOException {
    assertThrows(
        InvalidArgumentException.class,
        () -> client.createMap("/lru", new MapSpec(true, Bpf.HASH, 0, 8, 4, 0, "x"), PinOptions.DEFAULT));
    try (Fd fake = FileOps.memfd("fake", 64, 0)) {
      Files.write(Path.of("/proc/self/fd/" + fake.value()), "PBSIMMAPgarbage".getBytes());
      assertThrows(InvalidArgumentException.class, () -> client.pin("/fake", fake.value(), PinOptions.DEFAULT));
    }
    try (Fd real = SimMap.create(SimMapType.ARRAY, 4, 4, 4, "ok")) {
      assertEquals(ObjectKind.SIM_MAP, client.pin("/ok", real.value(), PinOptions.DEFAULT).kind());
    }
  }
}
