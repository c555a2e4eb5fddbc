package io.pinbroker.cli;

import picocli.CommandLine.Command;

@Command(
    name = "map",
    description = "Create maps through the broker, and read or change their elements.",
    subcommands = {
      MapCreateCommand.class,
      MapUpdateCommand.class,
      MapLookupCommand.class,
      MapDeleteCommand.class,
      MapDumpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker map create --type array --key-size 4 --value-size 8 --max-entries 16 /net/counters",
      "  pinbroker map create --sim --type hash --key-size 4 --value-size 4 --max-entries 64 /net/flows",
      "  pinbroker map update /net/counters 01000000 2a00000000000000",
      "  pinbroker map lookup /net/counters 01000000",
      "  pinbroker map dump --json /net/flows"
    })
final class MapCommand {
  @picocli.CommandLine.ParentCommand Main main;
}
