package io.pinbroker.cli;

import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.unix.Bpf;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** {@code dir}, {@code fd/memfd} (a plain fd and what it is), or the object kind. */
  static String kind(NodeInfo n) {
    if (n.isDirectory()) {
      return "dir";
    }
    return n.kind() == ObjectKind.FD ? "fd/" + n.fdType().label() : n.kind().label();
  }

  /** One line of BPF or sim facts, e.g. {@code array id=12 key=4 value=8 max=16 name=stats}. */
  static String details(NodeInfo n) {
    return switch (n.details()) {
      case ObjectDetails.None none -> "";
      case ObjectDetails.MapDetails m ->
          String.format(
              "%s id=%d key=%d value=%d max=%d flags=%d name=%s",
              Bpf.mapTypeName(m.mapType()), m.id(), m.keySize(), m.valueSize(), m.maxEntries(),
              m.flags(), m.name());
      case ObjectDetails.ProgDetails p ->
          String.format(
              "%s id=%d tag=%s name=%s", Bpf.progTypeName(p.progType()), p.id(), p.tag(), p.name());
      case ObjectDetails.LinkDetails l ->
          String.format("%s id=%d prog=%d", Bpf.linkTypeName(l.linkType()), l.id(), l.progId());
    };
  }

  /** The details as JSON, or null for none. */
  static Map<String, Object> detailsJson(NodeInfo n) {
    Map<String, Object> d = new LinkedHashMap<>();
    switch (n.details()) {
      case ObjectDetails.None none -> {
        return null;
      }
      case ObjectDetails.MapDetails m -> {
        d.put("map_type", Bpf.mapTypeName(m.mapType()));
        d.put("id", m.id());
        d.put("key_size", m.keySize());
        d.put("value_size", m.valueSize());
        d.put("max_entries", m.maxEntries());
        d.put("flags", m.flags());
        d.put("name", m.name());
        List<Map<String, Object>> members = new ArrayList<>();
        for (ObjectDetails.ProgArraySlot s : m.members()) {
          Map<String, Object> slot = new LinkedHashMap<>();
          slot.put("slot", s.slot());
          slot.put("prog_id", s.progId());
          slot.put("holder", s.holder());
          members.add(slot);
        }
        d.put("members", members);
      }
      case ObjectDetails.ProgDetails p -> {
        d.put("prog_type", Bpf.progTypeName(p.progType()));
        d.put("id", p.id());
        d.put("tag", p.tag());
        d.put("name", p.name());
      }
      case ObjectDetails.LinkDetails l -> {
        d.put("link_type", Bpf.linkTypeName(l.linkType()));
        d.put("id", l.id());
        d.put("prog_id", l.progId());
      }
    }
    return d;
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
    Map<String, Object> details = detailsJson(n);
    if (details != null) {
      m.put("details", details);
    }
    return m;
  }
}
