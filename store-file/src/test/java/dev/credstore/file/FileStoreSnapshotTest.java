package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An open store keeps its decrypted contents for reads, and changes them on a write, only while the
 * file is unchanged; what it keeps is zeroed when replaced or closed.
 */
class FileStoreSnapshotTest {

  private static final CredentialId K6 = CredentialId.of("k6");
  private static final CredentialId A = CredentialId.of("a");
  private static final CredentialId B = CredentialId.of("b");
  private static final CredentialId C = CredentialId.of("c");

  @TempDir Path directory;

  @Test
  void get_afterAnotherStoreWrote_returnsTheNewSecret() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore reader = TestStores.open(file);
        FileCredentialStore writer = TestStores.open(file)) {
      put(writer, "first-secret");
      assertEquals("first-secret", secretOf(reader));
      assertEquals("first-secret", secretOf(reader)); // from the snapshot
      put(writer, "second-secret");
      assertEquals("second-secret", secretOf(reader));
      assertTrue(writer.delete(K6));
      assertTrue(reader.get(K6).isEmpty());
      assertTrue(reader.list().isEmpty());
    }
  }

  @Test
  void get_afterTheFileWasDamaged_isAnIntegrityFailure_notTheKeptContents() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, "kept-secret");
      assertEquals("kept-secret", secretOf(store));
      byte[] damaged = Files.readAllBytes(file);
      damaged[damaged.length - 1] ^= 1; // the checksum itself: same size, same inode
      Files.write(file, damaged);
      assertThrows(IntegrityException.class, () -> store.get(K6));
    }
  }

  @Test
  void get_afterTheFileWasReplacedByAnOlderCopy_returnsTheOlderSecret() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    Path old = directory.resolve("old.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, "old-secret");
      Files.copy(file, old);
      put(store, "new-secret");
      assertEquals("new-secret", secretOf(store));
      Files.move(old, file, StandardCopyOption.REPLACE_EXISTING);
      assertEquals("old-secret", secretOf(store));
    }
  }

  @Test
  void closingAReturnedCredential_leavesTheStoreReadable() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, "durable-secret");
      store.get(K6).orElseThrow().close(); // zeroes the caller's copy only
      assertEquals("durable-secret", secretOf(store));
    }
  }

  @Test
  void put_keepsWhatItWrote_andTheNextPutChangesThatInsteadOfDecryptingAgain() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      Secret keptA = store.keptSecrets().get(A);
      assertEquals(List.of(A), List.copyOf(store.keptSecrets().keySet()), "kept after the write");
      put(store, B, "b-1");
      Map<CredentialId, Secret> kept = store.keptSecrets();
      assertSame(keptA, kept.get(A), "the unchanged credential was not decoded again");
      assertFalse(keptA.isClosed());
      assertEquals("a-1", secretOf(store, A));
      assertEquals("b-1", secretOf(store, B));
    }
    try (FileCredentialStore fresh = TestStores.open(file)) {
      assertEquals("a-1", secretOf(fresh, A));
      assertEquals("b-1", secretOf(fresh, B));
    }
  }

  @Test
  void put_afterAnotherStoreWrote_keepsThatWrite() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore first = TestStores.open(file);
        FileCredentialStore second = TestStores.open(file)) {
      put(first, A, "a-1");
      Secret stale = first.keptSecrets().get(A);
      put(second, B, "b-1");
      put(first, C, "c-1");
      assertTrue(stale.isClosed(), "the stale snapshot was dropped and zeroed");
      assertEquals(Set.of(A, B, C), first.keptSecrets().keySet());
      assertEquals("b-1", secretOf(first, B));
    }
    try (FileCredentialStore fresh = TestStores.open(file)) {
      assertEquals(Set.of(A, B, C), ids(fresh));
    }
  }

  @Test
  void put_afterTheFileWasReplacedByAnOlderCopy_changesTheOlderCopy() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    Path old = directory.resolve("old.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      Files.copy(file, old);
      put(store, B, "b-1");
      Files.move(old, file, StandardCopyOption.REPLACE_EXISTING);
      put(store, C, "c-1");
      assertEquals(Set.of(A, C), ids(store));
    }
    try (FileCredentialStore fresh = TestStores.open(file)) {
      assertEquals(Set.of(A, C), ids(fresh));
    }
  }

  @Test
  void put_afterTheFileWasDamaged_isAnIntegrityFailure_andLeavesTheFile() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      byte[] damaged = Files.readAllBytes(file);
      damaged[damaged.length - 1] ^= 1;
      Files.write(file, damaged);
      assertThrows(IntegrityException.class, () -> put(store, B, "b-1"));
      assertArrayEquals(damaged, Files.readAllBytes(file));
    }
  }

  @Test
  void put_replacingACredential_zeroesTheReplacedSecret() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      Secret replaced = store.keptSecrets().get(A);
      put(store, A, "a-2");
      assertTrue(replaced.isClosed());
      assertEquals("a-2", secretOf(store, A));
      Secret deleted = store.keptSecrets().get(A);
      assertTrue(store.delete(A));
      assertTrue(deleted.isClosed());
      assertTrue(store.keptSecrets().isEmpty());
    }
  }

  @Test
  void put_reEncodesOnlyWhatChanged_andZeroesTheEncodingItReplaces() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      put(store, B, "b-1");
      byte[] keptA = store.keptEncodings().get(A);
      byte[] keptB = store.keptEncodings().get(B);
      put(store, B, "b-2");
      assertSame(keptA, store.keptEncodings().get(A));
      assertTrue(isZero(keptB), "the replaced credential's JSON (with its secret) is zeroed");
      assertTrue(store.delete(A));
      assertTrue(isZero(keptA));
      assertEquals(Set.of(B), store.keptEncodings().keySet());
      byte[] last = store.keptEncodings().get(B);
      store.close();
      assertTrue(isZero(last));
    }
    try (FileCredentialStore fresh = TestStores.open(file)) {
      assertEquals(Set.of(B), ids(fresh));
      assertEquals("b-2", secretOf(fresh, B));
    }
  }

  @Test
  void aSnapshotReadFromTheFile_keepsEachCredentialsJson_soAPutEncodesOnlyItsOwn() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore writer = TestStores.open(file)) {
      put(writer, A, "a-1");
      put(writer, B, "b-1");
    }
    try (FileCredentialStore store = TestStores.open(file)) {
      assertEquals("a-1", secretOf(store, A));
      Map<CredentialId, byte[]> read = store.keptEncodings();
      assertEquals(Set.of(A, B), read.keySet());
      put(store, C, "c-1");
      assertSame(read.get(A), store.keptEncodings().get(A));
      assertSame(read.get(B), store.keptEncodings().get(B));
    }
    try (FileCredentialStore fresh = TestStores.open(file)) {
      assertEquals(Set.of(A, B, C), ids(fresh));
      assertEquals("a-1", secretOf(fresh, A));
    }
  }

  @Test
  void manyChangesThroughKeptEncodings_readBackExactlyInAFreshStore() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      for (int i = 0; i < 30; i++) {
        put(store, CredentialId.of("s" + (i % 7), "acc\u00e9 " + (i % 3)), "v\"" + i + "\u2603");
        if (i % 5 == 4) {
          store.delete(CredentialId.of("s" + (i % 7), "acc\u00e9 " + ((i + 1) % 3)));
        }
      }
      try (Secret next = Secret.of("rotated");
          Credential current = store.get(CredentialId.of("s1", "acc\u00e9 1")).orElseThrow();
          Credential rotated = current.rotatedTo(next, java.time.Instant.now())) {
        store.replace(current.secret(), rotated);
      }
      Map<CredentialId, String> live = new TreeMap<>();
      for (CredentialId id : ids(store)) {
        live.put(id, secretOf(store, id));
      }
      try (FileCredentialStore fresh = TestStores.open(file)) {
        Map<CredentialId, String> read = new TreeMap<>();
        for (CredentialId id : ids(fresh)) {
          read.put(id, secretOf(fresh, id));
        }
        assertEquals(live, read);
        assertEquals(store.list(), fresh.list());
      }
    }
  }

  @Test
  void failedModification_keepsTheSnapshot() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      Secret kept = store.keptSecrets().get(A);
      try (Secret secret = Secret.of("a-2");
          Credential again = Credential.builder(A).token(secret).build()) {
        assertThrows(CredentialConflictException.class, () -> store.create(again));
      }
      assertFalse(store.delete(B));
      assertSame(kept, store.keptSecrets().get(A));
      assertFalse(kept.isClosed());
    }
  }

  @Test
  void close_zeroesTheKeptSecrets() throws Exception {
    Path file = directory.resolve("credentials.cstore");
    Map<CredentialId, Secret> kept;
    try (FileCredentialStore store = TestStores.open(file)) {
      put(store, A, "a-1");
      put(store, B, "b-1");
      kept = store.keptSecrets();
      assertEquals(2, kept.size());
    }
    kept.values().forEach(secret -> assertTrue(secret.isClosed()));
  }

  private static void put(FileCredentialStore store, String value) throws Exception {
    put(store, K6, value);
  }

  private static void put(FileCredentialStore store, CredentialId id, String value)
      throws Exception {
    try (Secret secret = Secret.of(value);
        Credential credential = Credential.builder(id).token(secret).build()) {
      store.put(credential);
    }
  }

  private static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return bytes.length > 0;
  }

  private static Set<CredentialId> ids(FileCredentialStore store) throws Exception {
    Set<CredentialId> ids = new TreeSet<>();
    store.list().forEach(metadata -> ids.add(metadata.id()));
    return ids;
  }

  private static String secretOf(FileCredentialStore store) throws Exception {
    return secretOf(store, K6);
  }

  private static String secretOf(FileCredentialStore store, CredentialId id) throws Exception {
    try (Credential credential = store.get(id).orElseThrow()) {
      char[] chars = credential.secret().revealChars();
      try {
        return new String(chars);
      } finally {
        Arrays.fill(chars, '\0');
      }
    }
  }
}
