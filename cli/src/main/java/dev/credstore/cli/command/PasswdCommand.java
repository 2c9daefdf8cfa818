package dev.credstore.cli.command;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.PassphraseSource.Purpose;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.cli.console.ConsolePassphraseSource;
import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.PassphraseStores;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "passwd",
    description = {
        "Changes the passphrase of the encrypted file store. The current passphrase is found as "
            + "usual (--passphrase-file, CREDSTORE_PASSPHRASE_FILE, CREDSTORE_PASSPHRASE, prompt);"
            + " the new one comes from --new-passphrase-file, else CREDSTORE_NEW_PASSPHRASE, else "
            + "a hidden prompt asked twice (a mismatch exits 4). At least 8 characters.",
        "Atomic: if interrupted, the store opens with the old passphrase or the new one. A new "
            + "data key is made too, so an old copy of the store and the old passphrase open "
            + "nothing written afterwards; the credentials are unchanged."})
final class PasswdCommand extends BaseCommand {

  @Option(names = "--new-passphrase-file", paramLabel = "PATH",
      description = "File whose first line is the new passphrase (mode 600).")
  Path newPassphraseFile;

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = err();
    StoreSession session = session();
    try (Opened opened = session.open(err)) {
      PassphraseProtectedStore store = PassphraseStores.of(opened, "passwd");
      String location = store.describe().location();
      store.list(); // unlocks: a wrong current passphrase fails before a new one is asked for
      try (Secret newPassphrase = newPassphrases().passphrase(Purpose.CHANGE, location)
          .orElseThrow(() -> new AuthenticationException("no new passphrase: use "
              + "--new-passphrase-file PATH, set " + PassphraseStores.NEW_PASSPHRASE_VARIABLE
              + ", or run in a terminal"))) {
        store.changePassphrase(newPassphrase);
      }
      err.println("changed the passphrase of " + opened.where());
    }
    if (session.settings.passphraseFile().value() != null) {
      err.println("credstore: note: the passphrase file " + session.settings.passphraseFile().value()
          + " (" + session.settings.passphraseFile().source() + ") still holds the old passphrase;"
          + " update it");
    } else if (notEmpty(context().environment().get(PassphraseSource.ENV_VARIABLE))) {
      err.println("credstore: note: " + PassphraseSource.ENV_VARIABLE + " still holds the old "
          + "passphrase; update it wherever it is set");
    }
    return ExitCodes.OK;
  }

  private PassphraseSource newPassphrases() {
    Terminal terminal = context().terminal();
    if (newPassphraseFile != null) {
      return PassphraseSource.fromFile(newPassphraseFile);
    }
    String variable = context().environment().get(PassphraseStores.NEW_PASSPHRASE_VARIABLE);
    if (notEmpty(variable)) {
      return (purpose, location) -> java.util.Optional.of(Secret.of(variable));
    }
    return new ConsolePassphraseSource(terminal);
  }

  private static boolean notEmpty(String value) {
    return value != null && !value.isEmpty();
  }
}
