package dev.credstore.keychain;

import dev.credstore.api.CredentialStoreException;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Serialises keychain writers on a lock file in the data directory ({@link PrivateLock}: a JVM
 * lock plus a file lock, so other credstore processes wait too): {@code keychain.lock} for the
 * Secret Service items, {@code keychain-index.json.lock} for the {@link KeychainIndex}. The
 * keychain has no transactions; without this two concurrent logins would each create an item and
 * each delete the other's.
 */
record WriteLock(Path lockFile, Duration timeout) {

  /** Runs {@code action} holding the lock, waiting at most the timeout for others. */
  <T> T locked(PrivateLock.Action<T> action) throws CredentialStoreException {
    PrivateFiles.ensureDirectory(lockFile.getParent());
    return PrivateLock.hold(lockFile, timeout, action);
  }
}
