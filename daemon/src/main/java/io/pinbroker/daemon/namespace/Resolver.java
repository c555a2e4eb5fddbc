package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.PeerCredentials;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves paths in the tree with the permission checks that come with walking them, and applies
 * {@link Permissions} decisions. Used under the namespace's lock.
 */
final class Resolver {
  private final Directory root;
  private volatile boolean rootOverride;

  Resolver(Directory root, boolean rootOverride) {
    this.root = root;
    this.rootOverride = rootOverride;
  }

  /** Changes whether uid 0 bypasses mode checks from the next check on. */
  void rootOverride(boolean on) {
    rootOverride = on;
  }

  /** What a path resolves to: the directories walked (root first) and the target, if present. */
  record Walk(List<Directory> chain, Directory parent, String name, Node target) {
    List<Attrs> attrs() {
      List<Attrs> out = new ArrayList<>(chain.size());
      for (Directory d : chain) {
        out.add(d.attrs());
      }
      return out;
    }
  }

  /**
   * Walks to the parent of {@code path} and checks search permission on every directory walked.
   * A missing or non-directory component is ENOENT or ENOTDIR, unless a directory walked so far
   * denies search, which is EACCES, as in Linux. Whatever a caller checks next (the target's type,
   * its existence) is thus never revealed to a peer that may not search the parent.
   */
  Walk walk(PeerCredentials who, PathName path) throws Refusal {
    List<Directory> chain = new ArrayList<>();
    if (path.isRoot()) {
      return new Walk(chain, null, "", root);
    }
    Directory dir = root;
    chain.add(dir);
    List<String> parts = path.components();
    for (int i = 0; i < parts.size() - 1; i++) {
      Node next = dir.children.get(parts.get(i));
      if (!(next instanceof Directory d)) {
        searchAll(who, chain);
        throw next == null
            ? new Refusal(Status.ENOENT, "")
            : new Refusal(Status.ENOTDIR, "'" + parts.get(i) + "' is not a directory");
      }
      dir = d;
      chain.add(dir);
    }
    searchAll(who, chain);
    String name = parts.getLast();
    return new Walk(chain, dir, name, dir.children.get(name));
  }

  Walk existing(PeerCredentials who, PathName path) throws Refusal {
    Walk w = walk(who, path);
    if (w.target == null) {
      throw new Refusal(Status.ENOENT, "");
    }
    return w;
  }

  void searchAll(PeerCredentials who, List<Directory> chain) throws Refusal {
    List<Attrs> attrs = new ArrayList<>(chain.size());
    for (Directory d : chain) {
      attrs.add(d.attrs());
    }
    enforce(Permissions.searchAll(who, rootOverride, attrs));
  }

  void check(PeerCredentials who, Walk w, Node target, Operation op) throws Refusal {
    Attrs t = target == null ? null : target.attrs();
    enforce(Permissions.check(who, rootOverride, w.attrs(), t, op));
  }

  static void enforce(Decision d) throws Refusal {
    if (!d.allowed()) {
      throw new Refusal(d.status(), d.reason());
    }
  }
}
