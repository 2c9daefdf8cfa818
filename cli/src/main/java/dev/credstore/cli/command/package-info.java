/**
 * The picocli commands only: the root command, one thin class per subcommand (parse, call, print)
 * and their base class. May depend on every other cli package; only the entry points depend on it.
 */
package dev.credstore.cli.command;
