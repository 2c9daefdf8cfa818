package dev.credstore.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A place that keeps credentials: the OS keychain, an encrypted file, or another backend.
 *
 * <p>Implementations are safe for use by several threads, and every write is atomic: a concurrent
 * reader, another process, or a crash sees the store either before or after the write, never
 * between. Backends that are shared between processes serialise their writes so that none is lost.
 *
 * <p>Credentials returned by {@link #get} belong to the caller, who should close them to zero their
 * secrets. Credentials passed in are copied as needed; the caller still owns them.
 */
public interface CredentialStore extends AutoCloseable {

  /**
   * The credential stored under {@code id}, or empty if there is none. Not-found is a value, not an
   * exception.
   *
   * @throws AuthenticationException if the store is locked and cannot be unlocked
   * @throws IntegrityException if stored data fails verification
   * @throws CredentialStoreException for any other failure, with its cause
   */
  Optional<Credential> get(CredentialId id) throws CredentialStoreException;

  /**
   * Stores a new credential; fails rather than overwrite one that exists.
   *
   * @throws CredentialConflictException if a credential with the same id exists
   * @throws CredentialStoreException for any other failure, with its cause
   */
  void create(Credential credential) throws CredentialStoreException;

  /**
   * Stores {@code credential}, replacing any credential with the same id.
   *
   * @throws CredentialStoreException on failure, with its cause; the store is then unchanged
   */
  void put(Credential credential) throws CredentialStoreException;

  /**
   * Atomically replaces the credential with {@code replacement}'s id, but only while its current
   * secret is still {@code expectedSecret} (compare-and-replace, for rotation).
   *
   * @throws CredentialNotFoundException if there is no credential with that id
   * @throws CredentialConflictException if its secret is no longer {@code expectedSecret}
   * @throws CredentialStoreException for any other failure, with its cause
   */
  void replace(Secret expectedSecret, Credential replacement) throws CredentialStoreException;

  /**
   * Removes the credential stored under {@code id}.
   *
   * @return true if one was removed, false if there was none (deleting is idempotent)
   * @throws CredentialStoreException on failure, with its cause
   */
  boolean delete(CredentialId id) throws CredentialStoreException;

  /**
   * Metadata of every stored credential, sorted by id. Never returns a secret, and reads none
   * except where a backend can learn that an item exists only by reading it (java-keyring on macOS
   * and Windows), which drops what it read at once.
   *
   * @throws CredentialStoreException on failure, with its cause
   */
  List<CredentialMetadata> list() throws CredentialStoreException;

  /**
   * {@link #list()}, also telling {@code warnings} what the listing cannot vouch for, one line each
   * (no secret in any): e.g. a backend that lists from a local index reports entries whose item is
   * gone from the keychain (left out of the result) and entries it could not check. Callers print
   * the lines; the result is the same as {@link #list()}'s. The default reports nothing.
   *
   * @throws CredentialStoreException on failure, with its cause
   */
  default List<CredentialMetadata> list(Consumer<String> warnings)
      throws CredentialStoreException {
    return list();
  }

  /** What this store is and where it keeps data; cheap, touches no secret. */
  StoreDescription describe();

  /** Releases resources and zeroes any key material held in memory. Idempotent. */
  @Override
  void close();
}
