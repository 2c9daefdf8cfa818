package dev.credstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.ConfigurationException;
import dev.credstore.runtime.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreSettingsTest {

  @TempDir Path home;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    return env;
  }

  @Test
  void defaults_followXdgFallbacks() throws Exception {
    StoreSettings settings = StoreSettings.load(env());
    assertEquals(home.resolve(".config/credstore"), settings.configDirectory());
    assertEquals(home.resolve(".local/share/credstore"), settings.dataDirectory());
    assertEquals("auto", settings.backend().value());
    assertEquals("default", settings.backend().source());
    assertNull(settings.storeFile().value());
  }

  @Test
  void xdgVariables_areHonoured_butRelativeOnesIgnored() throws Exception {
    Map<String, String> env = env();
    env.put("XDG_DATA_HOME", home.resolve("data").toString());
    env.put("XDG_CONFIG_HOME", "relative/config");
    StoreSettings settings = StoreSettings.load(env);
    assertEquals(home.resolve("data/credstore"), settings.dataDirectory());
    assertEquals(home.resolve(".config/credstore"), settings.configDirectory());
  }

  @Test
  void precedence_overrideThenEnvironmentThenConfigFile() throws Exception {
    Path config = home.resolve(".config/credstore/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"backend\":\"keychain\",\"store\":\"~/stores/a.store\"}");

    StoreSettings fromFile = StoreSettings.load(env());
    assertEquals("keychain", fromFile.backend().value());
    assertEquals(config.toString(), fromFile.backend().source());
    assertEquals(home.resolve("stores/a.store"), fromFile.storeFile().value());

    Map<String, String> env = env();
    env.put("CREDSTORE_BACKEND", "file");
    StoreSettings fromEnv = StoreSettings.load(env);
    assertEquals("file", fromEnv.backend().value());
    assertEquals("CREDSTORE_BACKEND", fromEnv.backend().source());

    StoreSettings overridden = fromEnv.withBackend("auto", "--backend");
    assertEquals("auto", overridden.backend().value());
    assertEquals("--backend", overridden.backend().source());
  }

  @Test
  void unlockMaximum_isReadFromTheConfigFile_andKeptThroughOverrides() throws Exception {
    assertNull(StoreSettings.load(env()).unlockMaximum().value(), "not configured by default");
    Path config = home.resolve(".config/credstore/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"unlockMaximum\":\"8h\"}");
    StoreSettings settings = StoreSettings.load(env()).withBackend("file", "--backend")
        .withStoreFile(home.resolve("s.cstore"), "--store")
        .withPassphraseFile(home.resolve("p"), "--passphrase-file");
    assertEquals("8h", settings.unlockMaximum().value());
    assertEquals(config.toString(), settings.unlockMaximum().source());
  }

  @Test
  void malformedConfig_isAConfigurationError_withLocation() throws Exception {
    Path config = home.resolve(".config/credstore/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"backend\": }");
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> StoreSettings.load(env()));
    assertTrue(e.getMessage().contains("not valid JSON (line 1"), e.getMessage());
  }

  @Test
  void unknownConfigKey_isRejected() throws Exception {
    Path config = home.resolve(".config/credstore/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "{\"backnd\":\"file\"}");
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> StoreSettings.load(env()));
    assertTrue(e.getMessage().contains("unknown key 'backnd'"), e.getMessage());
  }

  @Test
  void invalidBackendName_isRejected() {
    Map<String, String> env = env();
    env.put("CREDSTORE_BACKEND", "File Store");
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> StoreSettings.load(env));
    assertTrue(e.getMessage().endsWith("use auto, file, keychain, pass or another installed"
        + " backend's id"), e.getMessage());
  }

  @Test
  void rememberBackend_writesOncePrivately_andLaterLoadsUseIt() throws Exception {
    StoreSettings first = StoreSettings.load(env());
    assertFalse(first.backendRemembered());
    assertTrue(first.rememberBackend("keychain"));
    java.nio.file.Path memory = home.resolve(".config/credstore/backend.json");
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(memory)));
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(memory.getParent())));
    assertFalse(first.rememberBackend("file"), "a remembered backend is never replaced");

    StoreSettings later = StoreSettings.load(env());
    assertTrue(later.backendRemembered());
    assertEquals("keychain", later.backend().value());
    assertTrue(later.backend().source().contains(memory.toString()), later.backend().source());
    assertFalse(later.rememberBackend("file"));
  }

  @Test
  void namedBackend_winsOverTheRememberedOne_andIsNeverRemembered() throws Exception {
    StoreSettings.load(env()).rememberBackend("keychain");
    Map<String, String> env = env();
    env.put("CREDSTORE_BACKEND", "file");
    StoreSettings named = StoreSettings.load(env);
    assertEquals("file", named.backend().value());
    assertFalse(named.backendRemembered());
    StoreSettings flagged = StoreSettings.load(env()).withBackend("file", "--backend");
    assertFalse(flagged.backendRemembered());
    assertFalse(flagged.rememberBackend("file"));
  }

  @Test
  void malformedMemory_isAConfigurationError_sayingHowToFixIt() throws Exception {
    java.nio.file.Path memory = home.resolve(".config/credstore/backend.json");
    java.nio.file.Files.createDirectories(memory.getParent());
    java.nio.file.Files.writeString(memory, "{\"backend\": 7}");
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> StoreSettings.load(env()));
    assertTrue(e.getMessage().contains("fix or delete it"), e.getMessage());
  }
}
