package io.pinbroker.daemon.namespace;

/**
 * The namespace's settings.
 *
 * @param rootMode mode of {@code /} (bpffs uses 1777)
 * @param umask bits cleared from the mode of every new node
 * @param rootOverride whether uid 0 bypasses mode checks, like CAP_DAC_OVERRIDE
 * @param maxNames most names (entries and directories) held at once
 * @param maxNamesPerUid most names owned by one uid at once (root included)
 */
public record NamespaceConfig(
    int rootMode, int umask, boolean rootOverride, long maxNames, long maxNamesPerUid) {
  /** Settings whose per-uid bound is the total: no uid is bounded more than the broker. */
  public NamespaceConfig(int rootMode, int umask, boolean rootOverride, long maxNames) {
    this(rootMode, umask, rootOverride, maxNames, maxNames);
  }
}
