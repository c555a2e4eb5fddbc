package io.pinbroker.cli;

import io.pinbroker.protocol.NodeInfo;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How the CLI shows a node: ls-style mode strings, kinds, times and the JSON form. */
final class NodeFormat {
  private static final DateTimeFormatter LS_TIME =
      DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

  private NodeFormat() {}

  /** {@code drwxrwxrwt}, {@code -rw-r-----}: the type, then rwx per class, sticky as t/T. */
  static String modeString(NodeInfo n) {
    int m = n.mode();
    StringBuilder sb = new StringBuilder(n.isDirectory() ? "d" : "-");
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((m & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
    }
    if ((m & 01000) != 0) {
      sb.setCharAt(9, (m & 1) != 0 ? 't' : 'T');
    }
    return sb.toString();
  }

  /** {@code dir}, or the object kind and what the fd is: {@code fd/memfd}. */
  static String kind(NodeInfo n) {
    return n.isDirectory() ? "dir" : n.kind().label() + "/" + n.fdType().label();
  }

  static String octal(int mode) {
    return String.format("%04o", mode);
  }

  static String lsTime(long nanos) {
    return LS_TIME.format(Instant.ofEpochSecond(0, nanos));
  }

  static String isoTime(long nanos) {
    return Instant.ofEpochSecond(0, nanos).toString();
  }

  static String identity(NodeInfo n) {
    return Long.toUnsignedString(n.dev()) + ":" + Long.toUnsignedString(n.ino());
  }

  /** The JSON object for a node. */
  static Map<String, Object> json(String path, NodeInfo n, Names names) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("type", n.isDirectory() ? "directory" : "entry");
    m.put("kind", n.kind().label());
    m.put("fd_type", n.fdType().label());
    m.put("mode", octal(n.mode()));
    m.put("uid", Integer.toUnsignedLong(n.uid()));
    m.put("user", names.user(n.uid()));
    m.put("gid", Integer.toUnsignedLong(n.gid()));
    m.put("group", names.group(n.gid()));
    m.put("generation", n.generation());
    m.put("ctime", isoTime(n.ctimeNanos()));
    m.put("mtime", isoTime(n.mtimeNanos()));
    if (n.isDirectory()) {
      m.put("children", n.children());
    } else {
      m.put("dev", Long.toUnsignedString(n.dev()));
      m.put("ino", Long.toUnsignedString(n.ino()));
      m.put("size", n.size());
    }
    return m;
  }
}
