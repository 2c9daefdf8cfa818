package dev.credstore.cli.command;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.cli.console.SecretInput;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.PassphraseStores;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.UnlockPolicy;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "unlock",
    description = {
        "Asks for the file store's passphrase once (--passphrase-stdin, --passphrase-file, "
            + "CREDSTORE_PASSPHRASE_FILE, CREDSTORE_PASSPHRASE, else a hidden prompt) and keeps "
            + "the store's data key usable by you alone for DURATION (default 15m; at most "
            + "\"unlockMaximum\" in config.json, default 12h): until then get, exec, login, "
            + "rotate, list and the git and Docker helpers need no passphrase.",
        "The key is held in memory by a small agent process of yours, reached over a socket in "
            + "$XDG_RUNTIME_DIR/credstore (else /run/user/UID/credstore); nothing is written to "
            + "disk. It ends when its time is up, on 'credstore lock', and when the passphrase or "
            + "data key changes (passwd, rekey). Running unlock again replaces it.",
        "Exits 4 for a wrong or missing passphrase, 5 where no unlock cache can work (the "
            + "message says why), 10 if DURATION is longer than the maximum."})
final class UnlockCommand extends BaseCommand {

  @Option(names = "--for", paramLabel = "DURATION",
      description = "How long: 45s, 30m, 8h, 1d or ISO-8601 (PT8H). Default: 15m.")
  String duration;

  @Option(names = "--passphrase-stdin",
      description = "Read the passphrase from standard input (all of it, less one trailing line break).")
  boolean passphraseStdin;

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = err();
    StoreSession session = session();
    Duration maximum = UnlockPolicy.maximum(session.settings);
    Duration wanted = duration == null
        ? min(UnlockPolicy.DEFAULT_DURATION, maximum) : Durations.parse(duration, "--for");
    if (wanted.compareTo(maximum) > 0) {
      err.println("credstore: --for " + Durations.format(wanted) + " is longer than the longest "
          + "unlock allowed, " + Durations.format(maximum) + " (" + UnlockPolicy.maximumSource(
              session.settings) + ")");
      return ExitCodes.POLICY;
    }
    if (passphraseStdin) {
      session = session.withPassphrases(stdinPassphrase());
    }
    try (Opened opened = session.open(err)) {
      PassphraseProtectedStore protectedStore = PassphraseStores.of(opened, "unlock");
      Instant until = protectedStore.unlockFor(wanted);
      err.println("unlocked " + opened.where() + " until " + until + " ("
          + Durations.format(wanted) + "); 'credstore lock' ends it sooner");
    }
    return ExitCodes.OK;
  }

  // Read once, when the store asks: a second ask (there is none for UNLOCK) would find stdin spent.
  private PassphraseSource stdinPassphrase() {
    return (purpose, location) -> {
      Secret line = SecretInput.readAll(context().stdin(), "passphrase", false);
      if (line.length() == 0) {
        line.close();
        throw new AuthenticationException("--passphrase-stdin: standard input "
            + "held no passphrase");
      }
      return Optional.of(line);
    };
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
