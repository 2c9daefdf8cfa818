package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.github.javakeyring.Keyring;
import com.github.javakeyring.PasswordAccessException;
import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.keychain.dbus.SecretService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.InOrder;

/**
 * The macOS and Windows paths, which cannot run here: java-keyring's Keyring and our
 * {@link KeyringAccess} are mocked. The real Secret Service is covered by the other tests.
 */
class KeychainStoreMockTest {

  private static final CredentialId ID = CredentialId.of("k6");

  @TempDir
  Path data;

  private final KeyringAccess access = mock(KeyringAccess.class);

  private CredentialStore store(Platform platform, Duration timeout) throws Exception {
    when(access.state()).thenReturn(SecretService.State.READY);
    return new KeychainStore(platform, access, new KeychainIndex(data, timeout),
        new BoundedCalls(timeout), Clock.systemUTC());
  }

  /** Makes the mock behave like a keychain holding items in a map. */
  private Map<String, String> inMemory() throws Exception {
    Map<String, String> items = new HashMap<>();
    doAnswer(i -> items.get(i.getArgument(0) + "|" + i.getArgument(1)))
        .when(access).read(anyString(), anyString());
    doAnswer(i -> items.put(i.getArgument(0) + "|" + i.getArgument(1), i.getArgument(2)))
        .when(access).write(anyString(), anyString(), anyString());
    doAnswer(i -> items.remove(i.getArgument(0) + "|" + i.getArgument(1)) != null)
        .when(access).remove(anyString(), anyString());
    return items;
  }

  private static Credential token(String value) {
    try (Secret secret = Secret.of(value)) {
      return Credential.builder(ID).token(secret).build();
    }
  }

  @Test
  void windows_refusesSecretsOver2560Bytes_withoutWritingOrQuotingThem() throws Exception {
    inMemory();
    String big = "s".repeat(1281); // 2562 bytes as UTF-16LE
    try (CredentialStore store = store(Platform.WINDOWS, Duration.ofSeconds(5));
        Credential credential = token(big)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.put(credential));
      assertTrue(e.getMessage().contains("2560"), e.getMessage());
      assertTrue(e.getMessage().contains("2562"), e.getMessage());
      assertFalse(e.getMessage().contains("sss"), "message must not contain the secret");
      verify(access, never()).write(anyString(), anyString(), anyString());
    }
  }

  @Test
  void windows_acceptsExactly2560Bytes_andCountsUtf16NotChars() throws Exception {
    inMemory();
    try (CredentialStore store = store(Platform.WINDOWS, Duration.ofSeconds(5));
        Credential fits = token("s".repeat(1280));
        Credential emoji = token("🔑".repeat(641))) { // 641 * 4 bytes
      store.put(fits);
      assertTrue(store.get(ID).isPresent());
      assertThrows(IllegalArgumentException.class, () -> store.put(emoji));
    }
  }

  @Test
  void windows_checksThePreviousSecretToo() throws Exception {
    inMemory();
    try (CredentialStore store = store(Platform.WINDOWS, Duration.ofSeconds(5));
        Credential old = token("p".repeat(1300));
        Secret next = Secret.of("short")) {
      Credential rotated = old.rotatedTo(next, java.time.Instant.now());
      assertThrows(IllegalArgumentException.class, () -> store.put(rotated));
      rotated.close();
    }
  }

  @Test
  void macos_hasNoSizeLimit_andStoresTheRawSecretUnderServiceAndAccount() throws Exception {
    Map<String, String> items = inMemory();
    try (CredentialStore store = store(Platform.MACOS, Duration.ofSeconds(5));
        Credential credential = token("m".repeat(10_000))) {
      store.put(credential);
      assertEquals("m".repeat(10_000), items.get("k6|default"));
      assertEquals("macOS login keychain", store.describe().location().split(";")[0]);
    }
  }

  @Test
  void macos_interactionNotAllowed_isAuthentication_withCause() throws Exception {
    PasswordAccessException cause = new PasswordAccessException("Failed to get credential. -25308");
    when(access.read("k6", "default")).thenThrow(cause);
    try (CredentialStore store = store(Platform.MACOS, Duration.ofSeconds(5))) {
      AuthenticationException e = assertThrows(AuthenticationException.class, () -> store.get(ID));
      assertSame(cause, e.getCause());
    }
  }

  @Test
  void uncheckedFailure_isStorageException_withCause() throws Exception {
    NullPointerException cause = new NullPointerException("response is null");
    when(access.read("k6", "default")).thenThrow(cause);
    try (CredentialStore store = store(Platform.WINDOWS, Duration.ofSeconds(5))) {
      StorageException e = assertThrows(StorageException.class, () -> store.get(ID));
      assertSame(cause, e.getCause());
    }
  }

  @Test
  void writeThatDoesNotStick_failsLoudly() throws Exception {
    when(access.read("k6", "default")).thenReturn(null, "something-else");
    try (CredentialStore store = store(Platform.MACOS, Duration.ofSeconds(5));
        Credential credential = token("wanted")) {
      StorageException e = assertThrows(StorageException.class, () -> store.put(credential));
      assertTrue(e.getMessage().contains("did not keep"), e.getMessage());
      assertFalse(e.getMessage().contains("wanted"));
      assertTrue(store.list().isEmpty(), "the index is not updated after a failed write");
    }
  }

  @Test
  void aCallThatHangs_isCutOffAtTheTimeout() throws Exception {
    when(access.read("k6", "default")).thenAnswer(i -> {
      Thread.sleep(60_000);
      return null;
    });
    try (CredentialStore store = store(Platform.MACOS, Duration.ofMillis(300))) {
      long start = System.nanoTime();
      assertThrows(BackendUnavailableException.class, () -> store.get(ID));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 5_000, "took " + ms + " ms");
    }
  }

  @Test
  void javaKeyring_notFoundMessages_becomeAbsent_onEveryPlatform() throws Exception {
    Keyring keyring = mock(Keyring.class);
    JavaKeyringAccess wrapped = new JavaKeyringAccess(keyring);
    for (String message : new String[] {"No stored credentials match k6 account: default",
        "Password not Found", "Error code 1168", "Failed to get credential. -25300"}) {
      doThrow(new PasswordAccessException(message)).when(keyring).getPassword("k6", "default");
      assertNull(wrapped.read("k6", "default"), message);
    }
    for (String message : new String[] {"Error code 1168", "No password to delete. -25300"}) {
      doThrow(new PasswordAccessException(message)).when(keyring).deletePassword("k6", "default");
      assertFalse(wrapped.remove("k6", "default"), message);
    }
  }

  @Test
  void javaKeyring_duplicatesAndOtherFailures_areKeptApart() throws Exception {
    Keyring keyring = mock(Keyring.class);
    JavaKeyringAccess wrapped = new JavaKeyringAccess(keyring);
    when(keyring.getPassword("a", "b"))
        .thenThrow(new PasswordAccessException("Too many stored credentials match a account: b"));
    assertThrows(KeyringAccess.DuplicateItemsException.class, () -> wrapped.read("a", "b"));
    PasswordAccessException denied = new PasswordAccessException("Error code 5");
    doThrow(denied).when(keyring).setPassword("a", "b", "v");
    assertSame(denied, assertThrows(PasswordAccessException.class,
        () -> wrapped.write("a", "b", "v")));
    assertEquals(JavaKeyringAccess.Outcome.LOCKED, JavaKeyringAccess.classify(
        new PasswordAccessException("Failed to get credential. -25293")));
    assertEquals(JavaKeyringAccess.Outcome.LOCKED, JavaKeyringAccess.classify(
        new PasswordAccessException("Failed to set credential. -128")));
    assertEquals(JavaKeyringAccess.Outcome.OTHER, JavaKeyringAccess.classify(
        new PasswordAccessException("Error code -1280")));
    // Without a Secret Service connection there are no duplicates to hunt: removeAll is remove.
    assertEquals(1, wrapped.removeAll("a", "b"));
    verify(keyring).deletePassword("a", "b");
    assertEquals(SecretService.State.READY, wrapped.state());
  }

  @Test
  void provider_probesWithoutTouchingTheKeychain_onEveryPlatform() {
    var options = SecretServiceTesting.options(data).toBuilder().environment(Map.of()).build();
    assertTrue(new KeychainStoreProvider("Windows 11").probe(options).usable());
    assertFalse(new KeychainStoreProvider("FreeBSD").probe(options).usable());
    var linux = new KeychainStoreProvider("Linux").probe(options);
    assertFalse(linux.usable());
    assertInstanceOf(String.class, linux.reason());
    assertEquals("keychain", new KeychainStoreProvider().id());
    assertEquals(100, new KeychainStoreProvider().priority());
  }
}
