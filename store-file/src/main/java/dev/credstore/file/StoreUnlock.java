package dev.credstore.file;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.UnlockStatus;
import dev.credstore.file.unlock.UnlockCache;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The file store's side of {@code credstore unlock}: the data key of one store file, held by its
 * {@link UnlockCache} agent and bound to the file's path and key section, so that a passphrase
 * change or a new data key (either replaces the key section) ends it, and it opens no other store.
 */
final class StoreUnlock {

  private final Path file;
  private final String location;
  private final UnlockCache cache;

  StoreUnlock(Path file, UnlockCache cache) {
    this.file = file;
    this.location = file.toString();
    this.cache = cache;
  }

  /** The held data key of the store whose key section is {@code keys} (caller zeroes), or null. */
  byte[] heldDataKey(StoreFileFormat.KeySection keys) {
    return cache.dataKey(binding(keys));
  }

  /** {@code bytes} of the store file opened by the agent holding its key, or null. */
  UnlockCache.Opened open(byte[] bytes) {
    return cache.open(file, bytes);
  }

  /** Holds {@code dataKey} (unwrapped from {@code keys}) for {@code duration}; returns the end. */
  Instant hold(StoreFileFormat.KeySection keys, byte[] dataKey, Duration duration)
      throws CredentialStoreException {
    return cache.hold(binding(keys), dataKey, duration);
  }

  boolean forget() {
    return cache.forget();
  }

  /** Throws when there is no unlock agent to hold a key (e.g. it is switched off). */
  void checkAvailable() throws BackendUnavailableException {
    String unavailable = cache.unavailableReason();
    if (unavailable != null) {
      throw new BackendUnavailableException("cannot unlock " + location + ": " + unavailable);
    }
  }

  /**
   * Decrypts the store file with {@code keys}' passphrase and holds its data key for
   * {@code duration}; returns the end.
   */
  Instant unlock(KeyCache keys, WriteCounters counters, Duration duration)
      throws CredentialStoreException {
    byte[] bytes = Contents.readFile(file);
    if (bytes == null) {
      throw new CredentialNotFoundException("there is no store at " + location
          + " yet; nothing to unlock (the first login creates it)");
    }
    // The passphrase itself, not an earlier unlock; and the file must be one we can read now.
    try (Contents contents = Contents.decrypt(bytes, location, keys, counters, false)) {
      if (!contents.keys.isCurrent()) {
        throw new BackendUnavailableException("cannot unlock " + location + ": it is in an older"
            + " format that the next write (e.g. a login) upgrades; unlock after that");
      }
      return hold(contents.keys, contents.dataKey, duration);
    }
  }

  /** The status for the store file as it is now on disk. */
  UnlockStatus status() {
    StoreFileFormat.KeySection section = null;
    try {
      byte[] bytes = Contents.readFile(file);
      if (bytes != null) {
        section = StoreFileFormat.parse(bytes, location).keys;
      }
    } catch (CredentialStoreException | RuntimeException unreadable) {
      section = null; // reads as "nothing held for this store"
    }
    return cache.status(section == null ? null : binding(section));
  }

  private byte[] binding(StoreFileFormat.KeySection keys) {
    byte[] identity = keys.identity();
    try {
      return UnlockCache.binding(file, identity);
    } finally {
      Arrays.fill(identity, (byte) 0);
    }
  }
}
