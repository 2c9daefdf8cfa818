package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credstore.cli.console.ScriptedTerminal;
import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.session.Context;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-process runs of rotate, status --max-age, passwd and rekey against a real file store, with a
 * clock the test moves: ages are exact, not waited for.
 */
class RotationTest {

  private static final String PASSPHRASE = "correct horse battery";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  private final MovableClock clock = new MovableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final Map<String, String> environment = new HashMap<>();
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void environment() {
    environment.put("HOME", home.toString());
    environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("CREDSTORE_BACKEND", "file");
    environment.put("CREDSTORE_PASSPHRASE", PASSPHRASE);
  }

  private int run(String stdin, Terminal terminal, String... args) {
    out = new StringWriter();
    err = new StringWriter();
    Context context = new Context(environment,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), terminal, clock);
    return Main.run(context, new PrintWriter(out), new PrintWriter(err), args);
  }

  private int run(String stdin, String... args) {
    return run(stdin, Terminal.none(), args);
  }

  private String get(String service) {
    assertEquals(0, run("", "get", service, "--no-env"), () -> err.toString());
    return out.toString();
  }

  private void login(String service, String token) {
    assertEquals(0, run(token + "\n", "login", service, "--token-stdin"), () -> err.toString());
  }

  @Test
  void rotate_storesNewSecret_keepsPreviousForRollback_andStampsRotatedAt() throws Exception {
    login("k6", "old-token");
    clock.advance(Duration.ofDays(10));
    assertEquals(0, run("new-token\n", "rotate", "k6", "--token-stdin", "--json"),
        () -> err.toString());
    JsonNode rotated = JSON.readTree(out.toString());
    assertEquals("rotated", rotated.get("action").asText());
    assertEquals("2025-01-11T00:00:00Z", rotated.get("rotatedAt").asText());
    assertTrue(rotated.get("hasPreviousSecret").asBoolean());
    assertFalse(out.toString().contains("old-token"), "previous secret is never printed");
    assertTrue(err.toString().startsWith("rotated k6 (account default); the previous secret is "
        + "kept for 'credstore rotate k6 --rollback'"), err::toString);
    assertEquals("new-token\n", get("k6"));

    assertEquals(0, run("", "list", "--json"));
    assertFalse(out.toString().contains("old-token"));
    assertTrue(JSON.readTree(out.toString()).get(0).get("hasPreviousSecret").asBoolean());
    assertEquals(0, run("", "status", "--json"));
    assertFalse(out.toString().contains("old-token"));
  }

  @Test
  void rotate_verifyPasses_storesSecretTheCommandSawInTheServiceVariable() throws Exception {
    login("k6", "old-token");
    Path seen = home.resolve("seen");
    assertEquals(0, run("new-token\n", "rotate", "k6", "--token-stdin", "--verify", "--",
        "sh", "-c", "printf %s \"$K6_CLOUD_TOKEN\" > '" + seen + "'; echo checked >&2"),
        () -> err.toString());
    assertEquals("new-token", Files.readString(seen));
    assertTrue(err.toString().startsWith("checked\n"), err::toString);
    assertEquals("", out.toString(), "the command's output stays off standard output");
    assertEquals("new-token\n", get("k6"));
  }

  @Test
  void rotate_verifyFails_exitsFourAndKeepsOldSecret() {
    login("k6", "old-token");
    assertEquals(4, run("new-token\n", "rotate", "k6", "--token-stdin", "--verify", "--",
        "sh", "-c", "echo 'token rejected: 401' >&2; exit 1"));
    assertTrue(err.toString().contains("token rejected: 401"), err::toString);
    assertTrue(err.toString().contains("credstore: verification command sh exited 1"),
        err::toString);
    assertTrue(err.toString().contains("nothing was changed"), err::toString);
    assertEquals("old-token\n", get("k6"));
    assertEquals(0, run("", "list", "--json"));
    assertTrue(out.toString().contains("\"hasPreviousSecret\":false"), out::toString);
  }

  @Test
  void rotate_verifyOutlastsTimeout_exitsFourAndKeepsOldSecret() {
    login("k6", "old-token");
    long started = System.nanoTime();
    assertEquals(4, run("new-token\n", "rotate", "k6", "--token-stdin", "--verify-timeout", "1s",
        "--verify", "--", "sleep", "60"));
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos(), "no hang");
    assertTrue(err.toString().contains("did not finish within 1s"), err::toString);
    assertEquals("old-token\n", get("k6"));
  }

  @Test
  void rotate_verifyForServiceWithoutVariable_needsEnv() throws Exception {
    login("mytool", "old-token");
    assertEquals(2, run("new-token\n", "rotate", "mytool", "--token-stdin", "--verify", "--",
        "true"));
    assertTrue(err.toString().contains("--env VAR"), err::toString);
    Path seen = home.resolve("seen");
    assertEquals(0, run("new-token\n", "rotate", "mytool", "--token-stdin", "--env", "MYTOOL_KEY",
        "--verify", "--", "sh", "-c", "printf %s \"$MYTOOL_KEY\" > '" + seen + "'"),
        () -> err.toString());
    assertEquals("new-token", Files.readString(seen));
  }

  @Test
  void rotate_verifyCommandMissing_exits127() {
    login("k6", "old-token");
    assertEquals(127, run("new-token\n", "rotate", "k6", "--token-stdin", "--verify", "--",
        "no-such-command-credstore-test"));
    assertTrue(err.toString().contains("command not found: no-such-command-credstore-test"),
        err::toString);
    assertEquals("old-token\n", get("k6"));
  }

  @Test
  void rotate_usageErrors_exitTwo_andNotLoggedInExitsThree() {
    login("k6", "old-token");
    assertEquals(2, run("old-token\n", "rotate", "k6", "--token-stdin"));
    assertTrue(err.toString().contains("same as the stored one"), err::toString);
    assertEquals(2, run("", "rotate", "k6"));
    assertTrue(err.toString().contains("no terminal"), err::toString);
    assertEquals(2, run("x\n", "rotate", "k6", "--token-stdin", "--verify"));
    assertEquals(2, run("x\n", "rotate", "k6", "--rollback", "--token-stdin"));
    assertEquals(2, run("x\n", "rotate", "k6", "--token-stdin", "--verify-timeout", "soon",
        "--verify", "--", "true"));
    assertEquals(3, run("x\n", "rotate", "upsun", "--token-stdin"));
    assertTrue(err.toString().contains("not logged in to upsun"), err::toString);
    assertEquals("old-token\n", get("k6"));
  }

  @Test
  void rotate_promptsForTheNewSecret() {
    login("k6", "old-token");
    ScriptedTerminal terminal = new ScriptedTerminal("typed-token");
    assertEquals(0, run("", terminal, "rotate", "k6"), () -> err.toString());
    assertEquals("New secret for k6 (account default): ", terminal.prompts.get(0));
    assertEquals("typed-token\n", get("k6"));
  }

  @Test
  void rollback_restoresPreviousSecret_keepsNone_thenExitsThree() throws Exception {
    login("k6", "old-token");
    clock.advance(Duration.ofDays(5));
    assertEquals(0, run("bad-new-token\n", "rotate", "k6", "--token-stdin"));
    clock.advance(Duration.ofDays(1));
    assertEquals(0, run("", "rotate", "k6", "--rollback", "--json"), () -> err.toString());
    JsonNode rolledBack = JSON.readTree(out.toString());
    assertEquals("rolledBack", rolledBack.get("action").asText());
    assertFalse(rolledBack.get("hasPreviousSecret").asBoolean());
    assertTrue(rolledBack.get("rotatedAt").isNull());
    assertEquals(6 * 86_400, rolledBack.get("ageSeconds").asLong(),
        "the restored secret's age counts from creation");
    assertEquals("2025-01-07T00:00:00Z", rolledBack.get("updatedAt").asText());
    assertEquals("old-token\n", get("k6"));

    assertEquals(3, run("", "rotate", "k6", "--rollback"));
    assertTrue(err.toString().contains("has no previous secret to roll back to"), err::toString);
    assertEquals("old-token\n", get("k6"));
  }

  @Test
  void rollback_withVerify_checksThePreviousSecretFirst() {
    login("k6", "old-token");
    assertEquals(0, run("new-token\n", "rotate", "k6", "--token-stdin"));
    assertEquals(4, run("", "rotate", "k6", "--rollback", "--verify", "--", "sh", "-c",
        "test \"$K6_CLOUD_TOKEN\" = something-else"));
    assertEquals("new-token\n", get("k6"));
    assertEquals(0, run("", "rotate", "k6", "--rollback", "--verify", "--", "sh", "-c",
        "test \"$K6_CLOUD_TOKEN\" = old-token"), () -> err.toString());
    assertEquals("old-token\n", get("k6"));
  }

  @Test
  void statusMaxAge_exitsZeroWhenFresh_andTenListingOnlyTheOverdue() throws Exception {
    login("k6", "k6-token");
    clock.advance(Duration.ofDays(60));
    login("upsun", "upsun-token");
    clock.advance(Duration.ofDays(31));

    assertEquals(0, run("", "status", "--max-age", "100d"), () -> err.toString());
    assertTrue(out.toString().startsWith("no credential is older than 100d (2 checked"),
        out::toString);

    assertEquals(10, run("", "status", "--max-age", "90d"));
    assertTrue(out.toString().startsWith("1 of 2 credentials are older than 90d"), out::toString);
    assertTrue(out.toString().contains("\nk6 "), out::toString);
    assertFalse(out.toString().contains("upsun"), out::toString);

    assertEquals(10, run("", "status", "--max-age", "P30D", "--json"));
    JsonNode report = JSON.readTree(out.toString());
    assertEquals(30 * 86_400, report.get("maxAgeSeconds").asLong());
    assertEquals(2, report.get("overdue").size());

    // Rotation resets the age.
    assertEquals(0, run("k6-token-2\n", "rotate", "k6", "--token-stdin"));
    assertEquals(0, run("", "status", "--max-age", "90d"), () -> out.toString());
    // Exactly the limit is not older than it.
    assertEquals(0, run("", "logout", "upsun"));
    clock.advance(Duration.ofDays(90));
    assertEquals(0, run("", "status", "--max-age", "2160h"), () -> out.toString());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(10, run("", "status", "--max-age", "2160h"));

    assertEquals(2, run("", "status", "--max-age", "soon"));
    assertTrue(err.toString().contains("not a duration"), err::toString);
    assertEquals(4, run("", "status", "--max-age", "1d", "--passphrase-file",
        home.resolve("absent").toString()), "errors keep their own codes");
  }

  @Test
  void passwd_changesPassphrase_fromVariable_andPromptAskedTwice() {
    login("k6", "k6-token");
    environment.put("CREDSTORE_NEW_PASSPHRASE", "second passphrase");
    assertEquals(0, run("", "passwd"), () -> err.toString());
    assertTrue(err.toString().startsWith("changed the passphrase of the file store at "),
        err::toString);
    assertTrue(err.toString().contains("CREDSTORE_PASSPHRASE still holds the old passphrase"),
        err::toString);
    environment.remove("CREDSTORE_NEW_PASSPHRASE");
    assertEquals(4, run("", "get", "k6"), "the old passphrase no longer opens it");

    environment.put("CREDSTORE_PASSPHRASE", "second passphrase");
    ScriptedTerminal mismatch = new ScriptedTerminal("third passphrase", "third passphrasE");
    assertEquals(4, run("", mismatch, "passwd"));
    assertTrue(err.toString().contains("did not match"), err::toString);
    assertEquals("k6-token\n", get("k6"));

    ScriptedTerminal terminal = new ScriptedTerminal("third passphrase", "third passphrase");
    assertEquals(0, run("", terminal, "passwd"), () -> err.toString());
    assertEquals(java.util.List.of("New passphrase (at least 8 characters): ",
        "Repeat the new passphrase: "),
        terminal.prompts);
    environment.put("CREDSTORE_PASSPHRASE", "third passphrase");
    assertEquals("k6-token\n", get("k6"));

    environment.put("CREDSTORE_NEW_PASSPHRASE", "short");
    assertEquals(2, run("", "passwd"));
    assertTrue(err.toString().contains("at least 8 characters"), err::toString);
    environment.remove("CREDSTORE_NEW_PASSPHRASE");
    assertEquals(4, run("", "passwd"), "no new passphrase and no terminal");
    assertTrue(err.toString().contains("--new-passphrase-file"), err::toString);
    assertEquals("k6-token\n", get("k6"));
  }

  @Test
  void passwd_newPassphraseFile_mustBePrivate() throws Exception {
    login("k6", "k6-token");
    Path file = home.resolve("new-passphrase");
    Files.writeString(file, "from a file 123\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions
        .fromString("rw-r--r--"));
    assertEquals(4, run("", "passwd", "--new-passphrase-file", file.toString()));
    assertTrue(err.toString().contains("chmod 600"), err::toString);
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions
        .fromString("rw-------"));
    assertEquals(0, run("", "passwd", "--new-passphrase-file", file.toString()),
        () -> err.toString());
    environment.put("CREDSTORE_PASSPHRASE", "from a file 123");
    assertEquals("k6-token\n", get("k6"));
  }

  @Test
  void passwdAndRekey_withoutStore_exitThree() {
    assertEquals(3, run("", "rekey"));
    assertTrue(err.toString().contains("there is no store at"), err::toString);
    environment.put("CREDSTORE_NEW_PASSPHRASE", "second passphrase");
    assertEquals(3, run("", "passwd"));
  }

  @Test
  void rekey_keepsEveryCredentialAndThePassphrase_changingTheFile() throws Exception {
    login("k6", "k6-token");
    assertEquals(0, run("k6-token-2\n", "rotate", "k6", "--token-stdin"));
    login("upsun", "upsun-token");
    Path store = home.resolve(".local/share/credstore/credentials.cstore");
    byte[] before = Files.readAllBytes(store);
    assertEquals(0, run("", "rekey"), () -> err.toString());
    assertTrue(err.toString().startsWith("rotated the data key of the file store at "),
        err::toString);
    assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(store)));
    assertEquals("k6-token-2\n", get("k6"));
    assertEquals("upsun-token\n", get("upsun"));
    assertEquals(0, run("", "rotate", "k6", "--rollback"), "the previous secret survives");
    assertEquals("k6-token\n", get("k6"));
  }

  /** A clock that stands still until the test moves it. */
  static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
