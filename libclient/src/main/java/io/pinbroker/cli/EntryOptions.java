package io.pinbroker.cli;

import io.pinbroker.client.PinOptions;
import picocli.CommandLine.Option;

/** The owner-facing options of every command that creates an entry: its mode and group. */
final class EntryOptions {
  @Option(
      names = "--mode",
      paramLabel = "MODE",
      converter = OctalMode.class,
      description = "Permission bits of the entry, masked by the broker's umask (default: 0600).")
  Integer mode;

  @Option(names = "--group", paramLabel = "GID", description = "Group of the entry (number or name).")
  String group;

  /** The pin options these flags ask for, with {@code defaultMode} when --mode is absent. */
  PinOptions options(int defaultMode) throws UsageException {
    PinOptions options = PinOptions.DEFAULT.mode(mode == null ? defaultMode : mode);
    return group == null ? options : options.group(Names.load().gid(group));
  }
}
