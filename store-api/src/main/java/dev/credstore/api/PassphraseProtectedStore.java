package dev.credstore.api;

/**
 * A store whose contents are encrypted under a key derived from a passphrase, with a separate data
 * key so that the passphrase can change without re-encrypting.
 */
public interface PassphraseProtectedStore extends CredentialStore {

  /**
   * Re-wraps the data key under {@code newPassphrase}. Atomic: an interruption leaves the store
   * readable with the old passphrase or the new one.
   *
   * @throws IllegalArgumentException if the new passphrase is unacceptable (too short, blank)
   * @throws AuthenticationException if the store cannot be unlocked with the current passphrase
   * @throws CredentialStoreException for any other failure; the store is then unchanged
   */
  void changePassphrase(Secret newPassphrase) throws CredentialStoreException;

  /**
   * Generates a new data key and re-encrypts every credential with it. Atomic, like
   * {@link #changePassphrase}.
   *
   * @throws CredentialStoreException on failure; the store is then unchanged
   */
  void rotateDataKey() throws CredentialStoreException;
}
