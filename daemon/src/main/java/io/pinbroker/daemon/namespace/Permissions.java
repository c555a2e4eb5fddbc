package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.Status;
import io.pinbroker.unix.PeerCredentials;
import java.util.List;

/**
 * POSIX discretionary access control as a pure function of the peer's credentials, the chain of
 * directories a path walks through, the target node and the operation.
 *
 * <p>The rules, as Linux applies them to files: search (x) on every directory walked; the owner
 * class if the uid matches, else the group class if the node's group is the peer's primary or a
 * supplementary group, else other; w and x on the parent to create or remove; in a sticky directory
 * only the entry's owner, the directory's owner or root may remove; chmod by the owner; chown by
 * root. With {@code rootOverride}, uid 0 passes every mode check (CAP_DAC_OVERRIDE and
 * CAP_FOWNER); chown always needs uid 0.
 */
public final class Permissions {
  static final int R = 4;
  static final int W = 2;
  static final int X = 1;

  private Permissions() {}

  /**
   * Decides whether {@code who} may perform {@code op}.
   *
   * @param chain the directories walked, root first; for operations on a name ({@link
   *     Operation#CREATE}, {@link Operation#REMOVE}) the last one is the parent
   * @param target the node acted on; may be null for {@link Operation#CREATE} and {@link
   *     Operation#LOOKUP}
   */
  public static Decision check(
      PeerCredentials who, boolean rootOverride, List<Attrs> chain, Attrs target, Operation op) {
    Decision search = searchAll(who, rootOverride, chain);
    if (!search.allowed()) {
      return search;
    }
    boolean root = rootOverride && who.uid() == 0;
    return switch (op) {
      case LOOKUP -> Decision.ALLOW;
      case READ -> need(who, root, target, R, "read");
      case READ_WRITE -> need(who, root, target, R | W, "read and write");
      case LIST -> need(who, root, target, R | X, "read and search");
      case CREATE -> need(who, root, chain.getLast(), W | X, "write to the parent");
      case REMOVE -> remove(who, root, chain.getLast(), target);
      case CHMOD ->
          root || who.uid() == target.uid()
              ? Decision.ALLOW
              : Decision.deny(Status.EPERM, "only the owner may change the mode");
      case CHOWN ->
          who.uid() == 0
              ? Decision.ALLOW
              : Decision.deny(Status.EPERM, "only root may change the owner");
    };
  }

  /** Search permission on every directory of {@code chain}. */
  public static Decision searchAll(PeerCredentials who, boolean rootOverride, List<Attrs> chain) {
    if (rootOverride && who.uid() == 0) {
      return Decision.ALLOW;
    }
    for (Attrs dir : chain) {
      if (!grants(who, dir, X)) {
        return Decision.deny(Status.EACCES, "no search permission on a parent directory");
      }
    }
    return Decision.ALLOW;
  }

  private static Decision remove(PeerCredentials who, boolean root, Attrs parent, Attrs target) {
    Decision d = need(who, root, parent, W | X, "write to the parent");
    if (!d.allowed()) {
      return d;
    }
    if (parent.sticky() && !root && who.uid() != target.uid() && who.uid() != parent.uid()) {
      return Decision.deny(
          Status.EPERM, "sticky directory: only the owner of the entry or directory may remove it");
    }
    return Decision.ALLOW;
  }

  private static Decision need(
      PeerCredentials who, boolean root, Attrs node, int bits, String what) {
    if (root || grants(who, node, bits)) {
      return Decision.ALLOW;
    }
    return Decision.deny(Status.EACCES, "mode denies " + what);
  }

  /** True if the class of {@code who} on {@code node} has every bit of {@code bits}. */
  static boolean grants(PeerCredentials who, Attrs node, int bits) {
    int shift;
    if (who.uid() == node.uid()) {
      shift = 6;
    } else if (who.inGroup(node.gid())) {
      shift = 3;
    } else {
      shift = 0;
    }
    return ((node.mode() >> shift) & bits) == bits;
  }

  /** May {@code who} give a new node group {@code gid}? Its own groups, or anything for root. */
  public static boolean mayUseGroup(PeerCredentials who, boolean rootOverride, int gid) {
    return (rootOverride && who.uid() == 0) || who.inGroup(gid);
  }
}
