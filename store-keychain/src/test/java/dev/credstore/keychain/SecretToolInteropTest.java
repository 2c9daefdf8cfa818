package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Items are plain Secret Service items: the real secret-tool and Python keyring read ours, and we
 * read theirs without ever deleting them.
 */
class SecretToolInteropTest {

  @TempDir
  static Path data;

  // Python keyring (Debian's python3-keyring, SecretService backend): set reads stdin.
  private static final String PYTHON = "/usr/bin/python3";
  private static final String KEYRING_SCRIPT = "import keyring, sys\n"
      + "if sys.argv[1] == 'set':\n"
      + "    keyring.set_password(sys.argv[2], sys.argv[3], sys.stdin.read())\n"
      + "else:\n"
      + "    sys.stdout.write(keyring.get_password(sys.argv[2], sys.argv[3]) or '')\n";

  private final String service = "credstore-interop-" + UUID.randomUUID().toString().substring(0, 8);
  private CredentialStore store;

  @BeforeAll
  static void requireSecretService() {
    SecretServiceTesting.assumeSecretService(data);
  }

  @BeforeEach
  void open() throws Exception {
    store = new KeychainStoreProvider().open(SecretServiceTesting.options(data));
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      store.delete(CredentialId.of(service, "default"));
    } catch (CredentialConflictException anotherToolsItem) {
      // secret-tool's own is cleared below.
    } finally {
      store.close();
      run(null, "secret-tool", "clear", "service", service, "account", "default");
      run(null, "secret-tool", "clear", "service", service, "username", "default");
    }
  }

  @Test
  void storedByCredstore_isFoundBySecretToolLookup() throws Exception {
    try (Secret token = Secret.of("tok-ü-" + service);
        Credential credential = Credential.builder(CredentialId.of(service)).token(token).build()) {
      store.put(credential);
    }
    String found = run(null, "secret-tool", "lookup", "service", service, "username", "default");
    assertEquals("tok-ü-" + service, found);
    assertEquals("tok-ü-" + service, run(null, PYTHON, "-c", KEYRING_SCRIPT, "get", service, "default"));
  }

  @Test
  void storedBySecretTool_isReturnedByGet_asAToken_butNeverDeleted() throws Exception {
    Instant before = Instant.now().minusSeconds(2);
    run("from-secret-tool", "secret-tool", "store", "--label=interop test", "service", service,
        "account", "default");
    try (Credential read = store.get(CredentialId.of(service)).orElseThrow()) {
      char[] chars = read.secret().revealChars();
      try {
        assertEquals("from-secret-tool", new String(chars));
      } finally {
        Arrays.fill(chars, '\0');
      }
      assertEquals(CredentialKind.TOKEN, read.kind());
      Instant created = read.metadata().createdAt();
      assertTrue(!created.isBefore(before) && !created.isAfter(Instant.now()), created.toString());
      assertTrue(store.list().stream().noneMatch(m -> m.id().service().equals(service)),
          "an item credstore did not store is not in its list");
    }
    assertThrows(CredentialConflictException.class, () -> store.delete(CredentialId.of(service)));
    assertEquals("from-secret-tool",
        run(null, "secret-tool", "lookup", "service", service, "account", "default"));
  }

  @Test
  void storedByPythonKeyring_isReturnedByGet_andCredstoresTokenByKeyringGet() throws Exception {
    run("from-python", PYTHON, "-c", KEYRING_SCRIPT, "set", service, "default");
    try (Credential read = store.get(CredentialId.of(service)).orElseThrow()) {
      char[] chars = read.secret().revealChars();
      try {
        assertEquals("from-python", new String(chars));
      } finally {
        Arrays.fill(chars, '\0');
      }
    }
    try (Secret token = Secret.of("credstore-token-" + service);
        Credential credential = Credential.builder(CredentialId.of(service)).token(token).build()) {
      store.create(credential); // over another tool's item: credstore's own is created
    }
    // keyring returns the first match; both are there, so ask for credstore's by checking both.
    String items = run(null, "secret-tool", "search", "--all", "service", service,
        "username", "default");
    assertTrue(items.contains("secret = from-python"), items);
    assertTrue(items.contains("secret = credstore-token-" + service), items);
    assertTrue(store.delete(CredentialId.of(service)));
    assertEquals("from-python", run(null, PYTHON, "-c", KEYRING_SCRIPT, "get", service,
        "default"));
  }

  private static String run(String input, String... command) throws Exception {
    return SecretServiceTesting.run(input, command);
  }
}
