package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.testing.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreSecurityTest {

  private static final String TOKEN = "tok_SECRET_7f3a9c_marker";

  @TempDir Path directory;
  private Path file;

  @BeforeEach
  void createStore() throws Exception {
    file = directory.resolve("data/credentials.cstore");
    try (FileCredentialStore store = TestStores.open(file); Secret token = Secret.of(TOKEN);
        Credential credential = Credential.builder(CredentialId.of("k6")).token(token)
            .attribute("stackId", "42").build()) {
      store.put(credential);
    }
  }

  @Test
  void create_makesA0600FileInA0700Directory_withNoLeftoverTempFiles() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of("credentials.cstore", "credentials.cstore.lock"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void secret_neverAppearsInTheFileBytes() throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    assertFalse(Bytes.contains(bytes, TOKEN.getBytes(StandardCharsets.UTF_8)));
    assertFalse(Bytes.contains(bytes, "stackId".getBytes(StandardCharsets.UTF_8)),
        "metadata is encrypted too");
  }

  @Test
  void wrongPassphrase_isAnAuthenticationFailure_andLeavesTheFileUntouched() throws Exception {
    byte[] before = Files.readAllBytes(file);
    try (FileCredentialStore store = TestStores.open(file, "not the passphrase")) {
      AuthenticationException e = assertThrows(AuthenticationException.class,
          () -> store.get(CredentialId.of("k6")));
      assertTrue(e.getMessage().startsWith("wrong passphrase"), e.getMessage());
      try (Secret other = Secret.of("other");
          Credential credential = Credential.builder(CredentialId.of("x")).token(other).build()) {
        assertThrows(AuthenticationException.class, () -> store.put(credential));
      }
    }
    assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void missingPassphrase_namesTheWaysToGiveOne() {
    try (FileCredentialStore store = new FileCredentialStore(file, PassphraseSource.none(),
        TestStores.CHEAP_KDF, Duration.ofSeconds(5))) {
      AuthenticationException e =
          assertThrows(AuthenticationException.class, () -> store.list());
      assertTrue(e.getMessage().contains("CREDSTORE_PASSPHRASE"), e.getMessage());
      assertTrue(e.getMessage().contains("--passphrase-file"), e.getMessage());
    }
  }

  @Test
  void shortPassphrase_isRefusedWhenCreating() throws Exception {
    try (FileCredentialStore store = TestStores.open(directory.resolve("new.cstore"), "short");
        Secret token = Secret.of("t");
        Credential credential = Credential.builder(CredentialId.of("k6")).token(token).build()) {
      assertThrows(IllegalArgumentException.class, () -> store.put(credential));
    }
    assertFalse(Files.exists(directory.resolve("new.cstore")));
  }

  @Test
  void readsOfANonexistentStore_areEmpty_andCreateNothing() throws Exception {
    Path absent = directory.resolve("absent/none.cstore");
    try (FileCredentialStore store = new FileCredentialStore(absent, PassphraseSource.none(),
        TestStores.CHEAP_KDF, Duration.ofSeconds(5))) {
      assertTrue(store.get(CredentialId.of("k6")).isEmpty());
      assertTrue(store.list().isEmpty());
      assertFalse(store.delete(CredentialId.of("k6")));
    }
    assertFalse(Files.exists(absent.getParent()));
  }

  @Test
  void groupReadableStore_isRefused_withTheFix() throws Exception {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    try (FileCredentialStore store = TestStores.open(file)) {
      StorageException e = assertThrows(StorageException.class, () -> store.list());
      assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }
  }

  @Test
  void worldWritableDirectory_isRefused() throws Exception {
    Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    try (FileCredentialStore store = TestStores.open(file)) {
      StorageException e = assertThrows(StorageException.class, () -> store.list());
      assertTrue(e.getMessage().contains("writable by other users"), e.getMessage());
    }
  }

  @Test
  void symlinkedStore_isRefused_andItsTargetNeverWritten() throws Exception {
    Path target = directory.resolve("elsewhere.cstore");
    Files.copy(file, target);
    Path link = file.resolveSibling("link.cstore");
    Files.createSymbolicLink(link, target);
    byte[] before = Files.readAllBytes(target);
    try (FileCredentialStore store = TestStores.open(link); Secret s = Secret.of("x");
        Credential c = Credential.builder(CredentialId.of("x")).token(s).build()) {
      StorageException e = assertThrows(StorageException.class, () -> store.list());
      assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
      assertThrows(StorageException.class, () -> store.put(c));
    }
    assertArrayEquals(before, Files.readAllBytes(target));
  }

  @Test
  void everySingleBitFlip_isAnIntegrityFailure() throws Exception {
    byte[] original = Files.readAllBytes(file);
    List<String> failures = new ArrayList<>();
    try (FileCredentialStore store = TestStores.open(file)) {
      for (int bit = 0; bit < original.length * 8; bit++) {
        byte[] flipped = original.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        Files.write(file, flipped);
        Class<?> outcome = outcome(store);
        if (outcome != IntegrityException.class) {
          failures.add("bit " + bit + ": " + outcome.getSimpleName());
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  /**
   * With the unkeyed checksum recomputed (as a deliberate attacker would), each flipped byte must
   * still be caught by the authenticated encryption: header changes fail as integrity or
   * authentication errors, payload changes as integrity errors, and nothing is ever accepted.
   */
  @Test
  void flipsWithARecomputedChecksum_areStillRejectedByTheAead() throws Exception {
    byte[] original = Files.readAllBytes(file);
    List<String> failures = new ArrayList<>();
    try (FileCredentialStore store = TestStores.open(file)) {
      store.list(); // cache the key, so only KDF-section flips need a new derivation
      int body = original.length - StoreFileFormat.CHECKSUM_LENGTH;
      for (int i = StoreFileFormat.MAGIC.length; i < body; i++) {
        byte[] tampered = original.clone();
        tampered[i] ^= 0x01;
        System.arraycopy(StoreFileFormat.sha256(tampered, body), 0, tampered, body,
            StoreFileFormat.CHECKSUM_LENGTH);
        Files.write(file, tampered);
        Class<?> outcome = outcome(store);
        boolean payload = i >= StoreFileFormat.HEADER_LENGTH;
        boolean ok = payload ? outcome == IntegrityException.class
            : outcome == IntegrityException.class || outcome == AuthenticationException.class;
        if (!ok) {
          failures.add("byte " + i + ": " + outcome.getSimpleName());
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void everyTruncation_isAnIntegrityFailure_andWritesNeverOverwriteIt() throws Exception {
    byte[] original = Files.readAllBytes(file);
    List<String> failures = new ArrayList<>();
    try (FileCredentialStore store = TestStores.open(file)) {
      for (int length = 0; length < original.length; length++) {
        byte[] truncated = Arrays.copyOf(original, length);
        Files.write(file, truncated);
        Class<?> outcome = outcome(store);
        if (outcome != IntegrityException.class) {
          failures.add("length " + length + ": " + outcome.getSimpleName());
        }
      }
      byte[] truncated = Arrays.copyOf(original, original.length / 2);
      Files.write(file, truncated);
      try (Secret s = Secret.of("x");
          Credential c = Credential.builder(CredentialId.of("x")).token(s).build()) {
        assertThrows(IntegrityException.class, () -> store.put(c));
      }
      assertArrayEquals(truncated, Files.readAllBytes(file));
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void foreignFile_isRecognised() throws Exception {
    Files.writeString(file, "{\"collectors\":{\"cloud\":{\"token\":\"x\"}}}\n");
    try (FileCredentialStore store = TestStores.open(file)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> store.list());
      assertTrue(e.getMessage().contains("not a credstore store file"), e.getMessage());
    }
  }

  @Test
  void forgedKdfCost_isRefusedBeforeAnyDerivation() throws Exception {
    byte[] forged = Files.readAllBytes(file);
    ByteBuffer.wrap(forged).putInt(11, 64 * 1024 * 1024); // 64 GiB of Argon2 memory
    int body = forged.length - StoreFileFormat.CHECKSUM_LENGTH;
    System.arraycopy(StoreFileFormat.sha256(forged, body), 0, forged, body, 32);
    Files.write(file, forged);
    try (FileCredentialStore store = TestStores.open(file)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> store.list());
      assertTrue(e.getMessage().contains("outside the accepted bounds"), e.getMessage());
    }
  }

  @Test
  void errorMessagesAndToString_neverContainTheSecret() throws Exception {
    List<String> texts = new ArrayList<>();
    try (FileCredentialStore store = TestStores.open(file);
        Credential read = store.get(CredentialId.of("k6")).orElseThrow()) {
      texts.add(read.toString());
      texts.add(read.metadata().toString());
      texts.add(read.secret().toString());
      texts.add(store.describe().toString());
    }
    try (FileCredentialStore wrong = TestStores.open(file, "wrong passphrase!")) {
      texts.add(assertThrows(CredentialStoreException.class, wrong::list).getMessage());
    }
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 200));
    try (FileCredentialStore store = TestStores.open(file)) {
      texts.add(assertThrows(CredentialStoreException.class, store::list).getMessage());
    }
    for (String text : texts) {
      assertFalse(text.contains("SECRET_7f3a9c"), text);
    }
  }

  @Test
  void changePassphrase_oldStopsWorking_newWorks_contentsKept() throws Exception {
    try (FileCredentialStore store = TestStores.open(file);
        Secret next = Secret.of("a brand new passphrase")) {
      store.changePassphrase(next);
    }
    try (FileCredentialStore old = TestStores.open(file)) {
      assertThrows(AuthenticationException.class, old::list);
    }
    try (FileCredentialStore renewed = TestStores.open(file, "a brand new passphrase");
        Credential read = renewed.get(CredentialId.of("k6")).orElseThrow()) {
      assertArrayEquals(TOKEN.toCharArray(), read.secret().revealChars());
    }
  }

  @Test
  void rotateDataKey_changesTheWrappedKey_andKeepsContents() throws Exception {
    byte[] before = Files.readAllBytes(file);
    try (FileCredentialStore store = TestStores.open(file)) {
      store.rotateDataKey();
    }
    byte[] after = Files.readAllBytes(file);
    assertArrayEquals(Arrays.copyOfRange(before, 0, 38), Arrays.copyOfRange(after, 0, 38),
        "same KDF section: the passphrase still works without a new derivation");
    assertFalse(Arrays.equals(Arrays.copyOfRange(before, 50, 98), Arrays.copyOfRange(after, 50, 98)));
    try (FileCredentialStore store = TestStores.open(file);
        Credential read = store.get(CredentialId.of("k6")).orElseThrow()) {
      assertArrayEquals(TOKEN.toCharArray(), read.secret().revealChars());
    }
  }

  @Test
  void everyWrite_usesAFreshPayloadNonce() throws Exception {
    byte[] first = Files.readAllBytes(file);
    try (FileCredentialStore store = TestStores.open(file)) {
      store.delete(CredentialId.of("absent")); // no change, no write
      assertArrayEquals(first, Files.readAllBytes(file));
      try (Credential same = store.get(CredentialId.of("k6")).orElseThrow()) {
        store.put(same);
      }
    }
    byte[] second = Files.readAllBytes(file);
    assertFalse(Arrays.equals(Arrays.copyOfRange(first, 98, 110),
        Arrays.copyOfRange(second, 98, 110)));
  }

  private static Class<?> outcome(FileCredentialStore store) {
    try {
      store.list();
      return Void.class; // accepted: always a failure here
    } catch (Exception e) {
      return e.getClass();
    }
  }
}
