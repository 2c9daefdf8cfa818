package dev.credstore.cli.command;

import picocli.CommandLine.Option;

/** The {@code --no-env} option of the commands that would take a token from the environment. */
final class NoEnvOption {

  @Option(names = "--no-env",
      description = "Ignore the service's environment variable if set; read the store.")
  boolean set;
}
