package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.BusyException;
import io.pinbroker.client.MapSpec;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.OperationNotPermittedException;
import io.pinbroker.client.PermissionDeniedException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.QuotaExceededException;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.client.TooBigException;
import io.pinbroker.protocol.Handout;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real BPF objects held by the broker: identified, described, handed out, created, related. */
class BpfBrokerTest {
  private static final byte[] KEY1 = Bpf.u32(1);

  @TempDir Path dir;
  TestBroker broker;
  PinbrokerClient client;
  int baseline;

  @BeforeEach
  void start() throws IOException {
    Capability.requireBpf("hold real BPF objects");
    baseline = FdCount.self();
    broker = TestBroker.start(dir);
    client = broker.client();
  }

  @AfterEach
  void stop() throws IOException {
    if (broker == null) {
      return;
    }
    for (var e : client.list("/")) {
      if (!e.info().isDirectory()) {
        client.forceUnlink("/" + e.name());
      }
    }
    client.close();
    broker.close();
    assertEquals(baseline, FdCount.settle(ProcessHandle.current().pid(), baseline, Duration.ofSeconds(5)));
  }

  @Test
  void aPinnedMapIsDescribedAndItsReadOnlyHandoutIsEnforcedByTheKernel() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 8, 16, 0, "counters")) {
      NodeInfo info = client.pin("/counters", map.value(), PinOptions.DEFAULT.mode(0644));
      assertEquals(ObjectKind.BPF_MAP, info.kind());
      ObjectDetails.MapDetails m = assertInstanceOf(ObjectDetails.MapDetails.class, info.details());
      assertEquals(Bpf.mapInfo(map.value()).id(), m.id());
      assertEquals(List.of(Bpf.ARRAY, 4, 8, 16, "counters"), List.of(m.mapType(), m.keySize(), m.valueSize(), m.maxEntries(), m.name()));
    }
    try (ReceivedFd rw = client.get("/counters", Access.READ_WRITE);
        ReceivedFd ro = client.get("/counters", Access.READ_ONLY)) {
      assertEquals(Handout.REOPENED, ro.handout());
      Bpf.update(rw.fd().value(), KEY1, new byte[] {42, 0, 0, 0, 0, 0, 0, 0}, Bpf.ANY);
      byte[] value = new byte[8];
      assertTrue(Bpf.lookup(ro.fd().value(), KEY1, value));
      assertEquals(42, value[0]);
      ErrnoException refused =
          assertThrows(ErrnoException.class, () -> Bpf.update(ro.fd().value(), KEY1, new byte[8], Bpf.ANY));
      assertEquals(1, refused.errno(), "EPERM from the kernel");
    }
  }

  @Test
  void programsAndLinksAreDescribedAndHandedOutByIdWithAdvisoryAccess() throws IOException {
    try (Fd prog = Bpf.loadRawTracepointProgram("tp");
        Fd link = Bpf.rawTracepointLink(prog.value(), "sched_switch")) {
      int progId = Bpf.progInfo(prog.value()).id();
      NodeInfo p = client.pin("/prog", prog.value(), PinOptions.DEFAULT);
      assertEquals(ObjectKind.BPF_PROG, p.kind());
      assertEquals(progId, ((ObjectDetails.ProgDetails) p.details()).id());
      NodeInfo l = client.pin("/link", link.value(), PinOptions.DEFAULT);
      assertEquals(ObjectKind.BPF_LINK, l.kind());
      assertEquals(progId, ((ObjectDetails.LinkDetails) l.details()).progId());
    }
    try (ReceivedFd prog = client.get("/prog", Access.READ_ONLY);
        ReceivedFd link = client.get("/link", Access.READ_WRITE)) {
      assertEquals(Handout.ADVISORY, prog.handout());
      assertEquals(Handout.ADVISORY, link.handout());
      assertEquals(((ObjectDetails.ProgDetails) prog.info().details()).id(), Bpf.progInfo(prog.fd().value()).id());
    }
  }

  @Test
  void theBrokerCreatesMapsWithinItsPolicyAndQuota() throws IOException {
    NodeInfo created =
        client.createMap("/made", new MapSpec(false, Bpf.HASH, 8, 8, 1024, 0, "made"), PinOptions.DEFAULT);
    assertEquals(ObjectKind.BPF_MAP, created.kind());
    int id = ((ObjectDetails.MapDetails) created.details()).id();
    try (Fd byId = Bpf.mapById(id, 0)) {
      assertEquals("made", Bpf.mapInfo(byId.value()).name());
    }
    var e = assertThrows(OperationNotPermittedException.class,
        () -> client.createMap("/rb", new MapSpec(false, Bpf.RINGBUF, 0, 0, 4096, 0, "rb"), PinOptions.DEFAULT));
    assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
    assertThrows(TooBigException.class,
        () -> client.createMap("/big", new MapSpec(false, Bpf.ARRAY, 4, 1024, 4096, 0, "big"), PinOptions.DEFAULT));
    // 4 MiB per uid: three maps of ~1 MiB fit beside /made, a fourth does not
    MapSpec mib = new MapSpec(false, Bpf.ARRAY, 4, 1016, 1024, 0, "mib");
    for (int i = 0; i < 3; i++) {
      client.createMap("/q" + i, mib, PinOptions.DEFAULT);
    }
    assertThrows(QuotaExceededException.class, () -> client.createMap("/q3", mib, PinOptions.DEFAULT));
    assertThrows(NoSuchEntryException.class, () -> client.stat("/q3"));
    client.unlink("/q0");
    client.createMap("/q3", mib, PinOptions.DEFAULT); // unlinking gave the quota back
  }

  @Test
  void aProgArrayShowsItsMembersAndProtectsThem() throws IOException {
    client.createMap("/jmp", new MapSpec(false, Bpf.PROG_ARRAY, 4, 4, 4, 0, "jmp"), PinOptions.DEFAULT);
    int progId;
    try (Fd prog = Bpf.loadSocketFilter("v1")) {
      progId = Bpf.progInfo(prog.value()).id();
      client.pin("/v1", prog.value(), PinOptions.DEFAULT);
      try (ReceivedFd jmp = client.get("/jmp", Access.READ_WRITE)) {
        Bpf.update(jmp.fd().value(), Bpf.u32(2), Bpf.u32(prog.value()), Bpf.ANY);
      }
    }
    ObjectDetails.MapDetails m = (ObjectDetails.MapDetails) client.stat("/jmp").details();
    assertEquals(1, m.members().size());
    assertEquals(new ObjectDetails.ProgArraySlot(2, progId, "/v1"), m.members().getFirst());
    BusyException busy = assertThrows(BusyException.class, () -> client.unlink("/v1"));
    assertTrue(busy.getMessage().contains("/jmp slot 2"), busy.getMessage());
    client.forceUnlink("/v1");
    ObjectDetails.MapDetails after = (ObjectDetails.MapDetails) client.stat("/jmp").details();
    assertEquals("", after.members().getFirst().holder(), "the kernel still holds it; no name does");
  }

  @Test
  void aReadOnlyPinnedMapIsNeverHandedOutWritable() throws IOException {
    try (Fd map = Bpf.createMap(Bpf.ARRAY, 4, 4, 2, 0, "ro");
        Fd ro = Bpf.mapById(Bpf.mapInfo(map.value()).id(), Bpf.F_RDONLY)) {
      client.pin("/ro", ro.value(), PinOptions.DEFAULT);
    }
    assertThrows(PermissionDeniedException.class, () -> client.get("/ro", Access.READ_WRITE));
    try (ReceivedFd got = client.get("/ro", Access.READ_ONLY)) {
      ErrnoException e =
          assertThrows(ErrnoException.class, () -> Bpf.update(got.fd().value(), KEY1, new byte[4], Bpf.ANY));
      assertEquals(1, e.errno());
    }
  }
}
