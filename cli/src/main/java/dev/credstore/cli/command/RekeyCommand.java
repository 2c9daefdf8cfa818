package dev.credstore.cli.command;

import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.PassphraseStores;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "rekey",
    description = {
        "Generates a new data key for the encrypted file store and re-encrypts every credential "
            + "with it; the passphrase stays the same.",
        "Atomic: if interrupted, the store still opens with its passphrase and holds everything."})
final class RekeyCommand extends BaseCommand {

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = err();
    StoreSession session = session();
    try (Opened opened = session.open(err)) {
      PassphraseStores.of(opened, "rekey").rotateDataKey();
      err.println("rotated the data key of " + opened.where());
    }
    return ExitCodes.OK;
  }
}
