package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.github.javakeyring.PasswordAccessException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import dev.credstore.keychain.dbus.SecretService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code list} on macOS and Windows, where the index is checked against the keychain. The
 * keychains cannot run here, so {@link KeyringAccess} is mocked (as in {@link
 * KeychainStoreMockTest}); the index is the real file.
 */
class KeychainIndexCheckTest {

  @TempDir
  Path data;

  private final KeyringAccess access = mock(KeyringAccess.class);
  private final Map<String, String> items = new HashMap<>();
  private KeychainIndex index;

  private CredentialStore store(Duration timeout, String... services) throws Exception {
    when(access.state()).thenReturn(SecretService.State.READY);
    doAnswer(i -> items.get(i.getArgument(0) + "|" + i.getArgument(1)))
        .when(access).read(anyString(), anyString());
    doAnswer(i -> items.remove(i.getArgument(0) + "|" + i.getArgument(1)) != null)
        .when(access).remove(anyString(), anyString());
    index = new KeychainIndex(data, timeout);
    TreeMap<CredentialId, CredentialMetadata> entries = new TreeMap<>();
    for (String service : services) {
      CredentialId id = CredentialId.of(service);
      try (Secret secret = Secret.of("token-" + service);
          Credential credential = Credential.builder(id).token(secret).build()) {
        entries.put(id, credential.metadata());
      }
      items.put(service + "|default", "token-" + service);
    }
    index.locked(() -> {
      index.write(entries);
      return null;
    });
    return new KeychainStore(Platform.MACOS, access, index, new BoundedCalls(timeout),
        Clock.systemUTC());
  }

  private static List<String> services(List<CredentialMetadata> listed) {
    return listed.stream().map(m -> m.id().service()).toList();
  }

  @Test
  void list_entryMissingFromTheKeychain_isLeftOut_reported_andKeptInTheIndex() throws Exception {
    try (CredentialStore store = store(Duration.ofSeconds(5), "alpha", "beta", "gamma")) {
      items.remove("beta|default"); // e.g. deleted in Keychain Access
      List<String> warnings = new ArrayList<>();

      List<CredentialMetadata> listed = store.list(warnings::add);

      assertEquals(List.of("alpha", "gamma"), services(listed));
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("beta/default")
          && warnings.get(0).contains("not in the keychain")
          && warnings.get(0).contains("credstore logout beta --account default"), warnings.get(0));
      assertEquals(3, index.read().size(), "a read never deletes index entries");
      assertEquals(List.of("alpha", "gamma"), services(store.list()),
          "the plain list (status, logout --all) leaves it out too");
    }
  }

  @Test
  void logout_ofAnEntryMissingFromTheKeychain_dropsItFromTheIndex() throws Exception {
    try (CredentialStore store = store(Duration.ofSeconds(5), "alpha", "beta")) {
      items.remove("beta|default");
      assertTrue(store.delete(CredentialId.of("beta")));
      List<String> warnings = new ArrayList<>();
      assertEquals(List.of("alpha"), services(store.list(warnings::add)));
      assertEquals(List.of(), warnings);
      assertEquals(1, index.read().size());
    }
  }

  @Test
  void list_lookupThatThrows_isReportedAsUnknownNotMissing_andStopsFurtherLookups()
      throws Exception {
    try (CredentialStore store = store(Duration.ofSeconds(5), "alpha", "beta", "gamma")) {
      when(access.read(eq("beta"), anyString()))
          .thenThrow(new PasswordAccessException("Failed to get credential. -25308"));
      List<String> warnings = new ArrayList<>();

      List<CredentialMetadata> listed = store.list(warnings::add);

      assertEquals(List.of("alpha", "beta", "gamma"), services(listed));
      assertEquals(2, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).startsWith("could not check beta/default against the keychain")
          && warnings.get(0).contains("-25308"), warnings.get(0));
      assertTrue(warnings.get(1).startsWith("1 more entry listed from the index without checking"),
          warnings.get(1));
      assertFalse(String.join("\n", warnings).contains("not in the keychain"));
      // A denied permission dialog or a locked keychain would repeat for every further item.
      verify(access, never()).read(eq("gamma"), anyString());
    }
  }

  @Test
  void list_lookupThatHangs_isUnknown_withinTheTimeout() throws Exception {
    try (CredentialStore store = store(Duration.ofMillis(300), "alpha", "beta")) {
      when(access.read(eq("alpha"), anyString())).thenAnswer(i -> {
        Thread.sleep(60_000);
        return null;
      });
      List<String> warnings = new ArrayList<>();
      long start = System.nanoTime();

      List<CredentialMetadata> listed = store.list(warnings::add);

      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 5_000, "took " + ms + " ms");
      assertEquals(List.of("alpha", "beta"), services(listed));
      assertTrue(warnings.get(0).contains("could not check alpha/default")
          && warnings.get(0).contains("no answer in time"), warnings.get(0));
    }
  }

  @Test
  void list_checksAtMost25Entries_andSaysTheRestAreUnchecked() throws Exception {
    String[] services = new String[IndexCheck.MAX_LOOKUPS + 2];
    for (int i = 0; i < services.length; i++) {
      services[i] = String.format("svc%02d", i);
    }
    try (CredentialStore store = store(Duration.ofSeconds(5), services)) {
      items.remove("svc26|default"); // beyond the bound: listed, since it is not checked
      List<String> warnings = new ArrayList<>();

      List<CredentialMetadata> listed = store.list(warnings::add);

      assertEquals(List.of(services), services(listed));
      verify(access, times(IndexCheck.MAX_LOOKUPS)).read(anyString(), eq("default"));
      verify(access, never()).read(eq("svc25"), anyString());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).startsWith("2 more entries listed from the index without")
          && warnings.get(0).contains("at most 25"), warnings.get(0));
    }
  }

  @Test
  void list_duplicateItems_countAsPresent() throws Exception {
    try (CredentialStore store = store(Duration.ofSeconds(5), "alpha")) {
      when(access.read(eq("alpha"), anyString())).thenThrow(
          new KeyringAccess.DuplicateItemsException(new PasswordAccessException("Too many")));
      List<String> warnings = new ArrayList<>();
      assertEquals(List.of("alpha"), services(store.list(warnings::add)));
      assertEquals(List.of(), warnings);
      verify(access, atLeastOnce()).read("alpha", "default");
    }
  }
}
