package dev.credstore.file;

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
  private final UnlockCache cache;

  StoreUnlock(Path file, UnlockCache cache) {
    this.file = file;
    this.cache = cache;
  }

  /** The held data key of the store whose key section is {@code keys} (caller zeroes), or null. */
  byte[] heldDataKey(StoreFileFormat.KeySection keys) {
    return cache.dataKey(binding(keys));
  }

  /** Holds {@code dataKey} (unwrapped from {@code keys}) for {@code duration}; returns the end. */
  Instant hold(StoreFileFormat.KeySection keys, byte[] dataKey, Duration duration)
      throws CredentialStoreException {
    return cache.hold(binding(keys), dataKey, duration);
  }

  boolean forget() {
    return cache.forget();
  }

  /** The status for the store whose key section is {@code keys} (null: no store file yet). */
  UnlockStatus status(StoreFileFormat.KeySection keys) {
    return cache.status(keys == null ? null : binding(keys));
  }

  String unavailableReason() {
    return cache.unavailableReason();
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
