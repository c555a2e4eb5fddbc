package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.PeerCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reference model of the namespace for {@link NamespaceFuzzTest}, written from PROTOCOL.md §6 and
 * §8 alone: a plain map from path to node, each operation its list of checks in the order the spec
 * gives. Each operation returns OK, having made its change, or the status of the first check that
 * failed, having changed nothing.
 */
final class NamespaceModel {
  static final int MODE_MASK = 01777;
  private static final int R = 4;
  private static final int W = 2;
  private static final int X = 1;
  private static final int STICKY = 01000;

  /** A node as the model keeps it; {@code ino} tells which object an entry holds. */
  record Node(boolean dir, int uid, int gid, int mode, long generation, long ino) {
    Node withMode(int m) {
      return new Node(dir, uid, gid, m, generation, ino);
    }

    Node withOwner(int u, int g) {
      return new Node(dir, u, g, mode, generation, ino);
    }
  }

  /** Every node by its path, "/" included. */
  final TreeMap<String, Node> nodes = new TreeMap<>();

  final int umask;
  final long maxNames;
  boolean rootOverride;
  private long lastGeneration;

  NamespaceModel(int rootMode, int umask, boolean rootOverride, long maxNames) {
    this.umask = umask;
    this.rootOverride = rootOverride;
    this.maxNames = maxNames;
    nodes.put("/", new Node(true, 0, 0, rootMode, ++lastGeneration, 0));
  }

  // ---- paths ----

  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? "/" : path.substring(0, slash);
  }

  /** Whether {@code path} lies strictly below {@code dir}. */
  static boolean below(String path, String dir) {
    return path.startsWith(dir.equals("/") ? "/" : dir + "/") && !path.equals(dir);
  }

  /** The names directly in directory {@code dir}, in order. */
  List<String> children(String dir) {
    List<String> out = new ArrayList<>();
    for (String p : nodes.keySet()) {
      if (below(p, dir) && parent(p).equals(dir)) {
        out.add(p.substring(p.lastIndexOf('/') + 1));
      }
    }
    return out;
  }

  int names() {
    return nodes.size() - 1;
  }

  // ---- §8.1: classes, bits, lookup ----

  private boolean overrides(PeerCredentials who) {
    return rootOverride && who.uid() == 0;
  }

  private boolean may(PeerCredentials who, Node n, int bits) {
    if (overrides(who)) {
      return true;
    }
    int shift = who.uid() == n.uid() ? 6 : who.inGroup(n.gid()) ? 3 : 0;
    return ((n.mode() >> shift) & bits) == bits;
  }

  /**
   * The lookup of §8.1 up to the parent of {@code path}: OK, or ENOENT/ENOTDIR for a missing or
   * non-directory component, EACCES instead if a directory walked so far denies search.
   */
  private Status walk(PeerCredentials who, String path) {
    if (path.equals("/")) {
      return Status.OK;
    }
    List<String> walked = new ArrayList<>(List.of("/"));
    String[] parts = path.substring(1).split("/");
    String at = "";
    for (int i = 0; i < parts.length - 1; i++) {
      at = at + "/" + parts[i];
      Node n = nodes.get(at);
      if (n == null || !n.dir()) {
        return searchable(who, walked)
            ? (n == null ? Status.ENOENT : Status.ENOTDIR)
            : Status.EACCES;
      }
      walked.add(at);
    }
    return searchable(who, walked) ? Status.OK : Status.EACCES;
  }

  private boolean searchable(PeerCredentials who, List<String> dirs) {
    return dirs.stream().allMatch(d -> may(who, nodes.get(d), X));
  }

  /** §8.2 and §8.3: w+x on the parent, then the sticky rule, to remove or replace {@code path}. */
  private Status mayRemove(PeerCredentials who, String path) {
    Node dir = nodes.get(parent(path));
    if (!may(who, dir, W | X)) {
      return Status.EACCES;
    }
    boolean sticky = (dir.mode() & STICKY) != 0;
    if (sticky && !overrides(who) && who.uid() != nodes.get(path).uid() && who.uid() != dir.uid()) {
      return Status.EPERM;
    }
    return Status.OK;
  }

  private Status mayCreate(PeerCredentials who, String path) {
    return may(who, nodes.get(parent(path)), W | X) ? Status.OK : Status.EACCES;
  }

  // ---- §6: the operations ----

  /** §6.1, without PIN_EPHEMERAL and PIN_TTL. */
  Status pin(
      PeerCredentials who, String path, int mode, int gid, int flags, long expected, long ino) {
    int known = Request.PIN_REPLACE | Request.PIN_CAS | Request.PIN_EPHEMERAL | Request.PIN_TTL;
    boolean replace = (flags & Request.PIN_REPLACE) != 0;
    boolean cas = (flags & Request.PIN_CAS) != 0;
    if ((flags & ~known) != 0 || (cas && !replace)) {
      return Status.EINVAL;
    }
    int group = gid == Request.DEFAULT_ID ? who.gid() : gid;
    if (!overrides(who) && !who.inGroup(group)) {
      return Status.EPERM;
    }
    if ((mode & ~MODE_MASK) != 0) {
      return Status.EINVAL;
    }
    if (path.equals("/")) {
      return Status.EEXIST;
    }
    Status s = walk(who, path);
    if (s != Status.OK) {
      return s;
    }
    Node old = nodes.get(path);
    if (old == null) {
      s = cas ? Status.ENOENT : mayCreate(who, path);
      if (s == Status.OK && names() >= maxNames) {
        s = Status.ENOSPC;
      }
    } else if (!replace) {
      s = Status.EEXIST;
    } else if (old.dir()) {
      s = Status.EISDIR;
    } else {
      s = mayRemove(who, path);
      if (s == Status.OK && cas && old.generation() != expected) {
        s = Status.ESTALE;
      }
    }
    if (s == Status.OK) {
      nodes.put(path, new Node(false, who.uid(), group, mode & ~umask, ++lastGeneration, ino));
    }
    return s;
  }

  /** §6.2, §6.3 and §6.4 up to their permission check: the node, once found and allowed. */
  Status get(PeerCredentials who, String path, boolean readOnly) {
    Status s = existing(who, path);
    if (s != Status.OK) {
      return s;
    }
    Node n = nodes.get(path);
    if (n.dir()) {
      return Status.EISDIR;
    }
    return may(who, n, readOnly ? R : R | W) ? Status.OK : Status.EACCES;
  }

  Status stat(PeerCredentials who, String path) {
    return existing(who, path);
  }

  Status list(PeerCredentials who, String path) {
    Status s = existing(who, path);
    if (s != Status.OK) {
      return s;
    }
    Node n = nodes.get(path);
    if (!n.dir()) {
      return Status.ENOTDIR;
    }
    return may(who, n, R | X) ? Status.OK : Status.EACCES;
  }

  private Status existing(PeerCredentials who, String path) {
    Status s = walk(who, path);
    return s != Status.OK ? s : nodes.containsKey(path) ? Status.OK : Status.ENOENT;
  }

  /** §6.5. */
  Status mkdir(PeerCredentials who, String path, int mode) {
    if ((mode & ~MODE_MASK) != 0) {
      return Status.EINVAL;
    }
    Status s = walk(who, path);
    if (s == Status.OK) {
      s = nodes.containsKey(path) ? Status.EEXIST : mayCreate(who, path);
    }
    if (s == Status.OK && names() >= maxNames) {
      s = Status.ENOSPC;
    }
    if (s == Status.OK) {
      nodes.put(path, new Node(true, who.uid(), who.gid(), mode & ~umask, ++lastGeneration, 0));
    }
    return s;
  }

  /** §6.6 (directory) and §6.7 (entry, without UNLINK_FORCE: memfds are no programs). */
  Status remove(PeerCredentials who, String path, boolean directory) {
    if (path.equals("/")) {
      return directory ? Status.EBUSY : Status.EISDIR;
    }
    Status s = existing(who, path);
    if (s != Status.OK) {
      return s;
    }
    Node n = nodes.get(path);
    if (n.dir() != directory) {
      return directory ? Status.ENOTDIR : Status.EISDIR;
    }
    s = mayRemove(who, path);
    if (s == Status.OK && directory && !children(path).isEmpty()) {
      s = Status.ENOTEMPTY;
    }
    if (s == Status.OK) {
      nodes.remove(path);
    }
    return s;
  }

  /** §6.8. */
  Status rename(PeerCredentials who, String from, String to, RenameMode mode) {
    if (from.equals("/") || to.equals("/")) {
      return Status.EBUSY;
    }
    Status s = existing(who, from);
    if (s == Status.OK) {
      s = walk(who, to);
    }
    if (s == Status.OK) {
      s = mayRemove(who, from);
    }
    boolean toExists = nodes.containsKey(to);
    if (s == Status.OK) {
      s = toExists ? mayRemove(who, to) : mayCreate(who, to);
    }
    if (s != Status.OK) {
      return s;
    }
    if (mode == RenameMode.NOREPLACE && toExists) {
      return Status.EEXIST;
    }
    if (from.equals(to)) {
      return Status.OK;
    }
    Node src = nodes.get(from);
    if (src.dir() && below(to, from)) {
      return Status.EINVAL;
    }
    return mode == RenameMode.EXCHANGE ? exchange(who, from, to) : move(who, from, to);
  }

  private Status move(PeerCredentials who, String from, String to) {
    Node src = nodes.get(from);
    Node dst = nodes.get(to);
    if (!movable(who, from, to)) {
      return Status.EACCES;
    }
    if (dst != null) {
      if (src.dir() && !dst.dir()) {
        return Status.ENOTDIR;
      }
      if (!src.dir() && dst.dir()) {
        return Status.EISDIR;
      }
      if (dst.dir() && !children(to).isEmpty()) {
        return Status.ENOTEMPTY;
      }
    }
    Map<String, Node> subtree = takeSubtree(from);
    nodes.remove(to);
    putSubtree(subtree, from, to);
    return Status.OK;
  }

  private Status exchange(PeerCredentials who, String from, String to) {
    Node dst = nodes.get(to);
    if (dst == null) {
      return Status.ENOENT;
    }
    if (dst.dir() && below(from, to)) {
      return Status.EINVAL;
    }
    if (!movable(who, from, to) || !movable(who, to, from)) {
      return Status.EACCES;
    }
    Map<String, Node> a = takeSubtree(from);
    Map<String, Node> b = takeSubtree(to);
    putSubtree(a, from, to);
    putSubtree(b, to, from);
    return Status.OK;
  }

  /** A directory that changes parent needs w and x on itself (§6.8). */
  private boolean movable(PeerCredentials who, String from, String to) {
    Node n = nodes.get(from);
    return !n.dir() || parent(from).equals(parent(to)) || may(who, n, W | X);
  }

  private Map<String, Node> takeSubtree(String top) {
    Map<String, Node> out = new TreeMap<>();
    nodes
        .entrySet()
        .removeIf(
            e -> {
              boolean in = e.getKey().equals(top) || below(e.getKey(), top);
              if (in) {
                out.put(e.getKey(), e.getValue());
              }
              return in;
            });
    return out;
  }

  private void putSubtree(Map<String, Node> subtree, String from, String to) {
    subtree.forEach((p, n) -> nodes.put(to + p.substring(from.length()), n));
  }

  /** §6.9. */
  Status chmod(PeerCredentials who, String path, int mode) {
    if ((mode & ~MODE_MASK) != 0) {
      return Status.EINVAL;
    }
    Status s = existing(who, path);
    if (s == Status.OK && !overrides(who) && who.uid() != nodes.get(path).uid()) {
      s = Status.EPERM;
    }
    if (s == Status.OK) {
      nodes.put(path, nodes.get(path).withMode(mode));
    }
    return s;
  }

  /** §6.10. */
  Status chown(PeerCredentials who, String path, int uid, int gid) {
    Status s = existing(who, path);
    if (s == Status.OK && who.uid() != 0) {
      s = Status.EPERM;
    }
    if (s == Status.OK) {
      Node n = nodes.get(path);
      nodes.put(
          path,
          n.withOwner(
              uid == Request.DEFAULT_ID ? n.uid() : uid,
              gid == Request.DEFAULT_ID ? n.gid() : gid));
    }
    return s;
  }
}
