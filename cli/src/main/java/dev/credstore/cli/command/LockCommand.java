package dev.credstore.cli.command;

import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.PassphraseStores;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "lock",
    description = {
        "Ends 'credstore unlock' at once: the agent holding the file store's key zeroes it and "
            + "exits. Needs no passphrase. Exits 0 whether or not the store was unlocked (it says"
            + " which), 2 for a backend other than the file store."})
final class LockCommand extends BaseCommand {

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = err();
    StoreSession session = session();
    // Locking never needs the passphrase: open without any source, so nothing can prompt.
    try (Opened opened = session.withPassphrases(PassphraseSource.none()).open(err)) {
      // The backend's own store: with the backend chosen automatically, store() is a wrapper.
      if (!(opened.backendStore() instanceof PassphraseProtectedStore store)) {
        PassphraseStores.of(opened, "lock"); // the usage error for other backends
        return ExitCodes.USAGE;
      }
      err.println(store.lock() ? "locked " + opened.where()
          : opened.where() + " was not unlocked; nothing to do");
    }
    return ExitCodes.OK;
  }
}
