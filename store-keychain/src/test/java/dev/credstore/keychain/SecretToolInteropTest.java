package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Items are plain Secret Service items: the real secret-tool reads ours and we read its. */
class SecretToolInteropTest {

  @TempDir
  static Path data;

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
    } finally {
      store.close();
      run(null, "secret-tool", "clear", "service", service, "account", "default");
    }
  }

  @Test
  void storedByCredstore_isFoundBySecretToolLookup() throws Exception {
    try (Secret token = Secret.of("tok-ü-" + service);
        Credential credential = Credential.builder(CredentialId.of(service)).token(token).build()) {
      store.put(credential);
    }
    String found = run(null, "secret-tool", "lookup", "service", service, "account", "default");
    assertEquals("tok-ü-" + service, found);
  }

  @Test
  void storedBySecretTool_isReturnedByGet_asAToken() throws Exception {
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
          "an item we did not store has no index entry");
    }
    assertTrue(store.delete(CredentialId.of(service)));
    assertEquals("", run(null, "secret-tool", "lookup", "service", service, "account", "default"));
  }

  /** Runs a command, feeding {@code input} (no newline) to stdin, and returns its stdout. */
  private static String run(String input, String... command) throws Exception {
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (input != null) {
      process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return out;
  }
}
