package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.sim.SimMap;
import io.pinbroker.sim.SimMapType;
import io.pinbroker.sim.SimProg;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.PeerCredentials;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A prog array names the holders of its programs only to peers that may search their way there. */
class ProgArrayVisibilityTest {
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);
  private static final PeerCredentials ALICE = new PeerCredentials(2, 1000, 1000);
  private static final PeerCredentials BOB = new PeerCredentials(3, 1001, 1001);

  private Namespace ns;

  private static PathName p(String path) throws Exception {
    return PathName.parse(path);
  }

  @BeforeEach
  void setUp() throws Exception {
    ns = new Namespace(new NamespaceConfig(01777, 0, true, 100), InstantSource.fixed(Instant.EPOCH));
    ns.mkdir(ALICE, p("/priv"), 0700);
    HeldObject prog =
        HeldObject.adopt(SimProg.create(Bpf.PROG_TYPE_SOCKET_FILTER, new long[] {Bpf.INSN_MOV64_R0_0, Bpf.INSN_EXIT}, "v1"));
    int id = ((ObjectDetails.ProgDetails) ns.pin(ALICE, p("/priv/v1"), 0644, Request.DEFAULT_ID, 0, 0, prog).details()).id();
    Fd jmp = SimMap.create(SimMapType.PROG_ARRAY, 4, 4, 4, "jmp");
    try (SimMap slots = SimMap.open(jmp.value(), true)) {
      slots.update(Bpf.u32(0), Bpf.u32(id), 0);
    }
    ns.pin(ALICE, p("/jmp"), 0644, Request.DEFAULT_ID, 0, 0, HeldObject.adopt(jmp));
  }

  @AfterEach
  void tearDown() throws Exception {
    ns.unlink(ROOT, p("/priv/v1"), true);
    ns.unlink(ROOT, p("/jmp"), false);
  }

  private String holder(PeerCredentials who) throws Exception {
    ObjectDetails.MapDetails m = (ObjectDetails.MapDetails) ns.stat(who, p("/jmp")).details();
    return m.members().getFirst().holder();
  }

  @Test
  void theHolderIsNamedOnlyToWhoMaySearchForIt() throws Exception {
    assertEquals("/priv/v1", holder(ALICE));
    assertEquals("", holder(BOB), "bob may not search /priv");
    Refusal busy = assertThrows(Refusal.class, () -> ns.unlink(ALICE, p("/priv/v1"), false));
    assertEquals(Status.EBUSY, busy.status());
    assertTrue(busy.detail().contains("/jmp slot 0"), busy.detail());
  }
}
