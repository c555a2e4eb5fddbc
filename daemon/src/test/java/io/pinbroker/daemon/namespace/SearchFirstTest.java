package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.time.Instant;
import java.time.InstantSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer that may not search a directory learns nothing about the names in it, not even their
 * type: every operation answers EACCES, as Linux does.
 */
class SearchFirstTest {
  private static final PeerCredentials ALICE = new PeerCredentials(2, 1000, 1000);
  private static final PeerCredentials BOB = new PeerCredentials(3, 1001, 1001);
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);

  private Namespace ns;
  private HeldObject spare;

  private interface Call {
    void run(Namespace ns, HeldObject spare) throws Refusal;
  }

  private static PathName p(String path) {
    try {
      return PathName.parse(path);
    } catch (PathSyntaxException e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    ns = new Namespace(new NamespaceConfig(01777, 0, true, 100), InstantSource.fixed(Instant.EPOCH));
    ns.mkdir(ALICE, p("/priv"), 0700);
    ns.mkdir(ALICE, p("/priv/sub"), 0700);
    ns.pin(ALICE, p("/priv/entry"), 0600, Request.DEFAULT_ID, 0, 0,
        HeldObject.adopt(FileOps.memfd("searchfirst", 16, 0)));
    spare = HeldObject.adopt(FileOps.memfd("searchfirst-spare", 16, 0));
  }

  @AfterEach
  void tearDown() throws Exception {
    ns.unlink(ROOT, p("/priv/entry"), false);
    spare.close();
  }

  static Stream<Arguments> probes() {
    return Stream.of(
        Arguments.of("GET of a directory", (Call) (n, o) -> n.open(BOB, p("/priv/sub"), true, HeldObject::fdType)),
        Arguments.of("LIST of an entry", (Call) (n, o) -> n.list(BOB, p("/priv/entry"), "", 0, 65536)),
        Arguments.of("RMDIR of an entry", (Call) (n, o) -> n.rmdir(BOB, p("/priv/entry"))),
        Arguments.of("UNLINK of a directory", (Call) (n, o) -> n.unlink(BOB, p("/priv/sub"), false)),
        Arguments.of("MKDIR over a name", (Call) (n, o) -> n.mkdir(BOB, p("/priv/sub"), 0755)),
        Arguments.of("PIN over a name", (Call) (n, o) -> n.pin(BOB, p("/priv/entry"), 0600, Request.DEFAULT_ID, 0, 0, o)),
        Arguments.of(
            "PIN replacing a directory",
            (Call) (n, o) -> n.pin(BOB, p("/priv/sub"), 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, o)),
        Arguments.of("STAT of a missing name", (Call) (n, o) -> n.stat(BOB, p("/priv/missing"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("probes")
  void answersEaccesWithoutSearchPermission(String name, Call call) {
    Refusal r = assertThrows(Refusal.class, () -> call.run(ns, spare));
    assertEquals(Status.EACCES, r.status(), r.detail());
  }
}
