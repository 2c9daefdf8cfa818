package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credstore.cli.CliProcess.Result;
import dev.credstore.cli.migrate.Migrator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code credstore migrate} against real config files in a throw-away home, via the real jar. */
class MigrateIT {

  /** Every token in these tests starts with this, so one scan finds any leak. */
  private static final String CANARY = "plaintext-canary-";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;
  private CliProcess cli;
  private Path currentK6;
  private Path legacyK6;
  private Path stateFile;

  @BeforeEach
  void newHome() {
    try {
      cli = new CliProcess(temp);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    cli.set("CREDSTORE_PASSPHRASE", "migrate test passphrase");
    currentK6 = cli.configHome.resolve("k6/config.json");
    legacyK6 = cli.configHome.resolve("loadimpact/k6/config.json");
    stateFile = cli.home.resolve(".local/state/credstore/migrations.json");
  }

  /** The token never shows: not in any output but get's stdout, not in the state file. */
  @AfterEach
  void nothingLeaked() throws IOException {
    List<String> leaks = new ArrayList<>();
    for (Result result : cli.results) {
      boolean get = result.command().contains("get");
      if (!get && result.out().contains(CANARY)) {
        leaks.add("stdout of " + result.command() + ":\n" + result.out());
      }
      if (result.err().contains(CANARY)) {
        leaks.add("stderr of " + result.command() + ":\n" + result.err());
      }
      if (String.join(" ", result.command()).contains(CANARY)) {
        leaks.add("argv " + result.command());
      }
    }
    if (Files.exists(stateFile) && Files.readString(stateFile).contains(CANARY)) {
      leaks.add("state file");
    }
    assertTrue(leaks.isEmpty(), () -> "token leaked to: " + leaks);
  }

  // ---- k6 layouts

  @Test
  void k6CurrentAndLegacy_withMetadataAndOtherKeys_migrateByteForByte_thenRerunIsNoOp()
      throws IOException {
    String token = CANARY + "k6-3f9a";
    write(currentK6, "{\n"
        + "  \"collectors\": {\n"
        + "    \"influxdb\": {\"url\": \"http://localhost:8086\", \"token\": \"influx-own\"},\n"
        + "    \"cloud\": {\n"
        + "      \"stackID\": 1234,\n"
        + "      \"token\": \"" + token + "\",\n"
        + "      \"stackURL\": \"https:\\/\\/my.grafana.net\",\n"
        + "      \"defaultProjectID\": 56\n"
        + "    }\n"
        + "  },\n"
        + "  \"z-unrelated\": [1.50, \"caf\\u00e9\", null],\n"
        + "  \"a-unrelated\": true\n"
        + "}\n");
    Files.setPosixFilePermissions(currentK6, PosixFilePermissions.fromString("rw-r-----"));
    write(legacyK6, "{\"collectors\":{\"cloud\":{\"token\":\"" + token + "\"}},\"x\":1}");

    Result migrate = cli.run("migrate");

    assertEquals(0, migrate.exitCode(), migrate::toString);
    assertEquals("{\n"
        + "  \"collectors\": {\n"
        + "    \"influxdb\": {\"url\": \"http://localhost:8086\", \"token\": \"influx-own\"},\n"
        + "    \"cloud\": {\n"
        + "      \"stackID\": 1234,\n"
        + "      \"stackURL\": \"https:\\/\\/my.grafana.net\",\n"
        + "      \"defaultProjectID\": 56\n"
        + "    }\n"
        + "  },\n"
        + "  \"z-unrelated\": [1.50, \"caf\\u00e9\", null],\n"
        + "  \"a-unrelated\": true\n"
        + "}\n", Files.readString(currentK6));
    assertEquals("{\"collectors\":{\"cloud\":{}},\"x\":1}", Files.readString(legacyK6));
    assertEquals("rw-r-----", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(currentK6, LinkOption.NOFOLLOW_LINKS)));
    List<String> lines = migrate.out().lines().toList();
    assertTrue(lines.get(0).matches("migrated +~/config/k6/config.json  k6 \\(account default\\): "
        + "stored the token in the file store at .*; removed it from the file; attributes "
        + "project=56, stack=https://my.grafana.net, stackID=1234"), migrate::toString);
    assertTrue(lines.get(1).matches("migrated +~/config/loadimpact/k6/config.json  k6 \\(account "
        + "default\\): the store already held this token .*; removed it from the file"),
        migrate::toString);
    assertTrue(migrate.out().contains("\n  credstore exec k6 -- k6 …\n"), migrate::toString);
    assertTrue(migrate.out().contains("\n  K6_CLOUD_TOKEN=$(credstore get k6) k6 …\n"),
        migrate::toString);

    assertEquals(token + "\n", cli.run("get", "k6").out());
    JsonNode attributes = JSON.readTree(cli.run("list", "--json").out()).get(0).get("attributes");
    assertEquals("https://my.grafana.net", attributes.get("stack").asText());
    assertEquals("1234", attributes.get("stackID").asText());
    assertEquals("56", attributes.get("project").asText());

    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(stateFile)));
    assertEquals("rwx------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(stateFile.getParent())));
    JsonNode state = JSON.readTree(stateFile.toFile());
    assertEquals(2, state.get("migrations").size());
    assertEquals(currentK6.toString(), state.get("migrations").get(0).get("path").asText());
    assertEquals(Migrator.sha256(Files.readAllBytes(currentK6)),
        state.get("migrations").get(0).get("scrubbedSha256").asText());

    byte[] before = Files.readAllBytes(currentK6);
    FileTime modified = Files.getLastModifiedTime(currentK6);
    Result again = cli.run("migrate");
    assertEquals(0, again.exitCode(), again::toString);
    assertEquals(2, again.out().lines().filter(l -> l.startsWith("already-migrated ")).count(),
        again::toString);
    assertTrue(again.out().contains("the file is unchanged since; nothing to do"),
        again::toString);
    assertArrayEquals(before, Files.readAllBytes(currentK6));
    assertEquals(modified, Files.getLastModifiedTime(currentK6));
  }

  @Test
  void dryRun_reportsPathServiceAccount_changesNothing_andJsonSaysWouldMigrate()
      throws IOException {
    String config = "{\"collectors\":{\"cloud\":{\"token\":\"" + CANARY + "dry\"}}}";
    write(currentK6, config);

    Result dry = cli.run("migrate", "--dry-run", "--account", "ci");
    assertEquals(0, dry.exitCode(), dry::toString);
    assertTrue(dry.out().startsWith("would-migrate    ~/config/k6/config.json  k6 (account ci): "
        + "would store the token and remove it from the file\n"), dry::toString);
    JsonNode report = JSON.readTree(cli.run("migrate", "--dry-run", "--json").out());
    assertTrue(report.get("dryRun").asBoolean());
    JsonNode file = report.get("files").get(0);
    assertEquals("would-migrate", file.get("status").asText());
    assertEquals(currentK6.toString(), file.get("path").asText());
    assertEquals("k6", file.get("service").asText());
    assertEquals("default", file.get("account").asText());
    assertEquals(0, report.get("exitCode").asInt());

    assertEquals(config, Files.readString(currentK6));
    assertFalse(Files.exists(cli.storeFile()), "the store is not even created");
    assertFalse(Files.exists(stateFile));
  }

  // ---- conflicts

  @Test
  void differentTokenAlreadyStored_exitsSeven_thenForceReplacesAndKeepsTheOldAsPrevious()
      throws IOException {
    String stored = CANARY + "stored";
    String config = "{\"collectors\":{\"cloud\":{\"token\":\"" + CANARY + "config\"}}}";
    assertEquals(0, cli.runWithInput(stored + "\n", "login", "k6", "--token-stdin").exitCode());
    write(currentK6, config);

    Result conflict = cli.run("migrate");
    assertEquals(7, conflict.exitCode(), conflict::toString);
    assertTrue(conflict.out().startsWith("conflict         ~/config/k6/config.json  k6 (account "
        + "default): the store already holds a different token for k6 (account default); the "
        + "file is unchanged. Use --force"), conflict::toString);
    assertTrue(conflict.err().startsWith("credstore: 1 of 1 config file not migrated; first: "),
        conflict::toString);
    assertEquals(config, Files.readString(currentK6));
    assertEquals(stored + "\n", cli.run("get", "k6").out());

    Result forced = cli.run("migrate", "--force");
    assertEquals(0, forced.exitCode(), forced::toString);
    assertTrue(forced.out().contains("replacing a different one (kept as its previous secret"),
        forced::toString);
    assertEquals(CANARY + "config\n", cli.run("get", "k6").out());
    assertTrue(JSON.readTree(cli.run("list", "--json").out()).get(0).get("hasPreviousSecret")
        .asBoolean());
    assertEquals("{\"collectors\":{\"cloud\":{}}}", Files.readString(currentK6));
  }

  // ---- any JSON file

  @Test
  void fromArbitraryConfig_withEscapedPointerAndAccount_removesOnlyThatMember()
      throws IOException {
    Path tool = temp.resolve("tool/settings.json");
    write(tool, "{\"profiles\": {\"work\": {\"user\": \"me\", \"api/token\": \"" + CANARY
        + "tool\", \"region\": \"eu\"}}, \"version\": 2}");

    Result migrate = cli.run("migrate", "--from", tool.toString(), "--service", "mytool",
        "--pointer", "/profiles/work/api~1token", "--account", "work");

    assertEquals(0, migrate.exitCode(), migrate::toString);
    assertEquals("{\"profiles\": {\"work\": {\"user\": \"me\", \"region\": \"eu\"}}, "
        + "\"version\": 2}", Files.readString(tool));
    assertTrue(migrate.out().contains("TOKEN=$(credstore get mytool --account work) mytool …"),
        migrate::toString);
    assertEquals(CANARY + "tool\n", cli.run("get", "mytool", "--account", "work").out());
  }

  // ---- bad files: each refused and untouched, the rest still migrated

  @Test
  void malformedSymlinkedImmutableAndDirectoryConfigs_areRefusedUntouched_othersMigrated()
      throws IOException {
    Path malformed = write(temp.resolve("a-malformed.json"),
        "{\"token\": \"" + CANARY + "malformed\",, }");
    Path real = write(temp.resolve("real.json"), "{\"token\": \"" + CANARY + "linked\"}");
    Path link = Files.createSymbolicLink(temp.resolve("b-link.json"), real);
    Path good = write(temp.resolve("c-good.json"), "{\"token\": \"" + CANARY + "good\"}");
    Path directory = Files.createDirectories(temp.resolve("d-directory.json"));
    Path immutable = write(temp.resolve("e-immutable.json"),
        "{\"token\": \"" + CANARY + "immutable\"}");
    // Immutable beats root's permission override, so this is a config even root cannot write.
    boolean canMakeImmutable = chattr("+i", immutable);
    try {
      List<String> args = new ArrayList<>(List.of("migrate", "--json", "--service", "mytool",
          "--pointer", "/token"));
      for (Path path : List.of(malformed, link, good, directory, immutable)) {
        args.addAll(List.of("--from", path.toString()));
      }
      byte[] malformedBefore = Files.readAllBytes(malformed);
      byte[] realBefore = Files.readAllBytes(real);
      byte[] immutableBefore = Files.readAllBytes(immutable);

      Result result = cli.run(args.toArray(String[]::new));

      assertEquals(9, result.exitCode(), "the first failure is the malformed file's\n" + result);
      JsonNode files = JSON.readTree(result.out()).get("files");
      assertEquals(List.of("error", "error", "migrated", "error",
              canMakeImmutable ? "error" : "migrated"),
          Stream.of(0, 1, 2, 3, 4).map(i -> files.get(i).get("status").asText()).toList(),
          result::toString);
      assertEquals(9, files.get(0).get("exitCode").asInt());
      assertTrue(files.get(0).get("message").asText().startsWith("is not valid JSON (line 1"),
          result::toString);
      assertTrue(files.get(1).get("message").asText().startsWith("is a symbolic link to "),
          result::toString);
      assertEquals(8, files.get(1).get("exitCode").asInt());
      assertTrue(files.get(3).get("message").asText().startsWith("is not a regular file"),
          result::toString);
      assertTrue(result.err().startsWith("credstore: " + (canMakeImmutable ? 4 : 3)
          + " of 5 config files not migrated; first: " + malformed + ": is not valid JSON"),
          result::toString);

      assertArrayEquals(malformedBefore, Files.readAllBytes(malformed));
      assertTrue(Files.isSymbolicLink(link));
      assertArrayEquals(realBefore, Files.readAllBytes(real));
      assertEquals("{}", Files.readString(good));
      if (canMakeImmutable) {
        assertTrue(files.get(4).get("message").asText().contains("not writable"),
            result::toString);
        assertArrayEquals(immutableBefore, Files.readAllBytes(immutable));
      }
      Result get = cli.run("get", "mytool");
      assertEquals(CANARY + "good\n", get.out(), "only the good file's token is stored");
    } finally {
      if (canMakeImmutable) {
        chattr("-i", immutable);
      }
    }
  }

  /**
   * A rewrite that genuinely fails after the store write, for root too: the temporary file's
   * name (".NAME.credstore-RANDOM.tmp") exceeds the file system's 255-byte limit.
   */
  @Test
  void rewriteFailsAfterStoreWrite_configUnchanged_tokenInStore_thenRerunScrubs()
      throws IOException {
    String config = "{\"token\": \"" + CANARY + "long\", \"keep\": 1}";
    Path longName = write(temp.resolve("x".repeat(240) + ".json"), config);

    Result failed = cli.run("migrate", "--from", longName.toString(), "--service", "mytool",
        "--pointer", "/token");

    assertEquals(8, failed.exitCode(), failed::toString);
    assertTrue(failed.out().contains("the token is in the store, but the file could not be "
        + "rewritten without it ("), failed::toString);
    assertEquals(config, Files.readString(longName), "the config is exactly as it was");
    assertEquals(CANARY + "long\n", cli.run("get", "mytool").out(), "and the store has it");
    assertFalse(Files.exists(stateFile));

    Path shortName = Files.move(longName, temp.resolve("tool.json"));
    Result again = cli.run("migrate", "--from", shortName.toString(), "--service", "mytool",
        "--pointer", "/token");
    assertEquals(0, again.exitCode(), again::toString);
    assertTrue(again.out().contains("the store already held this token"), again::toString);
    assertEquals("{\"keep\": 1}", Files.readString(shortName));
  }

  // ---- environment

  @Test
  void tokensInEnvironment_areReportedByNameOnly_andDoNotFailTheRun() throws IOException {
    cli.set("K6_CLOUD_TOKEN", CANARY + "env-k6").set("UPSUN_CLI_TOKEN", CANARY + "env-upsun");

    Result text = cli.run("migrate");
    assertEquals(0, text.exitCode(), text::toString);
    assertTrue(text.out().startsWith("no known plaintext config files found; looked in:\n"
        + "  ~/config/k6/config.json\n"), text::toString);
    assertTrue(text.out().contains("\nenvironment      K6_CLOUD_TOKEN is set (service k6): a "
        + "plaintext token in the environment, not migrated"), text::toString);

    JsonNode report = JSON.readTree(cli.run("migrate", "--json").out());
    assertEquals(0, report.get("files").size());
    assertEquals("K6_CLOUD_TOKEN", report.get("environment").get(0).get("variable").asText());
    assertEquals("upsun", report.get("environment").get(1).get("service").asText());
  }

  @Test
  void usageErrors_exitTwo() {
    assertEquals(2, cli.run("migrate", "--pointer", "/token").exitCode());
    assertEquals(2, cli.run("migrate", "--from", "x.json").exitCode());
    assertEquals(2, cli.run("migrate", "--from", "x.json", "--service", "unknown").exitCode());
    Result badPointer = cli.run("migrate", "--from", "x.json", "--service", "k6", "--pointer",
        "token");
    assertEquals(2, badPointer.exitCode(), badPointer::toString);
    assertTrue(badPointer.err().startsWith("credstore: 'token' is not a JSON pointer"),
        badPointer::toString);
  }

  private static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private static boolean chattr(String flag, Path file) {
    try {
      Process process = new ProcessBuilder("chattr", flag, file.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
