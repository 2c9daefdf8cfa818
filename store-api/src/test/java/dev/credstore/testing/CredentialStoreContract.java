package dev.credstore.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CredentialStore} must have. A backend's test extends this class and
 * implements {@link #openStore()}; each test works in its own service-name namespace, so backends
 * whose storage outlives a test (a real keychain) stay isolated.
 */
public abstract class CredentialStoreContract {

  private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05.678Z");
  private static final Instant UPDATED = Instant.parse("2025-06-07T08:09:10.111Z");

  private String namespace;
  private CredentialStore store;

  /**
   * Opens a handle on this test's storage. Called once before each test and again by tests that
   * check persistence; every call must see the same data.
   */
  protected abstract CredentialStore openStore() throws Exception;

  @BeforeEach
  void openContractStore() throws Exception {
    namespace = "t" + UUID.randomUUID().toString().substring(0, 8);
    store = openStore();
  }

  @AfterEach
  void cleanUpContractStore() throws Exception {
    try {
      for (CredentialMetadata metadata : mine(store.list())) {
        store.delete(metadata.id());
      }
    } finally {
      store.close();
    }
  }

  /** The store opened for the current test. */
  protected CredentialStore store() {
    return store;
  }

  /** A service name unique to the current test. */
  protected String service(String name) {
    return namespace + "-" + name;
  }

  protected static Secret secret(String value) {
    return Secret.of(value);
  }

  protected Credential token(String service, String account, String value) {
    try (Secret secret = secret(value)) {
      return Credential.builder(CredentialId.of(service(service), account)).token(secret)
          .createdAt(CREATED).updatedAt(UPDATED).build();
    }
  }

  @Test
  void get_absent_isEmpty() throws Exception {
    assertTrue(store.get(CredentialId.of(service("absent"))).isEmpty());
  }

  @Test
  void token_roundTripsWithMetadata() throws Exception {
    try (Secret value = secret("k6-token-0123456789abcdef");
        Credential credential = Credential.builder(CredentialId.of(service("k6"))).token(value)
            .attribute("stackId", "12345").attribute("stackUrl", "https://example.grafana.net")
            .attribute("projectId", "777").createdAt(CREATED).updatedAt(UPDATED).build()) {
      store.put(credential);
      try (Credential read = store.get(credential.id()).orElseThrow()) {
        assertEquals(credential.metadata(), read.metadata());
        assertEquals(CredentialKind.TOKEN, read.kind());
        assertSecret("k6-token-0123456789abcdef", read.secret());
        assertTrue(read.previousSecret().isEmpty());
      }
    }
  }

  @Test
  void apiKey_roundTripsKeyNameAndSecret() throws Exception {
    try (Secret value = secret("s3cr3t/+=");
        Credential credential = Credential.builder(CredentialId.of(service("appcircle"), "ci"))
            .apiKey("key-name-42", value).attribute("organizationId", "org-9")
            .createdAt(CREATED).build()) {
      store.put(credential);
      try (Credential read = store.get(credential.id()).orElseThrow()) {
        assertEquals(CredentialKind.API_KEY, read.kind());
        assertEquals(Optional.of("key-name-42"), read.metadata().optionalKeyName());
        assertEquals(credential.metadata(), read.metadata());
        assertSecret("s3cr3t/+=", read.secret());
      }
    }
  }

  @Test
  void unicodeAndAwkwardCharacters_roundTrip() throws Exception {
    List<String> values = List.of(
        "päss wörd \"quoted\" 'single' \\back\\slash",
        "emoji 🔑🗝️ and CJK 山田太郎 and RTL שלום",
        "{\"json\":[1,2]} <xml/> ${VAR} $(cmd) `tick` ; | & % = ? #",
        "tab\there and trailing space ",
        "x".repeat(4000));
    List<String> accounts = List.of("José Müller", "user@example.com", "山田", "a/b:c", "default");
    for (int i = 0; i < values.size(); i++) {
      try (Credential credential = token("odd.service_" + i, accounts.get(i), values.get(i))) {
        store.put(credential);
      }
    }
    for (int i = 0; i < values.size(); i++) {
      CredentialId id = CredentialId.of(service("odd.service_" + i), accounts.get(i));
      try (Credential read = store.get(id).orElseThrow()) {
        assertSecret(values.get(i), read.secret());
        assertEquals(id, read.id());
      }
    }
  }

  @Test
  void create_whenAbsent_stores_andWhenPresent_conflicts() throws Exception {
    try (Credential first = token("svc", "default", "first");
        Credential second = token("svc", "default", "second")) {
      store.create(first);
      assertThrows(CredentialConflictException.class, () -> store.create(second));
      try (Credential read = store.get(first.id()).orElseThrow()) {
        assertSecret("first", read.secret());
      }
    }
  }

  @Test
  void put_whenPresent_overwrites() throws Exception {
    try (Credential first = token("svc", "default", "first");
        Credential second = token("svc", "default", "second")) {
      store.put(first);
      store.put(second);
      try (Credential read = store.get(first.id()).orElseThrow()) {
        assertSecret("second", read.secret());
      }
      assertEquals(1, mine(store.list()).size());
    }
  }

  @Test
  void delete_present_returnsTrue_absent_returnsFalse() throws Exception {
    try (Credential credential = token("svc", "default", "value")) {
      store.put(credential);
      assertTrue(store.delete(credential.id()));
      assertTrue(store.get(credential.id()).isEmpty());
      assertFalse(store.delete(credential.id()));
      assertFalse(store.delete(CredentialId.of(service("never-existed"))));
    }
  }

  @Test
  void accounts_andServices_areIsolated() throws Exception {
    try (Credential alice = token("svc", "alice", "alice-secret");
        Credential bob = token("svc", "bob", "bob-secret");
        Credential other = token("other", "alice", "other-secret")) {
      store.put(alice);
      store.put(bob);
      store.put(other);
      assertTrue(store.delete(alice.id()));
      assertTrue(store.get(alice.id()).isEmpty());
      try (Credential readBob = store.get(bob.id()).orElseThrow();
          Credential readOther = store.get(other.id()).orElseThrow()) {
        assertSecret("bob-secret", readBob.secret());
        assertSecret("other-secret", readOther.secret());
      }
    }
  }

  @Test
  void list_returnsSortedMetadata_withoutSecrets() throws Exception {
    try (Credential b = token("b", "default", "secret-b-unique-marker");
        Credential a2 = token("a", "zed", "secret-a2-unique-marker");
        Credential a1 = token("a", "amy", "secret-a1-unique-marker")) {
      store.put(b);
      store.put(a2);
      store.put(a1);
      List<CredentialMetadata> listed = mine(store.list());
      assertEquals(List.of(a1.id(), a2.id(), b.id()),
          listed.stream().map(CredentialMetadata::id).collect(Collectors.toList()));
      assertEquals(a1.metadata(), listed.get(0));
      String rendered = listed.toString();
      assertFalse(rendered.contains("unique-marker"), "list output must not contain a secret");
    }
  }

  @Test
  void replace_whenSecretMatches_replaces_andKeepsPrevious() throws Exception {
    try (Credential original = token("rot", "default", "old-token");
        Secret expected = secret("old-token");
        Secret next = secret("new-token")) {
      store.put(original);
      Instant now = Instant.parse("2025-09-01T00:00:00Z");
      try (Credential rotated = original.rotatedTo(next, now)) {
        store.replace(expected, rotated);
      }
      try (Credential read = store.get(original.id()).orElseThrow()) {
        assertSecret("new-token", read.secret());
        assertSecret("old-token", read.previousSecret().orElseThrow());
        assertEquals(now, read.metadata().rotatedAt());
        assertTrue(read.metadata().hasPreviousSecret());
        assertEquals(original.metadata().createdAt(), read.metadata().createdAt());
      }
    }
  }

  @Test
  void replace_whenSecretChanged_conflicts_andLeavesStoreUnchanged() throws Exception {
    try (Credential original = token("rot", "default", "current");
        Credential replacement = token("rot", "default", "replacement");
        Secret stale = secret("stale")) {
      store.put(original);
      assertThrows(CredentialConflictException.class, () -> store.replace(stale, replacement));
      try (Credential read = store.get(original.id()).orElseThrow()) {
        assertSecret("current", read.secret());
      }
    }
  }

  @Test
  void replace_whenAbsent_isNotFound() throws Exception {
    try (Credential replacement = token("rot", "default", "replacement");
        Secret expected = secret("anything")) {
      assertThrows(CredentialNotFoundException.class, () -> store.replace(expected, replacement));
      assertTrue(store.get(replacement.id()).isEmpty());
    }
  }

  @Test
  void writes_areVisibleToANewHandle() throws Exception {
    try (Credential credential = token("persist", "default", "persisted-value")) {
      store.put(credential);
      try (CredentialStore second = openStore();
          Credential read = second.get(credential.id()).orElseThrow()) {
        assertSecret("persisted-value", read.secret());
        assertEquals(credential.metadata(), read.metadata());
      }
    }
  }

  @Test
  void returnedCredential_isACopy_closingItLeavesTheStoreIntact() throws Exception {
    try (Credential credential = token("copy", "default", "still-here")) {
      store.put(credential);
      store.get(credential.id()).orElseThrow().close();
      try (Credential read = store.get(credential.id()).orElseThrow()) {
        assertSecret("still-here", read.secret());
      }
    }
  }

  @Test
  void describe_namesBackendAndLocation() {
    assertNotNull(store.describe().backend());
    assertNotNull(store.describe().location());
  }

  @Test
  void attributes_roundTripExactly() throws Exception {
    Map<String, String> attributes = Map.of(
        "stackId", "1", "stackUrl", "https://x.example/a?b=c&d=é", "organizationId", "org",
        "projectId", "p-1", "note", "spaces and 'quotes'");
    try (Secret value = secret("v");
        Credential credential = Credential.builder(CredentialId.of(service("attrs")))
            .token(value).attributes(attributes).createdAt(CREATED).build()) {
      store.put(credential);
      try (Credential read = store.get(credential.id()).orElseThrow()) {
        assertEquals(attributes, read.metadata().attributes());
      }
    }
  }

  /** Asserts {@code actual} holds {@code expected}, comparing the chars. */
  protected static void assertSecret(String expected, Secret actual) {
    char[] chars = actual.revealChars();
    try {
      assertArrayEquals(expected.toCharArray(), chars, "secret differs");
    } finally {
      java.util.Arrays.fill(chars, '\0');
    }
  }

  private List<CredentialMetadata> mine(List<CredentialMetadata> all) {
    return all.stream().filter(m -> m.id().service().startsWith(namespace + "-"))
        .collect(Collectors.toList());
  }
}
