package dev.credstore.keychain;

import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises keychain writers: a JVM lock plus {@link FileChannel#lock} on a lock file in the data
 * directory, so other credstore processes wait too. The keychain has no transactions; without this
 * two concurrent logins would each create an item and each delete the other's.
 */
final class WriteLock {

  // FileChannel.lock is per process: two handles in one JVM must queue on a JVM lock first.
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path lockFile;
  private final Duration timeout;

  WriteLock(Path lockFile, Duration timeout) {
    this.lockFile = lockFile;
    this.timeout = timeout;
  }

  Path file() {
    return lockFile;
  }

  /** Action run while holding the lock. */
  interface LockedAction<T> {
    T run() throws CredentialStoreException;
  }

  /** Runs {@code action} holding the lock, waiting at most the timeout for others. */
  <T> T locked(LockedAction<T> action) throws CredentialStoreException {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, f -> new ReentrantLock());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!jvmLock.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw busy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted waiting for the keychain lock " + lockFile, e);
    }
    try {
      if (jvmLock.getHoldCount() > 1) {
        return action.run();
      }
      ensureDirectory(lockFile.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE)) {
        FileLock lock = channel.tryLock();
        while (lock == null) {
          if (System.nanoTime() > deadline) {
            throw busy();
          }
          Thread.sleep(20);
          lock = channel.tryLock();
        }
        try {
          return action.run();
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        throw new StorageException("cannot lock " + lockFile, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted waiting for the keychain lock " + lockFile, e);
      }
    } finally {
      jvmLock.unlock();
    }
  }

  /** Creates {@code directory} as 0700 if it does not exist. */
  static void ensureDirectory(Path directory) throws StorageException {
    try {
      if (!Files.isDirectory(directory)) {
        FileAttribute<?>[] attributes = POSIX
            ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
            : new FileAttribute<?>[0];
        Files.createDirectories(directory, attributes);
      }
    } catch (FileAlreadyExistsException e) {
      // Another process created it first.
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + directory, e);
    }
  }

  private StorageException busy() {
    return new StorageException("another credstore process has held the keychain lock "
        + lockFile + " for more than " + timeout.toMillis() + " ms");
  }
}
