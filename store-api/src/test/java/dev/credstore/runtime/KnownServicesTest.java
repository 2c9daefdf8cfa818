package dev.credstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.ConfigurationException;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ServiceDefinition;
import dev.credstore.runtime.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownServicesTest {

  @TempDir Path home;

  private StoreSettings settingsWithConfig(String json) throws Exception {
    Path config = home.resolve(".config/credstore/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, json);
    return StoreSettings.load(Map.of("HOME", home.toString()));
  }

  @Test
  void builtIn_knowsTheRegisteredVariables() {
    KnownServices services = KnownServices.builtIn();
    assertEquals(List.of("K6_CLOUD_TOKEN"), services.find("k6").orElseThrow().environmentVariables());
    assertEquals(List.of("PLATFORMSH_CLI_TOKEN"),
        services.find("platformsh").orElseThrow().environmentVariables());
    assertEquals(List.of("UPSUN_CLI_TOKEN"),
        services.find("upsun").orElseThrow().environmentVariables());
    assertEquals(List.of("AC_ACCESS_TOKEN"),
        services.find("appcircle").orElseThrow().environmentVariables());
    assertTrue(services.find("unknown").isEmpty());
  }

  @Test
  void builtIn_k6_hasConfigFilesAndPointers() {
    ServiceDefinition k6 = KnownServices.builtIn().find("k6").orElseThrow();
    assertEquals("/collectors/cloud/token", k6.tokenPointer());
    // Attribute names as login spells them where one exists (stack, project); stackID has none.
    assertEquals(Map.of("stackID", "/collectors/cloud/stackID",
        "stack", "/collectors/cloud/stackURL",
        "project", "/collectors/cloud/defaultProjectID"), k6.metadataPointers());
    // k6 reads os.UserConfigDir()/k6, older k6 versions os.UserConfigDir()/loadimpact/k6; on
    // macOS that directory is ~/Library/Application Support.
    assertEquals(List.of(Path.of("/xdg/k6/config.json"),
            Path.of("/h/.config/k6/config.json"),
            Path.of("/xdg/loadimpact/k6/config.json"),
            Path.of("/h/.config/loadimpact/k6/config.json"),
            Path.of("/h/Library/Application Support/k6/config.json"),
            Path.of("/h/Library/Application Support/loadimpact/k6/config.json")),
        k6.configFilePaths(Map.of("HOME", "/h", "XDG_CONFIG_HOME", "/xdg")));
    assertEquals(Path.of("/h/.config/k6/config.json"),
        k6.configFilePaths(Map.of("HOME", "/h")).get(0));
  }

  @Test
  void load_addsAndReplacesUserServices() throws Exception {
    KnownServices services = KnownServices.load(settingsWithConfig(
        "{\"services\": {\"mytool\": {\"environment\": [\"MYTOOL_TOKEN\"]},"
            + " \"k6\": {\"environment\": [\"MY_K6\"]}}}"));
    assertEquals(List.of("MYTOOL_TOKEN"),
        services.find("mytool").orElseThrow().environmentVariables());
    assertEquals(List.of("MY_K6"), services.find("k6").orElseThrow().environmentVariables());
    assertTrue(services.find("upsun").isPresent());
    assertEquals("appcircle", services.all().get(0).name());
  }

  @Test
  void load_withoutConfigFile_isTheBuiltInList() throws Exception {
    assertEquals(KnownServices.builtIn().all(),
        KnownServices.load(StoreSettings.load(Map.of("HOME", home.toString()))).all());
  }

  @Test
  void load_malformedEntries_areConfigurationErrors() throws Exception {
    for (String bad : List.of(
        "{\"services\": []}",
        "{\"services\": {\"x\": {\"environment\": \"X\"}}}",
        "{\"services\": {\"x\": {\"environment\": [\"not a name\"]}}}",
        "{\"services\": {\"x\": {\"tokenPointer\": \"no-slash\"}}}",
        "{\"services\": {\"x\": {\"colour\": \"red\"}}}",
        "{\"services\": {\" x\": {}}}")) {
      StoreSettings settings = settingsWithConfig(bad);
      ConfigurationException e =
          assertThrows(ConfigurationException.class, () -> KnownServices.load(settings), bad);
      assertTrue(e.getMessage().startsWith("config file "), e.getMessage());
    }
  }
}
