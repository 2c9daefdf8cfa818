package dev.credstore.cli.command;

import dev.credstore.cli.session.Context;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Flags every command accepts, before or after the subcommand name. Mixed into the root command;
 * {@link ScopeType#INHERIT} copies them to each subcommand, bound to this one instance.
 */
public final class GlobalOptions {

  @Option(names = "--backend", paramLabel = "auto|keychain|file", scope = ScopeType.INHERIT,
      completionCandidates = Completions.Backends.class,
      description = "Backend to use (default: CREDSTORE_BACKEND, then config.json, then auto).")
  public String backend;

  @Option(names = "--store", paramLabel = "PATH", scope = ScopeType.INHERIT,
      description = "Encrypted store file for the file backend (default: CREDSTORE_STORE, then "
          + "config.json, then $XDG_DATA_HOME/credstore/credentials.cstore).")
  public Path store;

  @Option(names = "--passphrase-file", paramLabel = "PATH", scope = ScopeType.INHERIT,
      description = "File whose first line is the file store's passphrase (mode 600). Otherwise "
          + "CREDSTORE_PASSPHRASE_FILE, config.json, CREDSTORE_PASSPHRASE, or a hidden prompt.")
  public Path passphraseFile;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print stack traces with errors, and notes such as where a token came from.")
  public boolean verbose;

  @Option(names = "--compact", scope = ScopeType.INHERIT,
      description = "JSON on one line, as it is whenever standard output is not a terminal.")
  public boolean compact;

  /** Whether --json output is indented: only for a person at a terminal who did not ask not to. */
  public boolean prettyJson(Context context) {
    return !compact && context.terminal().outputIsTerminal();
  }
}
