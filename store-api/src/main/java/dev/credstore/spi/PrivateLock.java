package dev.credstore.spi;

import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one inter-process lock of credstore's files: an exclusive {@link FileChannel#lock} on a
 * private lock file (created 0600, never through a link, judged by {@link PrivateFiles#check}),
 * taken by threads of this process through a per-file in-process lock first, since file locks are
 * held per process. Waits at most a bounded time, polling, so that a stuck holder becomes a clear
 * error rather than a hang. Reentrant: a thread that holds it runs a nested action at once.
 */
public final class PrivateLock {

  /** What runs while the lock is held. */
  @FunctionalInterface
  public interface Action<T> {
    T run() throws CredentialStoreException;
  }

  private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
  // Short pauses: under contention a long one would leave the lock idle between holders.
  private static final long MAX_PAUSE_MILLIS = 4;

  private PrivateLock() {}

  /**
   * Runs {@code action} holding the lock on {@code lockFile}, whose directory must exist and be
   * private. A lock file credstore made with looser permissions (older versions did) is made 0600;
   * one that is not ours or not a regular file is refused.
   *
   * @throws StorageException if the lock is not had within {@code timeout}, or its file is unsafe
   */
  public static <T> T hold(Path lockFile, Duration timeout, Action<T> action)
      throws CredentialStoreException {
    Path file = lockFile.toAbsolutePath().normalize();
    ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(file, p -> new ReentrantLock());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!inProcess.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw timedOut(file, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the lock " + file, e);
    }
    try {
      if (inProcess.getHoldCount() > 1) {
        return action.run();
      }
      prepare(file);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS)) {
        FileLock lock = acquire(channel, file, timeout, deadline);
        try {
          return action.run();
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        throw PrivateFiles.storageError("cannot lock " + file, e);
      }
    } finally {
      inProcess.unlock();
    }
  }

  private static void prepare(Path file) throws StorageException {
    try {
      PrivateFiles.ensureFile(file);
    } catch (StorageException loose) {
      // Our own lock file, only too open (earlier versions created it 0644): tighten it.
      FileAttributes attributes;
      try {
        attributes = FileAttributes.of(file);
      } catch (IOException e) {
        throw loose;
      }
      if (attributes == null || !attributes.posix || attributes.symbolicLink
          || !attributes.regularFile || !attributes.ownedByUs()) {
        throw loose;
      }
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (IOException e) {
        throw loose;
      }
      PrivateFiles.check(file).require();
    }
  }

  private static FileLock acquire(FileChannel channel, Path file, Duration timeout,
      long deadline) throws IOException, StorageException {
    long pause = 1;
    while (true) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw timedOut(file, timeout);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while waiting for the lock " + file, e);
      }
      pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
    }
  }

  private static StorageException timedOut(Path file, Duration timeout) {
    String waited = timeout.toMillis() % 1000 == 0
        ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    return new StorageException("another process has held the lock " + file + " for more than "
        + waited + "; is a credstore command stuck?");
  }
}
