package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An open store keeps its decrypted contents for reads only while the file is unchanged. */
class FileStoreSnapshotTest {

  private static final CredentialId K6 = CredentialId.of("k6");

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

  private static void put(FileCredentialStore store, String value) throws Exception {
    try (Secret secret = Secret.of(value);
        Credential credential = Credential.builder(K6).token(secret).build()) {
      store.put(credential);
    }
  }

  private static String secretOf(FileCredentialStore store) throws Exception {
    try (Credential credential = store.get(K6).orElseThrow()) {
      char[] chars = credential.secret().revealChars();
      try {
        return new String(chars);
      } finally {
        Arrays.fill(chars, '\0');
      }
    }
  }
}
