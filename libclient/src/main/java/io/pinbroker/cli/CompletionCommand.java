package io.pinbroker.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;

/**
 * picocli's {@code generate-completion}, with help of our own (else it would inherit the
 * examples of {@code pinbroker} itself). The build ships its output as
 * {@code completion/pinbroker.bash}.
 */
@Command(
    name = "generate-completion",
    description = {
      "Print the bash (and zsh) completion script of pinbroker: every command and option.",
      "The distribution ships the same script as completion/pinbroker.bash."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(pinbroker generate-completion)",
      "  pinbroker generate-completion > /etc/bash_completion.d/pinbroker"
    })
final class CompletionCommand extends AutoComplete.GenerateCompletion {}
