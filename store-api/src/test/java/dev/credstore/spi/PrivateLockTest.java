package dev.credstore.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.StorageException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one inter-process lock, on real files. */
class PrivateLockTest {

  @TempDir Path directory;

  @Test
  void hold_createsAPrivateLockFile_andRunsTheAction() throws Exception {
    Path lock = directory.resolve("store.lock");
    assertEquals("ran", PrivateLock.hold(lock, Duration.ofSeconds(1), () -> "ran"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
  }

  @Test
  void hold_isReentrantForTheHoldingThread() throws Exception {
    Path lock = directory.resolve("store.lock");
    assertEquals(2, PrivateLock.hold(lock, Duration.ofSeconds(1),
        () -> 1 + PrivateLock.hold(lock, Duration.ofSeconds(1), () -> 1)));
  }

  @Test
  void aLockHeldThroughAnotherHandle_endsInAStorageErrorAfterTheBoundedWait() throws Exception {
    Path lock = directory.resolve("store.lock");
    PrivateFiles.ensureFile(lock);
    try (FileChannel other = FileChannel.open(lock, StandardOpenOption.WRITE);
        FileLock held = other.lock()) {
      long start = System.nanoTime();
      StorageException e = assertThrows(StorageException.class,
          () -> PrivateLock.hold(lock, Duration.ofMillis(200), () -> "never"));
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200));
      assertTrue(e.getMessage().contains("for more than 200 ms"), e.getMessage());
      assertTrue(held.isValid());
    }
  }

  @Test
  void threadsOfOneProcess_takeTurns() throws Exception {
    Path lock = directory.resolve("store.lock");
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(4);
    for (int t = 0; t < 4; t++) {
      new Thread(() -> {
        try {
          for (int i = 0; i < 50; i++) {
            PrivateLock.hold(lock, Duration.ofSeconds(10), () -> {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              inside.decrementAndGet();
              return null;
            });
          }
        } catch (Exception e) {
          most.set(-100);
        } finally {
          done.countDown();
        }
      }).start();
    }
    assertTrue(done.await(30, TimeUnit.SECONDS));
    assertEquals(1, most.get(), "exactly one holder at a time, and no failure");
  }

  @Test
  void aLooseLockFileOfOurs_isMade600() throws Exception {
    Path lock = Files.createFile(directory.resolve("store.lock"));
    Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
    PrivateLock.hold(lock, Duration.ofSeconds(1), () -> null);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
  }

  @Test
  void aSymlinkedLockFile_isRefused_andItsTargetNeverCreated() throws Exception {
    Path target = directory.resolve("elsewhere");
    Path lock = Files.createSymbolicLink(directory.resolve("store.lock"), target);
    StorageException e = assertThrows(StorageException.class,
        () -> PrivateLock.hold(lock, Duration.ofSeconds(1), () -> null));
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
  }
}
