package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.runtime.Backends;
import dev.credstore.runtime.SelectedBackend;
import dev.credstore.runtime.StoreSettings;
import dev.credstore.spi.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreProviderTest {

  @TempDir Path home;

  @Test
  void serviceLoader_findsTheFileBackend_asBuiltIn_andItUsesTheDefaultPath() throws Exception {
    StoreSettings settings = StoreSettings.load(Map.of("HOME", home.toString()));
    StoreOptions options = settings.toOptions(
        PassphraseSource.fromEnvironment(Map.of("CREDSTORE_PASSPHRASE", "long enough pass")));
    SelectedBackend selected = Backends.discover()
        .select(new StoreSettings.Setting<>("file", "test"), options);
    assertEquals("file", selected.id());
    assertTrue(Backends.discover().survey(options).stream()
        .anyMatch(s -> s.id().equals("file") && s.builtIn() && s.available()));

    try (CredentialStore store = selected.open(options); Secret token = Secret.of("tok")) {
      store.put(Credential.builder(CredentialId.of("k6")).token(token).build());
      Path expected = home.resolve(".local/share/credstore/credentials.cstore");
      assertTrue(Files.isRegularFile(expected));
      assertEquals(expected.toString(), store.describe().location());
      assertEquals("file", store.describe().backend());
    }
  }
}
