package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import dev.credstore.keychain.dbus.SecretService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keychain alone is the truth, on the real gnome-keyring: list, status and logout --all need
 * no index, another tool's items survive everything credstore does byte for byte, and credstore
 * 0.1's items and index are upgraded in place.
 */
class SecretServiceLayoutTest {

  @TempDir
  Path data;

  private final String service = "credstore-layout-" + UUID.randomUUID().toString().substring(0, 8);
  private CredentialStore store;

  @BeforeEach
  void open() throws Exception {
    SecretServiceTesting.assumeSecretService(data);
    store = new KeychainStoreProvider().open(SecretServiceTesting.options(data));
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (store != null) {
      store.close();
    }
    for (String attribute : List.of("username", "account", "credstore.service")) {
      for (String s : List.of(service, service + "-2", KeychainStore.PREVIOUS_PREFIX + service)) {
        run(null, "secret-tool", "clear", attribute, s);
        run(null, "secret-tool", "clear", "service", s);
      }
    }
  }

  @Test
  void get_whileAnotherStoreReplacesTheCredential_alwaysReturnsOneOfItsSecrets() throws Exception {
    CredentialId id = CredentialId.of(service, "rotating");
    int writes = 25;
    try (Secret first = Secret.of("secret-0")) {
      store.put(Credential.builder(id).token(first).build());
    }
    try (CredentialStore other = new KeychainStoreProvider()
        .open(SecretServiceTesting.options(data))) {
      java.util.concurrent.atomic.AtomicReference<Exception> writing =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 1; i <= writes; i++) {
            try (Secret next = Secret.of("secret-" + i)) {
              other.put(Credential.builder(id).token(next).build());
            }
          }
        } catch (Exception e) {
          writing.set(e);
        }
      });
      writer.start();
      int reads = 0;
      while (writer.isAlive() || reads == 0) {
        // Never "not found", never "cut short": the credential exists throughout.
        try (Credential read = store.get(id).orElseThrow()) {
          String secret = new String(read.secret().revealUtf8(), StandardCharsets.UTF_8);
          assertTrue(secret.matches("secret-\\d+"), "read " + secret.length() + " chars");
        }
        reads++;
      }
      writer.join();
      assertEquals(null, writing.get());
      try (Credential last = store.get(id).orElseThrow()) {
        assertTrue(last.secret().sameAs(Secret.of("secret-" + writes)));
      }
    }
  }

  @Test
  void list_whileAnotherStoreDeletesItems_skipsTheDeletedInsteadOfFailing() throws Exception {
    int count = 12;
    try (CredentialStore other = new KeychainStoreProvider()
        .open(SecretServiceTesting.options(data))) {
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < count; i++) {
          try (Secret secret = Secret.of("tok-" + i)) {
            store.put(Credential.builder(CredentialId.of(service, "race-" + i)).token(secret)
                .build());
          }
        }
        java.util.concurrent.atomic.AtomicReference<Exception> deleting =
            new java.util.concurrent.atomic.AtomicReference<>();
        Thread deleter = new Thread(() -> {
          try {
            for (int i = 0; i < count; i++) {
              other.delete(CredentialId.of(service, "race-" + i));
            }
          } catch (Exception e) {
            deleting.set(e);
          }
        });
        deleter.start();
        int lists = 0;
        while (deleter.isAlive() || lists == 0) {
          // Every listing is a true picture of some moment: no failure for an item gone meanwhile.
          long mine = store.list().stream().filter(m -> m.id().service().equals(service)).count();
          assertTrue(mine <= count, "listed " + mine);
          lists++;
        }
        deleter.join();
        assertEquals(null, deleting.get());
        assertEquals(0, store.list().stream().filter(m -> m.id().service().equals(service))
            .count());
      }
    }
  }

  @Test
  void list_withNoIndexAtAll_showsEveryCredentialWithItsMetadata() throws Exception {
    Instant created = Instant.parse("2026-01-02T03:04:05.678Z");
    try (Secret one = Secret.of("tok-1");
        Secret key = Secret.of("key-secret");
        Credential token = Credential.builder(CredentialId.of(service)).token(one)
            .attribute("stackID", "42").attribute("stackURL", "https://x.example/")
            .createdAt(created).updatedAt(created).build();
        Credential apiKey = Credential.builder(CredentialId.of(service + "-2", "ci"))
            .apiKey("key-id", key).build()) {
      store.put(token);
      store.put(apiKey);
    }
    try (Stream<Path> files = Files.list(data)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("keychain-index")),
          "no index file");
    }
    store.close();
    store = new KeychainStoreProvider().open(SecretServiceTesting.options(data));
    Map<CredentialId, CredentialMetadata> listed = ours(store.list());
    CredentialMetadata token = listed.get(CredentialId.of(service));
    assertEquals(CredentialKind.TOKEN, token.kind());
    assertEquals(Map.of("stackID", "42", "stackURL", "https://x.example/"), token.attributes());
    assertEquals(created, token.createdAt());
    CredentialMetadata apiKey = listed.get(CredentialId.of(service + "-2", "ci"));
    assertEquals(CredentialKind.API_KEY, apiKey.kind());
    assertEquals("key-id", apiKey.keyName());
    assertEquals(2, listed.size(), listed.toString());
  }

  @Test
  void logoutAll_leavesNoCredstoreItem_andSecretToolClear_disappearsFromList() throws Exception {
    put(CredentialId.of(service), "tok-1");
    put(CredentialId.of(service + "-2"), "tok-2");
    rotate(CredentialId.of(service + "-2"), "tok-2", "tok-3"); // leaves a previous-secret item
    run(null, "secret-tool", "clear", "service", service, "username", "default");
    assertEquals(List.of(CredentialId.of(service + "-2")), List.copyOf(ours(store.list()).keySet()));
    for (CredentialMetadata metadata : ours(store.list()).values()) {
      assertTrue(store.delete(metadata.id()));
    }
    assertEquals("", run(null, "secret-tool", "search", "--all", "application", "credstore",
        "service", service + "-2"));
    assertEquals("", run(null, "secret-tool", "search", "--all", "application", "credstore",
        "credstore.service", service + "-2"));
    assertTrue(ours(store.list()).isEmpty());
  }

  @Test
  void anotherApplicationsItems_surviveLoginRotateLogoutAndLogoutAll_byteForByte()
      throws Exception {
    CredentialId id = CredentialId.of(service);
    run("theirs-default", "secret-tool", "store", "--label=other tool", "service", service,
        "username", "default", "application", "other-tool");
    run("theirs-session", "secret-tool", "store", "--label=other tool (session)",
        "--collection=/org/freedesktop/secrets/collection/session", "service", service,
        "username", "default");
    String before = foreign();
    assertTrue(before.contains("secret = theirs-default") && before.contains("theirs-session"),
        before);

    try (Secret token = Secret.of("ours-1");
        Credential credential = Credential.builder(id).token(token).build()) {
      store.create(credential); // login
    }
    assertEquals("ours-1", secret(id));
    rotate(id, "ours-1", "ours-2");
    assertEquals("ours-2", secret(id));
    assertEquals(before, foreign(), "after login and rotate");
    assertTrue(store.delete(id)); // logout
    assertEquals(before, foreign(), "after logout");
    put(id, "ours-3");
    for (CredentialMetadata metadata : ours(store.list()).values()) {
      store.delete(metadata.id()); // logout --all
    }
    assertEquals(before, foreign(), "after logout --all");
    assertEquals("", run(null, "secret-tool", "search", "--all", "application", "credstore",
        "service", service));
  }

  @Test
  void itemsAndIndexOfCredstore01_areUpgradedInPlace_andTheIndexRetired() throws Exception {
    store.close();
    store = null;
    CredentialId id = CredentialId.of(service);
    // What 0.1 wrote: items with exactly java-keyring's two attributes, created as it does (over
    // D-Bus, gnome-keyring adding the generic schema), a previous item, and the index.
    try (SecretService bus = SecretService.connect(System.getenv("DBUS_SESSION_BUS_ADDRESS"))) {
      bus.createItem(service, Map.of("service", service, "account", "default"),
          "old-current".getBytes(StandardCharsets.UTF_8));
      bus.createItem("prev", Map.of("service", KeychainStore.PREVIOUS_PREFIX + service,
          "account", "default"), "old-previous".getBytes(StandardCharsets.UTF_8));
    }
    // Another tool's item with the same service and account but more attributes.
    run("not-credstores", "secret-tool", "store", "--label=other", "service", service,
        "account", "default", "application", "other-tool");
    Instant created = Instant.parse("2025-05-06T07:08:09.010Z");
    Instant rotated = created.plus(3, ChronoUnit.DAYS);
    KeychainIndex index = new KeychainIndex(data, java.time.Duration.ofSeconds(5));
    index.locked(() -> {
      index.write(new TreeMap<>(Map.of(id, new CredentialMetadata(id, CredentialKind.TOKEN, null,
          Map.of("stackID", "7"), created, rotated, rotated, true))));
      return null;
    });

    store = new KeychainStoreProvider().open(SecretServiceTesting.options(data));

    assertFalse(Files.exists(index.file()), "index retired");
    assertTrue(Files.exists(data.resolve(KeychainIndex.FILE_NAME + ".retired")));
    try (Credential read = store.get(id).orElseThrow()) {
      assertEquals("old-current", reveal(read.secret()));
      assertEquals("old-previous", reveal(read.previousSecret().orElseThrow()));
      assertEquals(Map.of("stackID", "7"), read.metadata().attributes());
      assertEquals(created, read.metadata().createdAt());
      assertEquals(rotated, read.metadata().rotatedAt());
    }
    assertEquals("not-credstores", run(null, "secret-tool", "lookup", "service", service,
        "account", "default"), "only the other tool's item is left under service/account");
    assertEquals("", run(null, "secret-tool", "lookup", "service",
        KeychainStore.PREVIOUS_PREFIX + service, "account", "default"));
    assertEquals(List.of(id), List.copyOf(ours(store.list()).keySet()));
  }

  private String foreign() throws Exception {
    String all = run(null, "secret-tool", "search", "--all", "service", service);
    // One block per item; credstore's own are left out, the rest sorted so order cannot matter.
    return Arrays.stream(all.split("(?m)^(?=\\[)"))
        // secret-tool prints attributes on stderr, the schema on stdout: ours have our schemas.
        .filter(block -> !block.contains("schema = dev.credstore."))
        .map(block -> block.replaceFirst("^\\[[^\\]]*\\]\\n", ""))
        // gnome-keyring names the generic schema of secret-tool's items only once it has re-read
        // its keyring file (after many writes of ours): a report, not a change to the item, whose
        // label, secret and modified time stay compared.
        .map(block -> block.replace("schema = org.freedesktop.Secret.Generic\n", ""))
        .sorted().collect(Collectors.joining("--\n"));
  }

  private Map<CredentialId, CredentialMetadata> ours(List<CredentialMetadata> list) {
    Map<CredentialId, CredentialMetadata> mine = new TreeMap<>();
    list.stream().filter(m -> m.id().service().startsWith(service))
        .forEach(m -> mine.put(m.id(), m));
    return mine;
  }

  private void put(CredentialId id, String value) throws Exception {
    try (Secret token = Secret.of(value);
        Credential credential = Credential.builder(id).token(token).build()) {
      store.put(credential);
    }
  }

  private void rotate(CredentialId id, String from, String to) throws Exception {
    try (Credential current = store.get(id).orElseThrow();
        Secret expected = Secret.of(from);
        Secret next = Secret.of(to);
        Credential rotated = current.rotatedTo(next, Instant.now())) {
      store.replace(expected, rotated);
    }
  }

  private String secret(CredentialId id) throws Exception {
    try (Credential read = store.get(id).orElseThrow()) {
      return reveal(read.secret());
    }
  }

  private static String reveal(Secret secret) {
    char[] chars = secret.revealChars();
    try {
      return new String(chars);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  private static String run(String input, String... command) throws Exception {
    return SecretServiceTesting.run(input, command);
  }
}
