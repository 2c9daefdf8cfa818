package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** passwd's new data key, ownership, forged KDF cost on a small heap, and rollback. */
class FileStoreHardeningTest {

  private static final String OTHER_PASSPHRASE = "another passphrase 42";

  @TempDir Path directory;

  @Test
  void passwd_makesANewDataKey_soTheOldPassphraseAndAnOldCopyOpenNothingWrittenAfter()
      throws Exception {
    Path file = directory.resolve("store.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, "before", "old-token");
      byte[] oldCopy = Files.readAllBytes(file);
      StoreFileFormat.KeySection oldKeys = StoreFileFormat.parse(oldCopy, "old").keys;
      byte[] oldKek;
      try (Secret passphrase = Secret.of(TestStores.PASSPHRASE)) {
        oldKek = KeyCache.derive(passphrase, oldKeys.salt(), oldKeys.kdf);
      }
      byte[] oldDataKey = oldKeys.unwrap(oldKek);
      assertNotNull(oldDataKey, "the old passphrase opens the old copy's data key");
      assertNotNull(StoreFileFormat.parse(oldCopy, "old").openPayload(oldDataKey));

      try (Secret changed = Secret.of(OTHER_PASSPHRASE)) {
        store.changePassphrase(changed);
      }
      put(store, "after", "new-token");
      StoreFileFormat.Parsed now = StoreFileFormat.parse(Files.readAllBytes(file), "now");
      assertNull(now.openPayload(oldDataKey), "the old data key opens the file after passwd");
      assertNull(now.keys.unwrap(oldKek), "the old KEK unwraps the new data key");
    }
    try (FileCredentialStore reopened = TestStores.open(file, OTHER_PASSPHRASE)) {
      assertEquals(2, reopened.list().size());
    }
  }

  @Test
  void storeInADirectoryOwnedByAnotherUser_isRefused_andNothingIsWritten() throws Exception {
    assumeTrue(isRoot(), "needs root, to chown the directory to another uid");
    Path theirs = Files.createDirectory(directory.resolve("theirs"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setAttribute(theirs, "unix:uid", 65534);
    try (FileCredentialStore store = TestStores.open(theirs.resolve("store.cstore"))) {
      StorageException e = assertThrows(StorageException.class, () -> put(store, "k6", "t"));
      assertTrue(e.getMessage().contains("is owned by uid 65534, not by you"), e.getMessage());
    }
    try (var left = Files.list(theirs)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void storeDirectlyInASharedStickyDirectory_isRefused_withWhatToDo() throws Exception {
    Path tmp = Path.of("/tmp");
    assumeTrue((((Integer) Files.getAttribute(tmp, "unix:mode")) & 01777) == 01777,
        "needs a 1777 /tmp");
    Path file = tmp.resolve("credstore-hardening-" + ProcessHandle.current().pid() + ".cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      StorageException e = assertThrows(StorageException.class, () -> put(store, "k6", "t"));
      assertTrue(e.getMessage().contains("/tmp is a shared directory"), e.getMessage());
      assertTrue(e.getMessage().contains("mkdir -m 700"), e.getMessage());
    } finally {
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".lock"));
    }
    assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void forgedMaximalKdfCost_onASmallHeap_isACleanStorageError_notAnOutOfMemoryError()
      throws Exception {
    Path file = directory.resolve("forged.cstore");
    KdfParameters maximal = new KdfParameters(KdfParameters.MAX_MEMORY_KIB,
        KdfParameters.MAX_ITERATIONS, KdfParameters.MAX_PARALLELISM);
    assertTrue(maximal.withinBounds(), "the cost is the largest one the format accepts");
    byte[] dataKey = Crypto.random(Crypto.KEY_BYTES);
    StoreFileFormat.KeySection keys = StoreFileFormat.KeySection.wrap(maximal,
        Crypto.random(Crypto.SALT_BYTES), Crypto.random(Crypto.KEY_BYTES), dataKey);
    Files.write(file, StoreFileFormat.encode(keys, dataKey,
        PayloadCodec.join(List.of(), WriteCount.first())));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    ProcessBuilder child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), ForgedCostMain.class.getName(),
        file.toString()).redirectErrorStream(true);
    child.environment().put("CREDSTORE_PASSPHRASE", TestStores.PASSPHRASE);
    Process process = child.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
    assertEquals(0, process.exitValue(), out);
    assertTrue(out.contains("outcome=StorageException"), out);
    assertTrue(out.contains("needs about 272 MiB"), out);
    assertFalse(out.contains("OutOfMemoryError"), out);
  }

  @Test
  void anOlderCopyPutBack_isRefused_untilTheCountersAreDeleted() throws Exception {
    Path file = directory.resolve("data/store.cstore");
    Path counters = directory.resolve("state/credstore/" + WriteCounters.FILE_NAME);
    byte[] older;
    try (FileCredentialStore store = withCounters(file, counters)) {
      put(store, "k6", "revoked-token");
      older = Files.readAllBytes(file);
      put(store, "k6", "current-token");
    }
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(counters)));
    Files.write(file, older); // e.g. a backup restored over the store
    try (FileCredentialStore store = withCounters(file, counters)) {
      IntegrityException e = assertThrows(IntegrityException.class,
          () -> store.get(CredentialId.of("k6")));
      assertTrue(e.getMessage().contains("went back in time: it holds write 1, but write 2"),
          e.getMessage());
      assertTrue(e.getMessage().contains("delete " + counters), e.getMessage());
      Secret t = Secret.of("x");
      try (Credential c = Credential.builder(CredentialId.of("other")).token(t).build()) {
        assertThrows(IntegrityException.class, () -> store.put(c));
      }
      assertArrayEquals(older, Files.readAllBytes(file), "a refused store is not written");
    }
    Files.delete(counters);
    try (FileCredentialStore store = withCounters(file, counters);
        Credential back = store.get(CredentialId.of("k6")).orElseThrow()) {
      assertTrue(back.secret().sameAs(Secret.of("revoked-token")), "restored on purpose");
    }
  }

  @Test
  void readersRacingAWriter_areNeverMistakenForARollback() throws Exception {
    Path file = directory.resolve("data/store.cstore");
    Path counters = directory.resolve("state/" + WriteCounters.FILE_NAME);
    try (FileCredentialStore writer = withCounters(file, counters);
        FileCredentialStore reader = withCounters(file, counters)) {
      put(writer, "k6", "t-0");
      java.util.concurrent.atomic.AtomicReference<Exception> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean done =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread reads = new Thread(() -> {
        while (!done.get()) {
          try {
            reader.get(CredentialId.of("k6")).orElseThrow().close();
          } catch (Exception e) {
            failure.compareAndSet(null, e);
            return;
          }
        }
      });
      reads.start();
      for (int i = 1; i <= 40; i++) {
        put(writer, "k6", "t-" + i);
      }
      done.set(true);
      reads.join();
      assertNull(failure.get(), () -> "a reader failed: " + failure.get());
    }
  }

  @Test
  void aFormat10Store_isReadAndRewrittenAsFormat11WithACounter() throws Exception {
    Path file = directory.resolve("v1.cstore");
    Files.copy(Path.of("src/test/resources/vectors/v1-store.cstore"), file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    String passphrase = Files.readString(Path.of("src/test/resources/vectors/v1-store.passphrase"))
        .strip();
    assertEquals(StoreFileFormat.VERSION_1_0, Files.readAllBytes(file)[9]);
    int before;
    try (FileCredentialStore store = TestStores.open(file, passphrase)) {
      before = store.list().size();
      put(store, "added", "t");
    }
    byte[] now = Files.readAllBytes(file);
    assertEquals(StoreFileFormat.VERSION, now[9]);
    try (FileCredentialStore store = TestStores.open(file, passphrase)) {
      assertEquals(before + 1, store.list().size());
    }
  }

  private static FileCredentialStore withCounters(Path file, Path counters) {
    return new FileCredentialStore(file, TestStores.passphrase(TestStores.PASSPHRASE),
        TestStores.CHEAP_KDF, Duration.ofSeconds(30), counters);
  }

  private static void put(FileCredentialStore store, String service, String token)
      throws Exception {
    try (Secret secret = Secret.of(token);
        Credential credential = Credential.builder(CredentialId.of(service)).token(secret)
            .build()) {
      store.put(credential);
    }
  }

  private static boolean isRoot() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
  }
}
