package dev.credstore.file;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.file.unlock.UnlockCache;
import java.util.Arrays;

/**
 * The key-encryption key, derived once per process and kept until {@link #close()}, so a later
 * write need not ask for the passphrase or run Argon2id again. It is used only while the file's
 * KDF section (parameters and salt) is unchanged. Before asking for the passphrase it takes the
 * data key held by {@code credstore unlock} ({@link StoreUnlock}) for this very key section, where
 * allowed. Thread-safe; the store takes its snapshot lock
 * before this one when it needs both.
 */
final class KeyCache implements AutoCloseable {

  private final PassphraseSource passphrases;
  private final String location;
  private final StoreUnlock held;
  private StoreFileFormat.KeySection keys;
  private byte[] kek;

  KeyCache(PassphraseSource passphrases, String location, StoreUnlock held) {
    this.passphrases = passphrases;
    this.location = location;
    this.held = held;
  }

  /**
   * The store file {@code bytes} opened by the agent of {@code credstore unlock} (data key and
   * payload, which the caller zeroes), or null: also when this process has its own key-encryption
   * key, which needs no agent.
   */
  synchronized UnlockCache.Opened openWithHeldKey(byte[] bytes) {
    return kek != null ? null : held.open(bytes);
  }

  /**
   * Returns the data key (the caller zeroes it), deriving the KEK only when not cached, and taking
   * the key held by {@code credstore unlock} for this very key section when {@code heldKeyAllowed}.
   */
  synchronized byte[] unlock(StoreFileFormat.KeySection section, boolean heldKeyAllowed)
      throws CredentialStoreException {
    if (keys != null && keys.sameKdfAs(section)) {
      byte[] dataKey = section.unwrap(kek);
      if (dataKey != null) {
        return dataKey;
      }
    }
    // Only for a current section: writing an older one wraps the key again, which needs the KEK.
    byte[] fromAgent = heldKeyAllowed && section.isCurrent() ? held.heldDataKey(section) : null;
    if (fromAgent != null) {
      return fromAgent;
    }
    Secret answer = passphrases.passphrase(PassphraseSource.Purpose.UNLOCK, location)
        .orElseThrow(this::noPassphrase);
    // A wrong answer from a prompt is asked again, as sudo does; Argon2id runs for each try.
    for (int tries = 1; ; tries++) {
      byte[] derived;
      try (Secret passphrase = answer) {
        derived = derive(passphrase, section.salt(), section.kdf);
      }
      byte[] dataKey = section.unwrap(derived);
      if (dataKey != null) {
        remember(section, derived);
        return dataKey;
      }
      Arrays.fill(derived, (byte) 0);
      Secret again = tries < PassphraseSource.UNLOCK_TRIES
          ? passphrases.askAgain(location).orElse(null) : null;
      if (again == null) {
        throw new AuthenticationException("wrong passphrase for store " + location
            + (tries > 1 ? " (" + tries + " tries)" : ""));
      }
      answer = again;
    }
  }

  /** The KEK of {@code passphrase} for a new key section; the caller zeroes it or remembers it. */
  static byte[] derive(Secret passphrase, byte[] salt, KdfParameters kdf)
      throws StorageException {
    char[] chars = passphrase.revealChars();
    try {
      return Crypto.deriveKey(chars, salt, kdf);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /** Keeps {@code derived} (now owned by this cache) as the KEK of {@code section}. */
  synchronized void remember(StoreFileFormat.KeySection section, byte[] derived) {
    if (kek != null && kek != derived) {
      Arrays.fill(kek, (byte) 0);
    }
    keys = section;
    kek = derived;
  }

  /** {@code dataKey} wrapped under the cached KEK, in the KDF section of {@code like}. */
  synchronized StoreFileFormat.KeySection rewrap(StoreFileFormat.KeySection like,
      byte[] dataKey) {
    if (kek == null || !keys.sameKdfAs(like)) {
      throw new IllegalStateException("no key cached for this store's KDF section");
    }
    return StoreFileFormat.KeySection.wrap(like.kdf, like.salt(), kek, dataKey);
  }

  /** The store's own passphrase, asked for the given purpose; empty means none was available. */
  Secret passphrase(PassphraseSource.Purpose purpose) throws AuthenticationException {
    return passphrases.passphrase(purpose, location).orElseThrow(this::noPassphrase);
  }

  private AuthenticationException noPassphrase() {
    return new AuthenticationException("store " + location + " needs a passphrase: set "
        + PassphraseSource.ENV_VARIABLE + ", use --passphrase-file, run in a terminal, or run"
        + " 'credstore unlock' first");
  }

  @Override
  public synchronized void close() {
    if (kek != null) {
      Arrays.fill(kek, (byte) 0);
      kek = null;
    }
    keys = null;
  }
}
