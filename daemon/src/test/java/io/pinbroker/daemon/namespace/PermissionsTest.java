package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.protocol.Status;
import io.pinbroker.unix.PeerCredentials;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PermissionsTest {

  // Identities used throughout. Owner uid 1000 / group 100 own the nodes under test.
  private static final int OWNER_UID = 1000;
  private static final int GROUP = 100;

  private static final PeerCredentials OWNER = who(OWNER_UID, 500);
  private static final PeerCredentials GROUP_PRIMARY = who(2000, GROUP);
  private static final PeerCredentials GROUP_SUPPLEMENTARY = who(3000, 300, 7, GROUP, 900);
  private static final PeerCredentials OTHER = who(4000, 400, 401, 402);
  private static final PeerCredentials ROOT = who(0, 0);

  private static final Attrs OPEN_DIR = new Attrs(0, 0, 0755, true);
  private static final List<Attrs> OPEN_CHAIN = List.of(OPEN_DIR);

  private static PeerCredentials who(int uid, int gid, int... groups) {
    return new PeerCredentials(4242, uid, gid, groups);
  }

  private static Attrs entry(int mode) {
    return new Attrs(OWNER_UID, GROUP, mode, false);
  }

  private static Attrs dir(int mode) {
    return new Attrs(OWNER_UID, GROUP, mode, true);
  }

  private static Decision check(
      PeerCredentials who, List<Attrs> chain, Attrs target, Operation op) {
    return Permissions.check(who, true, chain, target, op);
  }

  private static void assertAllowed(Decision d, String what) {
    assertTrue(d.allowed(), what + ": " + d);
    assertEquals(Status.OK, d.status(), what);
  }

  private static void assertDenied(Status expected, Decision d, String what) {
    assertFalse(d.allowed(), what + " should be denied");
    assertEquals(expected, d.status(), what + ": " + d.reason());
  }

  // ---- the mode-bit table ----

  /** The bits each mode-checked operation needs, as Operation documents them. */
  private static int needed(Operation op) {
    return switch (op) {
      case READ -> 4;
      case READ_WRITE -> 4 | 2;
      case LIST -> 4 | 1;
      case CREATE, REMOVE -> 2 | 1;
      default -> throw new IllegalArgumentException(op.toString());
    };
  }

  private enum Klass {
    OWNER(6),
    GROUP_PRIMARY(3),
    GROUP_SUPPLEMENTARY(3),
    OTHER(0);

    final int shift;

    Klass(int shift) {
      this.shift = shift;
    }

    PeerCredentials who() {
      return switch (this) {
        case OWNER -> PermissionsTest.OWNER;
        case GROUP_PRIMARY -> PermissionsTest.GROUP_PRIMARY;
        case GROUP_SUPPLEMENTARY -> PermissionsTest.GROUP_SUPPLEMENTARY;
        case OTHER -> PermissionsTest.OTHER;
      };
    }
  }

  static Stream<Arguments> modeTable() {
    List<Arguments> rows = new ArrayList<>();
    Set<Operation> ops =
        EnumSet.of(
            Operation.READ,
            Operation.READ_WRITE,
            Operation.LIST,
            Operation.CREATE,
            Operation.REMOVE);
    for (Operation op : ops) {
      for (Klass k : Klass.values()) {
        for (int bits = 0; bits < 8; bits++) {
          rows.add(Arguments.of(op, k, bits, (bits & needed(op)) == needed(op)));
        }
      }
    }
    return rows.stream();
  }

  /**
   * Each class sees only its own three bits: the bits of the other classes are set to the
   * complement, so a check reading the wrong class gets the wrong answer.
   */
  @ParameterizedTest(name = "{0} by {1} with bits {2}: {3}")
  @MethodSource("modeTable")
  void modeBitsDecide(Operation op, Klass k, int bits, boolean allowed) {
    int mode = 0;
    for (Klass c : new Klass[] {Klass.OWNER, Klass.GROUP_PRIMARY, Klass.OTHER}) {
      mode |= (c.shift == k.shift ? bits : 7 & ~bits) << c.shift;
    }
    Decision d;
    switch (op) {
      case READ, READ_WRITE -> d = check(k.who(), OPEN_CHAIN, entry(mode), op);
      case LIST -> d = check(k.who(), OPEN_CHAIN, dir(mode), op);
      default -> {
        // CREATE and REMOVE look at the parent: the last directory of the chain.
        List<Attrs> chain = List.of(OPEN_DIR, dir(mode));
        // Without x on the parent the search check denies first: still EACCES.
        Attrs target = op == Operation.CREATE ? null : entry(0777);
        d = check(k.who(), chain, target, op);
      }
    }
    if (allowed) {
      assertAllowed(d, op + " mode " + Integer.toOctalString(mode));
    } else {
      assertDenied(Status.EACCES, d, op + " mode " + Integer.toOctalString(mode));
    }
  }

  // ---- class selection ----

  @ParameterizedTest(name = "mode {0} uid {1} gid {2}: {4}")
  @CsvSource({
    // owner class wins even when it grants less than group or other
    "0070, 1000, 100, '', false",
    "0007, 1000, 100, '', false",
    "0077, 1000, 500, '', false",
    "0400, 1000, 100, '', true",
    // group class via the primary gid wins over other
    "0404, 2000, 100, '', false",
    "0040, 2000, 100, '', true",
    // group class via a supplementary group
    "0040, 3000, 300, '7 100', true",
    "0404, 3000, 300, '7 100', false",
    // no match: other class
    "0440, 4000, 400, '401 402', false",
    "0004, 4000, 400, '401 402', true",
    // the peer's group set is not the node's group: other
    "0040, 4000, 101, '99 1000', false",
  })
  void classSelection(String mode, int uid, int gid, String groups, boolean allowed) {
    int[] g =
        groups.isBlank()
            ? new int[0]
            : Stream.of(groups.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    PeerCredentials p = who(uid, gid, g);
    Decision d = check(p, OPEN_CHAIN, entry(Integer.parseInt(mode, 8)), Operation.READ);
    assertEquals(allowed, d.allowed(), p + " reading mode " + mode + ": " + d);
    if (!allowed) {
      assertEquals(Status.EACCES, d.status());
    }
  }

  // ---- search on the chain ----

  static Stream<Arguments> unsearchableChains() {
    List<Arguments> rows = new ArrayList<>();
    Attrs noX = new Attrs(0, 0, 0666, true);
    Attrs ownerOnlyX = new Attrs(OWNER_UID + 1, 0, 0700, true);
    for (Operation op : Operation.values()) {
      rows.add(Arguments.of(op, "root lacks x", List.of(noX, OPEN_DIR, OPEN_DIR)));
      rows.add(Arguments.of(op, "middle lacks x", List.of(OPEN_DIR, noX, OPEN_DIR)));
      rows.add(Arguments.of(op, "parent lacks x", List.of(OPEN_DIR, OPEN_DIR, noX)));
      rows.add(Arguments.of(op, "x only for another owner", List.of(OPEN_DIR, ownerOnlyX)));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("unsearchableChains")
  void missingSearchOnAnyAncestorIsEaccesForEveryOperation(
      Operation op, String what, List<Attrs> chain) {
    // The target itself grants everything, and the peer owns it.
    Attrs target = new Attrs(OWNER_UID, GROUP, 0777, op == Operation.LIST);
    assertDenied(Status.EACCES, check(OWNER, chain, target, op), op + " " + what);
    assertDenied(Status.EACCES, Permissions.searchAll(OWNER, true, chain), what);
    // uid 0 without the override is just another user.
    assertDenied(
        Status.EACCES, Permissions.check(ROOT, false, chain, target, op), "root, no override");
    // With it, root passes the search check (and chown needs nothing more).
    assertAllowed(Permissions.check(ROOT, true, chain, target, op), "root with override");
  }

  @Test
  void searchAll() {
    assertAllowed(Permissions.searchAll(OTHER, false, List.of()), "empty chain");
    assertAllowed(
        Permissions.searchAll(OTHER, false, List.of(OPEN_DIR, dir(0711), dir(0001))),
        "x for other everywhere");
    assertDenied(
        Status.EACCES,
        Permissions.searchAll(OTHER, false, List.of(OPEN_DIR, dir(0770))),
        "x only for owner and group");
    assertAllowed(
        Permissions.searchAll(GROUP_SUPPLEMENTARY, false, List.of(OPEN_DIR, dir(0710))),
        "x for group via supplementary");
    assertDenied(
        Status.EACCES,
        Permissions.searchAll(OWNER, false, List.of(OPEN_DIR, dir(0611))),
        "owner class without x");
    assertAllowed(Permissions.searchAll(ROOT, true, List.of(dir(0), dir(0))), "root with override");
    assertDenied(
        Status.EACCES,
        Permissions.searchAll(ROOT, false, List.of(new Attrs(0, 0, 0, true))),
        "root without override, owner class 0");
  }

  @Test
  void lookupNeedsOnlySearch() {
    assertAllowed(check(OTHER, OPEN_CHAIN, entry(0), Operation.LOOKUP), "entry mode 0");
    assertAllowed(check(OTHER, OPEN_CHAIN, null, Operation.LOOKUP), "no target");
    assertAllowed(check(OTHER, List.of(), dir(0), Operation.LOOKUP), "root dir");
  }

  @Test
  void listChecksTheTargetNotTheChain() {
    // The chain grants search only; the listed directory needs r and x itself.
    List<Attrs> searchOnly = List.of(new Attrs(0, 0, 0711, true));
    assertAllowed(check(OTHER, searchOnly, dir(0005), Operation.LIST), "r+x on target");
    assertDenied(Status.EACCES, check(OTHER, searchOnly, dir(0004), Operation.LIST), "r only");
    assertDenied(Status.EACCES, check(OTHER, searchOnly, dir(0001), Operation.LIST), "x only");
  }

  @Test
  void createChecksOnlyTheLastDirectoryForWrite() {
    // Ancestors need x but not w; the parent needs w and x.
    List<Attrs> chain = List.of(new Attrs(0, 0, 0555, true), new Attrs(0, 0, 0733, true));
    assertAllowed(check(OTHER, chain, null, Operation.CREATE), "w+x on parent only");
    List<Attrs> reversed = List.of(new Attrs(0, 0, 0733, true), new Attrs(0, 0, 0555, true));
    assertDenied(Status.EACCES, check(OTHER, reversed, null, Operation.CREATE), "w on ancestor");
  }

  // ---- sticky directories ----

  private static final int DIR_OWNER = 5000;
  private static final int ENTRY_OWNER = 6000;

  @ParameterizedTest(name = "{0}: {3}")
  @CsvSource({
    "entry owner,         6000, true,  OK",
    "directory owner,     5000, true,  OK",
    "someone else,        7000, true,  EPERM",
    "root with override,     0, true,  OK",
    "root without override,  0, false, EPERM",
    "entry owner no ovr,  6000, false, OK",
    "dir owner no ovr,    5000, false, OK",
  })
  void stickyDirectoryRemoval(String what, int uid, boolean rootOverride, Status expected) {
    List<Attrs> chain = List.of(OPEN_DIR, new Attrs(DIR_OWNER, 0, 01777, true));
    Attrs target = new Attrs(ENTRY_OWNER, 0, 0600, false);
    Decision d = Permissions.check(who(uid, 9999), rootOverride, chain, target, Operation.REMOVE);
    assertEquals(expected, d.status(), what + ": " + d.reason());
  }

  @Test
  void stickyRuleAppliesToDirectoriesBeingRemovedToo() {
    List<Attrs> chain = List.of(OPEN_DIR, new Attrs(DIR_OWNER, 0, 01777, true));
    Attrs target = new Attrs(ENTRY_OWNER, 0, 0777, true);
    assertDenied(
        Status.EPERM,
        Permissions.check(who(7000, 1), true, chain, target, Operation.REMOVE),
        "other user");
    assertAllowed(
        Permissions.check(who(ENTRY_OWNER, 1), true, chain, target, Operation.REMOVE), "owner");
  }

  @Test
  void withoutTheStickyBitAnyoneWithWriteMayRemove() {
    List<Attrs> chain = List.of(OPEN_DIR, new Attrs(DIR_OWNER, 0, 0777, true));
    Attrs target = new Attrs(ENTRY_OWNER, 0, 0600, false);
    assertAllowed(
        Permissions.check(who(7000, 1), false, chain, target, Operation.REMOVE), "non-sticky");
  }

  @Test
  void stickyDirectoryStillNeedsWriteFirst() {
    // The entry's owner may not remove from a sticky directory it cannot write: EACCES, not OK.
    List<Attrs> chain = List.of(OPEN_DIR, new Attrs(DIR_OWNER, 0, 01755, true));
    Attrs target = new Attrs(ENTRY_OWNER, 0, 0600, false);
    assertDenied(
        Status.EACCES,
        Permissions.check(who(ENTRY_OWNER, 1), false, chain, target, Operation.REMOVE),
        "entry owner, parent not writable");
  }

  @Test
  void stickyDoesNotAffectCreate() {
    List<Attrs> chain = List.of(OPEN_DIR, new Attrs(DIR_OWNER, 0, 01777, true));
    assertAllowed(
        Permissions.check(who(7000, 1), false, chain, null, Operation.CREATE),
        "create in a sticky directory");
  }

  // ---- chmod and chown ----

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "owner of mode 0000,          1000, true,  0000, OK",
    "owner of mode 0777,          1000, false, 0777, OK",
    "group member of mode 0777,   2000, true,  0777, EPERM",
    "other of mode 0777,          4000, true,  0777, EPERM",
    "root with override,             0, true,  0000, OK",
    "root without override,          0, false, 0777, EPERM",
  })
  void chmod(String what, int uid, boolean rootOverride, String mode, Status expected) {
    PeerCredentials p = uid == 2000 ? GROUP_PRIMARY : who(uid, 0);
    Attrs target = new Attrs(OWNER_UID, GROUP, Integer.parseInt(mode, 8), false);
    Decision d = Permissions.check(p, rootOverride, OPEN_CHAIN, target, Operation.CHMOD);
    assertEquals(expected, d.status(), what + ": " + d.reason());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "root with override,    0,    true,  OK",
    "root without override, 0,    false, OK",
    "owner,                 1000, true,  EPERM",
    "owner no override,     1000, false, EPERM",
    "other,                 4000, true,  EPERM",
  })
  void chownIsForUidZeroOnly(String what, int uid, boolean rootOverride, Status expected) {
    Attrs target = new Attrs(OWNER_UID, GROUP, 0777, false);
    Decision d =
        Permissions.check(who(uid, GROUP), rootOverride, OPEN_CHAIN, target, Operation.CHOWN);
    assertEquals(expected, d.status(), what + ": " + d.reason());
  }

  // ---- root ----

  @ParameterizedTest
  @EnumSource(Operation.class)
  void rootWithOverrideBypassesEveryModeCheck(Operation op) {
    List<Attrs> chain = List.of(new Attrs(7, 7, 0, true), new Attrs(8, 8, 01000, true));
    Attrs target = new Attrs(9, 9, 0, op == Operation.LIST);
    assertAllowed(Permissions.check(ROOT, true, chain, target, op), op.toString());
  }

  static Stream<Arguments> rootWithoutOverride() {
    // uid 0 owning the node with mode bits in the owner class only; other classes get all bits.
    return Stream.of(
        Arguments.of(Operation.READ, 0077, Status.EACCES),
        Arguments.of(Operation.READ, 0477, Status.OK),
        Arguments.of(Operation.READ_WRITE, 0477, Status.EACCES),
        Arguments.of(Operation.READ_WRITE, 0677, Status.OK),
        Arguments.of(Operation.LIST, 0477, Status.EACCES),
        Arguments.of(Operation.LIST, 0577, Status.OK),
        Arguments.of(Operation.CREATE, 0577, Status.EACCES),
        Arguments.of(Operation.CREATE, 0377, Status.OK),
        Arguments.of(Operation.REMOVE, 0577, Status.EACCES),
        Arguments.of(Operation.REMOVE, 0377, Status.OK));
  }

  @ParameterizedTest(name = "{0} mode {1}: {2}")
  @MethodSource("rootWithoutOverride")
  void rootWithoutOverrideIsJudgedByModeBits(Operation op, int mode, Status expected) {
    Attrs node = new Attrs(0, 0, mode, true);
    List<Attrs> chain =
        op == Operation.CREATE || op == Operation.REMOVE ? List.of(OPEN_DIR, node) : OPEN_CHAIN;
    Attrs target = op == Operation.CREATE ? null : op == Operation.REMOVE ? entry(0) : node;
    Decision d = Permissions.check(ROOT, false, chain, target, op);
    assertEquals(expected, d.status(), op + " mode " + Integer.toOctalString(mode) + ": " + d);
  }

  @Test
  void rootWithoutOverrideIsOtherOnSomeoneElsesNode() {
    Attrs node = new Attrs(OWNER_UID, GROUP, 0770, false);
    assertDenied(
        Status.EACCES, Permissions.check(ROOT, false, OPEN_CHAIN, node, Operation.READ), "0770");
    assertAllowed(Permissions.check(ROOT, false, OPEN_CHAIN, entry(0004), Operation.READ), "0004");
  }

  @Test
  void overrideIsOnlyForUidZero() {
    // rootOverride=true does nothing for an ordinary user, nor for a user in group 0.
    assertDenied(
        Status.EACCES, Permissions.check(OTHER, true, OPEN_CHAIN, entry(0), Operation.READ), "uid");
    assertDenied(
        Status.EACCES,
        Permissions.check(
            who(4000, 0), true, OPEN_CHAIN, new Attrs(0, 0, 0, false), Operation.READ),
        "gid 0");
  }

  // ---- mayUseGroup ----

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "own primary group,            1000, 100, 100, true,  true",
    "supplementary group,          1000, 100, 200, true,  true",
    "another supplementary group,  1000, 100, 300, false, true",
    "not a member,                 1000, 100, 999, true,  false",
    "not a member no override,     1000, 100, 999, false, false",
    "root with override,              0,   0, 999, true,  true",
    "root without override,           0,   0, 999, false, false",
    "root own group no override,      0,   0,   0, false, true",
  })
  void mayUseGroup(
      String what, int uid, int gid, int group, boolean rootOverride, boolean expected) {
    PeerCredentials p = who(uid, gid, 200, 300);
    if (uid == 0) {
      p = who(0, 0);
    }
    assertEquals(expected, Permissions.mayUseGroup(p, rootOverride, group), what);
  }
}
