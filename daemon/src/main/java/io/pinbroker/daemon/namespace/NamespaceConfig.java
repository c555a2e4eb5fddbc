package io.pinbroker.daemon.namespace;

/**
 * The namespace's settings.
 *
 * @param rootMode mode of {@code /} (bpffs uses 1777)
 * @param umask bits cleared from the mode of every new node
 * @param rootOverride whether uid 0 bypasses mode checks, like CAP_DAC_OVERRIDE
 * @param maxNames most names (entries and directories) held at once
 */
public record NamespaceConfig(int rootMode, int umask, boolean rootOverride, long maxNames) {}
