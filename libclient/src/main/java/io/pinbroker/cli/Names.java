package io.pinbroker.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Resolves uids and gids to names through /etc/passwd and /etc/group, as ls(1) shows them. */
final class Names {
  private final Map<Integer, String> users;
  private final Map<Integer, String> groups;

  private Names(Map<Integer, String> users, Map<Integer, String> groups) {
    this.users = users;
    this.groups = groups;
  }

  static Names load() {
    return new Names(read(Path.of("/etc/passwd")), read(Path.of("/etc/group")));
  }

  private static Map<Integer, String> read(Path file) {
    Map<Integer, String> names = new HashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return names;
    }
    for (String line : lines) {
      String[] f = line.split(":", -1);
      if (f.length >= 3) {
        try {
          names.putIfAbsent(Integer.parseUnsignedInt(f[2]), f[0]);
        } catch (NumberFormatException ignored) {
          // a malformed line names nobody
        }
      }
    }
    return names;
  }

  String user(int uid) {
    return users.getOrDefault(uid, Integer.toUnsignedString(uid));
  }

  String group(int gid) {
    return groups.getOrDefault(gid, Integer.toUnsignedString(gid));
  }

  /** A uid from a number or a user name. */
  int uid(String s) throws UsageException {
    return id(s, users, "user");
  }

  /** A gid from a number or a group name. */
  int gid(String s) throws UsageException {
    return id(s, groups, "group");
  }

  private static int id(String s, Map<Integer, String> names, String what) throws UsageException {
    if (s.matches("[0-9]+")) {
      try {
        return Integer.parseUnsignedInt(s);
      } catch (NumberFormatException e) {
        throw new UsageException(what + " id out of range: " + s);
      }
    }
    for (Map.Entry<Integer, String> e : names.entrySet()) {
      if (e.getValue().equals(s)) {
        return e.getKey();
      }
    }
    throw new UsageException("no such " + what + ": " + s);
  }
}
