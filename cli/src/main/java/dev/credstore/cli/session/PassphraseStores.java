package dev.credstore.cli.session;

import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.session.StoreSession.Opened;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** What {@code passwd} and {@code rekey} share: they work only on a passphrase-protected store. */
public final class PassphraseStores {

  /** Where {@code passwd} finds the new passphrase; never passed on to a child process. */
  public static final String NEW_PASSPHRASE_VARIABLE = "CREDSTORE_NEW_PASSPHRASE";

  private PassphraseStores() {}

  /**
   * The opened store as a passphrase-protected one.
   *
   * @throws UsageException for a backend without a passphrase (the keychain)
   * @throws CredentialNotFoundException if the store file does not exist yet
   */
  public static PassphraseProtectedStore of(Opened opened, String command)
      throws CredentialNotFoundException {
    if (!(opened.backendStore() instanceof PassphraseProtectedStore protectedStore)) {
      throw new UsageException("'credstore " + command + "' is for the encrypted file store; the "
          + opened.selected().id() + " backend has no passphrase or data key of credstore's (choose"
          + " the file store with --backend file)");
    }
    String location = opened.store().describe().location();
    try {
      if (!Files.exists(Path.of(location))) {
        throw new CredentialNotFoundException("there is no store at " + location
            + " yet; nothing to change (the first login creates it)");
      }
    } catch (InvalidPathException notAPath) {
      // A backend whose location is not a path: let it report for itself.
    }
    return protectedStore;
  }
}
