package dev.credstore.cli.command;

import picocli.CommandLine.Option;

/** The {@code --account} option of the commands that name one credential of a service. */
final class AccountOption {

  @Option(names = "--account", paramLabel = "NAME", description = "Account (default: default).")
  String name;
}
