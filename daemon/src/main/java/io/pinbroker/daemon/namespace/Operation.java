package io.pinbroker.daemon.namespace;

/** What a request does to its target, as the permission check sees it. */
public enum Operation {
  /** STAT: search on every ancestor. */
  LOOKUP,
  /** GET read-only: r on the entry. */
  READ,
  /** GET read-write: r and w on the entry. */
  READ_WRITE,
  /** LIST: r and x on the directory. */
  LIST,
  /** PIN or MKDIR: w and x on the parent. */
  CREATE,
  /** UNLINK, RMDIR, or the entry a replace removes: w and x on the parent, plus the sticky rule. */
  REMOVE,
  /** CHMOD: owner or root. */
  CHMOD,
  /** CHOWN: root only. */
  CHOWN
}
