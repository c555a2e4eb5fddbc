package io.pinbroker.cli;

import io.pinbroker.unix.Accounts;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Resolves uids and gids to names as ls(1) shows them (through NSS, so not only /etc/passwd),
 * with the number where there is no name; each id is looked up once.
 */
final class Names {
  private final Map<Integer, String> users = new HashMap<>();
  private final Map<Integer, String> groups = new HashMap<>();

  private Names() {}

  static Names load() {
    return new Names();
  }

  String user(int uid) {
    return users.computeIfAbsent(
        uid, u -> Accounts.userName(u).orElse(Integer.toUnsignedString(u)));
  }

  String group(int gid) {
    return groups.computeIfAbsent(
        gid, g -> Accounts.groupName(g).orElse(Integer.toUnsignedString(g)));
  }

  /** A uid from a number or a user name. */
  int uid(String s) throws UsageException {
    return id(s, Accounts.userId(s), "user");
  }

  /** A gid from a number or a group name. */
  int gid(String s) throws UsageException {
    return id(s, Accounts.groupId(s), "group");
  }

  private static int id(String s, OptionalInt named, String what) throws UsageException {
    if (s.matches("[0-9]+")) {
      try {
        return Integer.parseUnsignedInt(s);
      } catch (NumberFormatException e) {
        throw new UsageException(what + " id out of range: " + s);
      }
    }
    if (named.isEmpty()) {
      throw new UsageException("no such " + what + ": " + s);
    }
    return named.getAsInt();
  }
}
