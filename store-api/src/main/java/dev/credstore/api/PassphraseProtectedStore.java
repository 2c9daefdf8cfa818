package dev.credstore.api;

import java.time.Duration;
import java.time.Instant;

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

  /**
   * Unlocks the existing store (asking its passphrase source as usual) and keeps its key usable,
   * by the same user only, for {@code duration}: until then any process of that user opens this
   * store without a passphrase. Bound to the store as it is now: a later {@link #changePassphrase}
   * or {@link #rotateDataKey}, here or in another process, ends it. Replaces an earlier unlock.
   *
   * @return when the unlock ends
   * @throws IllegalArgumentException if {@code duration} is not positive
   * @throws AuthenticationException if the store cannot be unlocked
   * @throws BackendUnavailableException if no unlock cache can work here (the message says why)
   * @throws CredentialStoreException for any other failure; nothing is then held
   */
  default Instant unlockFor(Duration duration) throws CredentialStoreException {
    throw new BackendUnavailableException(describe().summary() + " has no unlock cache");
  }

  /**
   * Forgets the key held by {@link #unlockFor}, at once. Needs no passphrase.
   *
   * @return whether one was held
   * @throws CredentialStoreException if the cache could not be reached to make it forget
   */
  default boolean lock() throws CredentialStoreException {
    return false;
  }

  /** Whether the store is unlocked now, and until when. Never prompts; never throws. */
  default UnlockStatus unlockStatus() {
    return new UnlockStatus(UnlockStatus.State.UNAVAILABLE, null,
        describe().summary() + " has no unlock cache");
  }
}
