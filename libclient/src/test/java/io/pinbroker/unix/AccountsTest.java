package io.pinbroker.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Names through NSS, checked against what every Linux system has: root, uid and gid 0. */
class AccountsTest {
  @Test
  void rootHasItsName() {
    assertEquals(Optional.of("root"), Accounts.userName(0));
    assertEquals(Optional.of("root"), Accounts.groupName(0));
    assertEquals(OptionalInt.of(0), Accounts.userId("root"));
    assertEquals(OptionalInt.of(0), Accounts.groupId("root"));
  }

  @Test
  void unknownIdsAndNamesFindNothing() {
    assertEquals(Optional.empty(), Accounts.userName(2_000_000_123));
    assertEquals(Optional.empty(), Accounts.groupName(2_000_000_123));
    assertEquals(OptionalInt.empty(), Accounts.userId("no-such-user-here"));
    assertEquals(OptionalInt.empty(), Accounts.groupId("no-such-group-here"));
  }

  @Test
  void namesRoundTrip() {
    int nobody = Accounts.userId("nobody").orElseThrow();
    assertEquals(Optional.of("nobody"), Accounts.userName(nobody));
  }
}
