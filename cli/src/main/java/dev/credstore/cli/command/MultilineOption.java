package dev.credstore.cli.command;

import picocli.CommandLine.Option;

/** The {@code --multiline} switch of the commands that read a secret from standard input. */
final class MultilineOption {

  @Option(names = "--multiline", description = "The secret read from standard input spans"
      + " lines (a PEM or JSON key); without it a line break inside is refused.")
  boolean enabled;
}
