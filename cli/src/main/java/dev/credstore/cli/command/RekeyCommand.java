package dev.credstore.cli.command;

import dev.credstore.api.CredentialStoreException;
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

@Command(name = "rekey",
    description = {
        "Generates a new data key for the encrypted file store and re-encrypts every credential "
            + "with it; the passphrase stays the same.",
        "Atomic: if interrupted, the store still opens with its passphrase and holds everything."},
    mixinStandardHelpOptions = true)
final class RekeyCommand implements Callable<Integer> {

  @ParentCommand Credstore root;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = spec.commandLine().getErr();
    StoreSession session = StoreSession.load(root.context, root.global);
    try (Opened opened = session.open(err)) {
      PassphraseStores.of(opened, "rekey").rotateDataKey();
      err.println("rotated the data key of " + opened.where());
    }
    return ExitCodes.OK;
  }
}
