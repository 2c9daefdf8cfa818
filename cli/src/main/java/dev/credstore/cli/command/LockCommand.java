package dev.credstore.cli.command;

import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.PassphraseStores;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "lock",
    description = {
        "Ends 'credstore unlock' at once: the agent holding the file store's key zeroes it and "
            + "exits. Needs no passphrase. Exits 0 whether or not the store was unlocked (it says"
            + " which), 2 for a backend other than the file store."},
    mixinStandardHelpOptions = true)
final class LockCommand implements Callable<Integer> {

  @ParentCommand Credstore root;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = spec.commandLine().getErr();
    StoreSession session = StoreSession.load(root.context, root.global);
    // Locking never needs the passphrase: open without any source, so nothing can prompt.
    try (Opened opened = session.withPassphrases(PassphraseSource.none()).open(err)) {
      if (!(opened.store instanceof PassphraseProtectedStore store)) {
        PassphraseStores.of(opened, "lock"); // the usage error for other backends
        return ExitCodes.USAGE;
      }
      err.println(store.lock() ? "locked " + opened.where()
          : opened.where() + " was not unlocked; nothing to do");
    }
    return ExitCodes.OK;
  }
}
