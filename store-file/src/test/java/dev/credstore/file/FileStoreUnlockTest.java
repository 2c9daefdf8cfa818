package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.UnlockStatus;
import dev.credstore.file.unlock.UnlockCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code unlockFor}, {@code lock} and {@code unlockStatus} of the file store, with a real agent. */
class FileStoreUnlockTest {

  private static final CredentialId ID = CredentialId.of("github.com", "alice");

  @TempDir Path temp;
  private Map<String, String> environment;
  private Path file;

  @BeforeEach
  void setUp() throws Exception {
    Path runtime = Files.createDirectory(temp.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    environment = Map.of("XDG_RUNTIME_DIR", runtime.toString());
    file = temp.resolve("data/credentials.cstore");
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.put(Credential.builder(ID).token(Secret.of("ghp_token")).build());
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    try (FileCredentialStore store = store(null)) {
      store.lock();
    }
  }

  @Test
  void unlockFor_thenAnotherInstanceWithoutPassphrase_readsTheStore() throws Exception {
    Instant until;
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      until = store.unlockFor(Duration.ofSeconds(30));
    }
    try (FileCredentialStore store = store(null)) {
      assertTrue(store.get(ID).orElseThrow().secret().sameAs(Secret.of("ghp_token")));
      UnlockStatus status = store.unlockStatus();
      assertEquals(UnlockStatus.State.UNLOCKED, status.state());
      assertEquals(until, status.until());
      // Writes keep the key section, so they neither need the passphrase nor end the unlock.
      store.put(Credential.builder(CredentialId.of("gitlab.com", "alice"))
          .token(Secret.of("glpat")).build());
    }
    try (FileCredentialStore store = store(null)) {
      assertEquals(2, store.list().size());
    }
  }

  @Test
  void unlockedRead_theAgentDecryptsTheFileOfItsOwnStoreOnly() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    Path absolute = file.toAbsolutePath().normalize();
    UnlockCache cache = UnlockCache.forStore(absolute, environment);
    byte[] bytes = Files.readAllBytes(file);
    UnlockCache.Opened opened = cache.open(absolute, bytes);
    assertNotNull(opened);
    assertEquals(32, opened.dataKey().length);
    assertTrue(PayloadCodec.decode(opened.payload(), new TreeMap<>(), new WriteCount[1]).get(ID)
        .secret().sameAs(Secret.of("ghp_token")));
    // The same bytes claimed for another path: its binding is not the one held.
    assertNull(cache.open(temp.resolve("elsewhere.cstore").toAbsolutePath(), bytes));
    // Altered ciphertext (checksum made right again, so only the GCM tag can tell).
    byte[] altered = bytes.clone();
    altered[StoreFileFormat.HEADER_LENGTH + 2] ^= 1;
    int body = altered.length - StoreFileFormat.CHECKSUM_LENGTH;
    System.arraycopy(StoreFileFormat.sha256(altered, body), 0, altered, body,
        StoreFileFormat.CHECKSUM_LENGTH);
    assertNull(cache.open(absolute, altered));
    // A damaged checksum, as the format checks it.
    byte[] damaged = bytes.clone();
    damaged[damaged.length - 1] ^= 1;
    assertNull(cache.open(absolute, damaged));
  }

  @Test
  void unlockedRead_damagedFile_isReportedAsDamagedAsWithThePassphrase() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);
    try (FileCredentialStore store = store(null)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> store.get(ID));
      assertTrue(e.getMessage().contains("is damaged: checksum mismatch"), e.getMessage());
    }
  }

  @Test
  void lock_thenWithoutPassphrase_isAuthenticationFailure() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    try (FileCredentialStore store = store(null)) {
      assertTrue(store.lock());
      assertEquals(UnlockStatus.State.LOCKED, store.unlockStatus().state());
    }
    try (FileCredentialStore store = store(null)) {
      assertThrows(AuthenticationException.class, () -> store.get(ID));
    }
  }

  @Test
  void changePassphrase_endsTheUnlockAndNeedsTheCurrentPassphrase() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    try (FileCredentialStore unlockedOnly = store(null)) {
      assertThrows(AuthenticationException.class,
          () -> unlockedOnly.changePassphrase(Secret.of("a new passphrase")),
          "a held key does not stand in for the current passphrase");
    }
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.changePassphrase(Secret.of("a new passphrase"));
    }
    try (FileCredentialStore store = store(null)) {
      assertThrows(AuthenticationException.class, () -> store.get(ID));
    }
  }

  @Test
  void keySectionChangedByAnotherWriter_heldKeyNoLongerOpensIt() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    // As if another process ran passwd: a store without an unlock cache, so nothing is told.
    try (FileCredentialStore other = TestStores.open(file)) {
      other.changePassphrase(Secret.of("a new passphrase"));
    }
    try (FileCredentialStore store = store(null)) {
      assertEquals(UnlockStatus.State.LOCKED, store.unlockStatus().state());
      assertThrows(AuthenticationException.class, () -> store.get(ID));
    }
  }

  @Test
  void rotateDataKey_endsTheUnlock() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
      store.rotateDataKey();
    }
    try (FileCredentialStore store = store(null)) {
      assertThrows(AuthenticationException.class, () -> store.get(ID));
    }
  }

  @Test
  void copyOfTheStoreElsewhere_isNotUnlocked() throws Exception {
    try (FileCredentialStore store = store(TestStores.PASSPHRASE)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    Path copy = Files.createDirectory(temp.resolve("elsewhere"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
        .resolve("credentials.cstore");
    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
    try (FileCredentialStore store = new FileCredentialStore(copy, PassphraseSource.none(),
        TestStores.CHEAP_KDF, Duration.ofSeconds(30), environment)) {
      assertEquals(UnlockStatus.State.LOCKED, store.unlockStatus().state());
      assertThrows(AuthenticationException.class, () -> store.get(ID));
    }
  }

  @Test
  void unlockFor_wrongPassphrase_holdsNothing() throws Exception {
    try (FileCredentialStore store = store("not the passphrase")) {
      assertThrows(AuthenticationException.class, () -> store.unlockFor(Duration.ofSeconds(30)));
      assertEquals(UnlockStatus.State.LOCKED, store.unlockStatus().state());
      assertFalse(store.lock());
    }
  }

  @Test
  void unlockFor_noStoreYet_isNotFound() throws IOException {
    try (FileCredentialStore store = new FileCredentialStore(temp.resolve("none.cstore"),
        TestStores.passphrase(TestStores.PASSPHRASE), TestStores.CHEAP_KDF,
        Duration.ofSeconds(30), environment)) {
      assertThrows(CredentialNotFoundException.class,
          () -> store.unlockFor(Duration.ofSeconds(30)));
    }
  }

  @Test
  void unlockFor_cacheTurnedOff_isUnavailableAndSaysWhy() {
    try (FileCredentialStore store = new FileCredentialStore(file,
        TestStores.passphrase(TestStores.PASSPHRASE), TestStores.CHEAP_KDF,
        Duration.ofSeconds(30), Map.of("XDG_RUNTIME_DIR", environment.get("XDG_RUNTIME_DIR"),
            UnlockCache.SWITCH_VARIABLE, "off"))) {
      BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
          () -> store.unlockFor(Duration.ofSeconds(30)));
      assertTrue(e.getMessage().contains("turned off"), e.getMessage());
      assertEquals(UnlockStatus.State.UNAVAILABLE, store.unlockStatus().state());
    }
  }

  private FileCredentialStore store(String passphrase) {
    return new FileCredentialStore(file,
        passphrase == null ? PassphraseSource.none() : TestStores.passphrase(passphrase),
        TestStores.CHEAP_KDF, Duration.ofSeconds(30), environment);
  }
}
