package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credstore.cli.CliProcess.Result;
import dev.credstore.testing.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real shaded jar, as a user's shell would run it. */
class CredstoreIT {

  private static final String PASSPHRASE = "correct horse battery";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;
  private CliProcess cli;

  @BeforeEach
  void newHome() throws IOException {
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
  }

  // ---- round trips

  @Test
  void token_loginGetListLogout_roundTrip() throws IOException {
    String token = "k6-tok-3f9a\u00e9\u2713 with spaces";
    Result login = cli.runWithInput(token + "\n", "login", "k6", "--token-stdin",
        "--stack", "https://mystack.grafana.net", "--project", "42", "--backend", "file");
    assertEquals(0, login.exitCode(), login::toString);
    assertEquals("", login.out());
    // Short: where the store is, not how it encrypts (that is in status).
    assertEquals("logged in to k6 (account default), stored in the file store at "
        + "~/data/credstore/credentials.cstore\n", login.err(), login::toString);
    assertTrue(login.err().contains("~/data/credstore/credentials.cstore"), login::toString);

    Result get = cli.run("get", "k6");
    assertEquals(0, get.exitCode(), get::toString);
    assertEquals(token + "\n", get.out());
    assertEquals("", get.err());

    JsonNode json = JSON.readTree(cli.run("get", "k6", "--json").out());
    assertEquals(token, json.get("secret").asText());
    assertEquals("store", json.get("source").asText());
    assertEquals("token", json.get("kind").asText());
    assertEquals("42", json.get("attributes").get("project").asText());
    assertEquals("https://mystack.grafana.net", json.get("attributes").get("stack").asText());

    Result list = cli.run("list");
    assertEquals(0, list.exitCode(), list::toString);
    assertTrue(list.out().matches("(?s)SERVICE +ACCOUNT +KIND.*\nk6 +default +token +- .*"),
        list::toString);
    JsonNode listed = JSON.readTree(cli.run("list", "--json").out());
    assertTrue(listed.isArray());
    assertEquals(1, listed.size());
    assertEquals("k6", listed.get(0).get("service").asText());
    assertTrue(listed.get(0).get("createdAt").asText().endsWith("Z"));
    assertFalse(listed.get(0).has("secret"));

    Result logout = cli.run("logout", "k6");
    assertEquals(0, logout.exitCode(), logout::toString);
    assertEquals("", logout.out());
    assertTrue(logout.err().startsWith("logged out of k6 (account default)"), logout::toString);
    assertEquals(3, cli.run("get", "k6").exitCode());
  }

  @Test
  void apiKey_loginGetListLogout_roundTrip() throws IOException {
    // A second line is no longer dropped in silence: the whole input is the secret (issue 15).
    Result twoLines = cli.runWithInput("api-secret-77\r\nsecond line\n", "login", "grafana",
        "--api-key", "ci-key", "--secret-stdin", "--org", "7", "--account", "ci");
    assertEquals(2, twoLines.exitCode(), twoLines::toString);
    Result login = cli.runWithInput("api-secret-77\r\n", "login", "grafana",
        "--api-key", "ci-key", "--secret-stdin", "--org", "7", "--account", "ci");
    assertEquals(0, login.exitCode(), login::toString);

    Result get = cli.run("get", "grafana", "--account", "ci");
    assertEquals("api-secret-77\n", get.out(), get::toString);
    JsonNode json = JSON.readTree(cli.run("get", "grafana", "--account", "ci", "--json").out());
    assertEquals("api-key", json.get("kind").asText());
    assertEquals("ci-key", json.get("keyName").asText());
    assertEquals("7", json.get("attributes").get("org").asText());

    JsonNode listed = JSON.readTree(cli.run("list", "--json").out());
    assertEquals("ci-key", listed.get(0).get("keyName").asText());
    assertEquals("ci", listed.get(0).get("account").asText());

    assertEquals(0, cli.run("logout", "grafana", "--account", "ci").exitCode());
    assertEquals("[]\n", cli.run("list", "--json").out());
  }

  @Test
  void login_existingCredential_exitsSeven_andForceReplacesIt() {
    assertEquals(0, cli.runWithInput("first-token\n", "login", "k6", "--token-stdin").exitCode());

    Result again = cli.runWithInput("second-token\n", "login", "k6", "--token-stdin");
    assertEquals(7, again.exitCode(), again::toString);
    assertTrue(again.err().contains("already logged in to k6 (account default)"), again::toString);
    assertTrue(again.err().contains("--force"), again::toString);
    assertEquals("first-token\n", cli.run("get", "k6").out());

    Result forced = cli.runWithInput("second-token\n", "login", "k6", "--token-stdin", "--force");
    assertEquals(0, forced.exitCode(), forced::toString);
    assertEquals("second-token\n", cli.run("get", "k6").out());
  }

  @Test
  void logout_absentCredential_exitsZeroWithNote_andAllRemovesEverything() {
    Result absent = cli.run("logout", "k6");
    assertEquals(0, absent.exitCode(), absent::toString);
    assertTrue(absent.err().contains("not logged in to k6"), absent::toString);

    cli.runWithInput("a-token\n", "login", "k6", "--token-stdin");
    cli.runWithInput("b-token\n", "login", "upsun", "--token-stdin");
    Result all = cli.run("logout", "--all", "--yes");
    assertEquals(0, all.exitCode(), all::toString);
    assertTrue(all.err().startsWith("logged out of 2 credentials"), all::toString);
    assertEquals("[]\n", cli.run("list", "--json").out());
    assertEquals(2, cli.run("logout").exitCode());
    assertEquals(2, cli.run("logout", "k6", "--all").exitCode());
  }

  // ---- environment override

  @Test
  void get_serviceVariableOverridesStore_unlessNoEnv() throws IOException {
    cli.runWithInput("stored-token\n", "login", "k6", "--token-stdin");
    // A wrong passphrase proves the store is not even opened when the variable answers.
    cli.set("K6_CLOUD_TOKEN", "from-env-token").set("CREDSTORE_PASSPHRASE", "not the passphrase");

    Result get = cli.run("get", "k6");
    assertEquals(0, get.exitCode(), get::toString);
    assertEquals("from-env-token\n", get.out());
    JsonNode json = JSON.readTree(cli.run("get", "k6", "--json").out());
    assertEquals("environment", json.get("source").asText());
    assertEquals("K6_CLOUD_TOKEN", json.get("environmentVariable").asText());

    assertEquals(4, cli.run("get", "k6", "--no-env").exitCode());
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    assertEquals("stored-token\n", cli.run("get", "k6", "--no-env").out());
    // The variable names no account, so it does not stand in for a named one.
    assertEquals(3, cli.run("get", "k6", "--account", "other").exitCode());

    Result status = cli.run("status");
    assertTrue(status.out().contains("K6_CLOUD_TOKEN is set"), status::toString);
    JsonNode statusJson = JSON.readTree(cli.run("status", "--json").out());
    assertEquals("K6_CLOUD_TOKEN",
        statusJson.get("environmentOverrides").get(0).get("variable").asText());
  }

  @Test
  void get_userServiceFromConfig_hasItsVariable() throws IOException {
    writeConfig("{\"services\": {\"mytool\": {\"environment\": [\"MYTOOL_TOKEN\"]}}}");
    cli.set("MYTOOL_TOKEN", "mytool-env-token");
    Result get = cli.run("get", "mytool");
    assertEquals(0, get.exitCode(), get::toString);
    assertEquals("mytool-env-token\n", get.out());
    // Unknown services are allowed: they just have no variable.
    assertEquals(3, cli.run("get", "never-heard-of-it").exitCode());
  }

  // ---- every exit code from a real scenario

  @Test
  void usageErrors_exitTwo_withOneLine() {
    Result blank = cli.runWithInput("   \n", "login", "k6", "--token-stdin");
    assertEquals(2, blank.exitCode(), blank::toString);
    assertTrue(blank.err().contains("empty or only whitespace"), blank::toString);
    assertFalse(Files.exists(cli.storeFile()));

    Result empty = cli.runWithInput("", "login", "k6", "--token-stdin");
    assertEquals(2, empty.exitCode(), empty::toString);

    Result badName = cli.runWithInput("tok\n", "login", " k6", "--token-stdin");
    assertEquals(2, badName.exitCode(), badName::toString);
    assertTrue(badName.err().startsWith("credstore: service ' k6' must not start or end"),
        badName::toString);

    Result unknownOption = cli.run("get", "k6", "--frobnicate");
    assertEquals(2, unknownOption.exitCode(), unknownOption::toString);
    assertEquals(1, unknownOption.err().lines().count(), unknownOption::toString);

    Result mixed = cli.runWithInput("tok\n", "login", "k6", "--api-key", "n", "--token-stdin");
    assertEquals(2, mixed.exitCode(), mixed::toString);
  }

  @Test
  void login_noTerminalAndNoTokenStdin_exitsTwoInsteadOfHanging() {
    Result result = cli.run("login", "k6");
    assertEquals(2, result.exitCode(), result::toString);
    assertTrue(result.err().contains("--token-stdin"), result::toString);
  }

  @Test
  void get_missingCredential_exitsThree() {
    Result result = cli.run("get", "k6");
    assertEquals(3, result.exitCode(), result::toString);
    assertEquals("", result.out());
    assertEquals("credstore: not logged in to k6 (account default); run: credstore login k6\n",
        result.err());
  }

  @Test
  void wrongPassphrase_exitsFour() {
    cli.runWithInput("a-token\n", "login", "k6", "--token-stdin");
    cli.set("CREDSTORE_PASSPHRASE", "wrong passphrase");
    Result result = cli.run("get", "k6");
    assertEquals(4, result.exitCode(), result::toString);
    assertTrue(result.err().startsWith("credstore: wrong passphrase"), result::toString);
  }

  @Test
  void noPassphraseAndNoTerminal_exitsFour_namingTheOptions() {
    cli.set("CREDSTORE_PASSPHRASE", null);
    Result result = cli.runWithInput("a-token\n", "login", "k6", "--token-stdin");
    assertEquals(4, result.exitCode(), result::toString);
    assertTrue(result.err().contains("CREDSTORE_PASSPHRASE"), result::toString);
    assertTrue(result.err().contains("--passphrase-file"), result::toString);
  }

  @Test
  void keychainBackend_withoutSessionBus_exitsFive() {
    cli.set("DBUS_SESSION_BUS_ADDRESS", null);
    Result result = cli.run("list", "--backend", "keychain");
    assertEquals(5, result.exitCode(), result::toString);
    assertTrue(result.err().startsWith("credstore: "), result::toString);
    assertEquals(1, result.err().lines().count(), result::toString);
  }

  @Test
  void flippedByteInStore_exitsSix_andVerbosePrintsTheStackTrace() throws IOException {
    cli.runWithInput("a-token\n", "login", "k6", "--token-stdin");
    byte[] bytes = Files.readAllBytes(cli.storeFile());
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(cli.storeFile(), bytes);

    Result result = cli.run("get", "k6");
    assertEquals(6, result.exitCode(), result::toString);
    assertEquals(1, result.err().lines().count(), result::toString);
    Result verbose = cli.run("get", "k6", "--verbose");
    assertEquals(6, verbose.exitCode(), verbose::toString);
    assertTrue(verbose.err().contains("\tat dev.credstore."), verbose::toString);
  }

  @Test
  void storeReadableByOthers_exitsEight() throws IOException {
    cli.runWithInput("a-token\n", "login", "k6", "--token-stdin");
    Files.setPosixFilePermissions(cli.storeFile(), PosixFilePermissions.fromString("rw-r--r--"));
    Result result = cli.run("list");
    assertEquals(8, result.exitCode(), result::toString);
    assertTrue(result.err().startsWith("credstore: "), result::toString);
  }

  @Test
  void malformedConfig_exitsNine() throws IOException {
    writeConfig("{\"backend\": ");
    Result result = cli.run("status");
    assertEquals(9, result.exitCode(), result::toString);
    assertTrue(result.err().contains("config.json is not valid JSON"), result::toString);

    writeConfig("{\"services\": {\"x\": {\"environment\": \"NOT_AN_ARRAY\"}}}");
    assertEquals(9, cli.run("get", "x").exitCode());
  }

  // ---- options, help, launcher

  @Test
  void storeAndPassphraseFileFlags_areHonoured() throws IOException {
    cli.set("CREDSTORE_PASSPHRASE", null);
    Path passphraseFile = temp.resolve("pass");
    Files.writeString(passphraseFile, "a file passphrase\n");
    Files.setPosixFilePermissions(passphraseFile, PosixFilePermissions.fromString("rw-------"));
    Path store = temp.resolve("elsewhere/my.cstore");
    Files.createDirectories(store.getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

    Result login = cli.runWithInput("a-token\n", "--store", store.toString(),
        "--passphrase-file", passphraseFile.toString(), "login", "k6", "--token-stdin");
    assertEquals(0, login.exitCode(), login::toString);
    assertTrue(Files.exists(store));
    assertFalse(Files.exists(cli.storeFile()));
    Result get = cli.run("get", "k6", "--store", store.toString(), "--passphrase-file",
        passphraseFile.toString());
    assertEquals("a-token\n", get.out(), get::toString);
    JsonNode status = JSON.readTree(cli.run("status", "--json", "--store", store.toString(),
        "--passphrase-file", passphraseFile.toString()).out());
    assertEquals(store.toString(), status.get("backend").get("location").asText());
    assertEquals("--store", status.get("settings").get("store").get("source").asText());
  }

  @Test
  void status_reportsBackendChoiceAndSurvey() throws IOException {
    JsonNode status = JSON.readTree(cli.run("status", "--json", "--backend", "file").out());
    assertEquals("file", status.get("backend").get("id").asText());
    assertEquals("named by --backend", status.get("backend").get("reason").asText());
    assertTrue(status.get("backends").isArray());
    assertTrue(status.get("loadProblems").isArray());
    assertTrue(status.get("error").isNull());

    cli.set("CREDSTORE_BACKEND", null);
    Result text = cli.run("status");
    assertEquals(0, text.exitCode(), text::toString);
    assertTrue(text.out().contains("backend:     file (auto: "), text::toString);
    assertTrue(text.out().contains("backends:"), text::toString);
  }

  @Test
  void autoSelection_fallingBackFromKeychain_saysSoOnStderr() throws IOException {
    cli.set("CREDSTORE_BACKEND", null).set("DBUS_SESSION_BUS_ADDRESS", null);
    JsonNode status = JSON.readTree(cli.run("status", "--json").out());
    boolean keychainPassedOver = status.get("backend").get("passedOver").size() > 0;
    Result list = cli.run("list");
    assertEquals(0, list.exitCode(), list::toString);
    // Only observable once a keychain backend is on the class path (and unusable here).
    assertEquals(keychainPassedOver,
        list.err().startsWith("credstore: note: using file because keychain is unavailable"),
        list::toString);
  }

  @Test
  void help_documentsExitCodes() {
    Result help = cli.run("--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.out().contains("Exit codes:"), help::toString);
    assertTrue(help.out().matches("(?s).*\n  9 +configuration error.*"), help::toString);
    Result version = cli.run("--version");
    assertTrue(version.out().startsWith("credstore "), version::toString);
  }

  @Test
  void launcher_findsJarThroughSymlink_fromAnyDirectory() throws IOException {
    Path launcher = Path.of(System.getProperty("credstore.launcher", "../bin/credstore"))
        .toAbsolutePath();
    Path link = Files.createSymbolicLink(temp.resolve("credstore"), launcher);
    try {
      cli.set("JAVA_HOME", System.getProperty("java.home"));
      // No background CDS training writing into the temp dir while it is deleted (LauncherCacheIT).
      cli.set("CREDSTORE_CDS", "0");
      Result version = cli.start(List.of("sh", link.toString(), "--version"), temp, null);
      assertEquals(0, version.exitCode(), version::toString);
      assertTrue(version.out().startsWith("credstore "), version::toString);
    } finally {
      Files.delete(link);
    }
  }

  // ---- the secret never leaks

  @Test
  void secret_neverAppearsInArgvStderrListStatusOrStoreFile() throws IOException {
    String token = "leak-canary-7c1e0b2d";
    String apiSecret = "leak-canary-api-55aa";
    cli.set("K6_CLOUD_TOKEN", null);
    cli.runWithInput(token + "\n", "login", "k6", "--token-stdin", "--verbose");
    cli.runWithInput(apiSecret + "\n", "login", "svc", "--api-key", "kid", "--secret-stdin");
    List<Result> printing = new ArrayList<>();
    printing.add(cli.run("list"));
    printing.add(cli.run("list", "--json"));
    printing.add(cli.run("status"));
    printing.add(cli.run("status", "--json", "--verbose"));
    assertEquals(token + "\n", cli.run("get", "k6", "--verbose").out());
    cli.set("CREDSTORE_PASSPHRASE", "wrong passphrase");
    cli.run("get", "k6", "--verbose");
    cli.run("status", "--verbose");

    List<String> leaks = new ArrayList<>();
    for (String secret : List.of(token, apiSecret)) {
      for (Result result : cli.results) {
        if (result.err().contains(secret)) {
          leaks.add("stderr of " + result.command());
        }
        if (String.join(" ", result.command()).contains(secret)) {
          leaks.add("argv of " + result.command());
        }
      }
      for (Result result : printing) {
        if (result.out().contains(secret)) {
          leaks.add("stdout of " + result.command());
        }
      }
      for (String commandLine : cli.commandLines) {
        if (commandLine.contains(secret)) {
          leaks.add("/proc/<pid>/cmdline " + commandLine);
        }
      }
      byte[] store = Files.readAllBytes(cli.storeFile());
      if (Bytes.contains(store, secret.getBytes(StandardCharsets.UTF_8))
          || Bytes.contains(store, secret.getBytes(StandardCharsets.UTF_16BE))) {
        leaks.add("store file bytes");
      }
    }
    assertTrue(leaks.isEmpty(), () -> "secret leaked to: " + leaks);
  }

  private void writeConfig(String json) throws IOException {
    Path config = cli.configHome.resolve("credstore/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, json);
  }
}
