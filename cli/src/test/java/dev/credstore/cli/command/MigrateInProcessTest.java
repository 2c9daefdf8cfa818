package dev.credstore.cli.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.migrate.ConfigRewriter;
import dev.credstore.cli.session.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code migrate} in process over the real file store: faults injected into the config rewrite
 * step (whatever fails, the token is in the config or in the store, never in neither), and what a
 * subprocess test need not pay a JVM start for.
 */
class MigrateInProcessTest {

  private static final String TOKEN = "fault-canary-9d2e61";
  private static final String CONFIG = "{\n  \"collectors\": {\n    \"cloud\": {\n"
      + "      \"token\": \"" + TOKEN + "\",\n      \"stackID\": 7\n    }\n  }\n}\n";

  @TempDir Path home;
  private Path config;
  private final List<String> printed = new ArrayList<>();

  @BeforeEach
  void k6Config() throws IOException {
    config = home.resolve(".config/k6/config.json");
    Files.createDirectories(config.getParent());
    Files.writeString(config, CONFIG);
  }

  private record Run(int exitCode, String out, String err) {}

  private Run run(ConfigRewriter rewriter, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> environment = Map.of("HOME", home.toString(),
        "CREDSTORE_BACKEND", "file", "CREDSTORE_PASSPHRASE", "fault test passphrase");
    Context context = new Context(environment, new ByteArrayInputStream(new byte[0]),
        Terminal.none(), Clock.systemUTC());
    PrintWriter outWriter = new PrintWriter(out);
    PrintWriter errWriter = new PrintWriter(err);
    CommandLine commandLine = Credstore.commandLine(context, outWriter, errWriter);
    if (rewriter != null) {
      ((MigrateCommand) commandLine.getSubcommands().get("migrate").getCommand()).rewriter =
          rewriter;
    }
    int code = commandLine.execute(args);
    outWriter.flush();
    errWriter.flush();
    if (!List.of(args).contains("get")) {
      printed.add(out.toString());
    }
    printed.add(err.toString());
    return new Run(code, out.toString(), err.toString());
  }

  private boolean storeHoldsToken() {
    Run get = run(null, "get", "k6", "--no-env");
    return get.exitCode() == 0 && get.out().equals(TOKEN + "\n");
  }

  private boolean configHoldsToken() throws IOException {
    return Files.readString(config).contains(TOKEN);
  }

  @Test
  void rewriteFailsAfterStoreWrite_exitsEight_configUnchanged_tokenInStore_rerunScrubs()
      throws IOException {
    byte[] before = Files.readAllBytes(config);
    Run failed = run((file, expected, content) -> {
      throw new IOException("injected rewrite failure");
    }, "migrate");

    assertEquals(8, failed.exitCode(), failed::toString);
    assertTrue(failed.out().startsWith("error "), failed::toString);
    assertTrue(failed.out().contains("the token is in the store, but the file could not be "
        + "rewritten without it (injected rewrite failure); the file is unchanged"),
        failed::toString);
    assertTrue(failed.err().startsWith("credstore: 1 of 1 config file not migrated; first: "
        + "~/.config/k6/config.json: "), failed::toString);
    assertArrayEquals(before, Files.readAllBytes(config));
    assertTrue(storeHoldsToken(), "the store holds the token");
    assertFalse(Files.exists(home.resolve(".local/state/credstore/migrations.json")),
        "a failed file is not recorded");

    Run again = run(null, "migrate");
    assertEquals(0, again.exitCode(), again::toString);
    assertTrue(again.out().startsWith("migrated "), again::toString);
    assertTrue(again.out().contains("the store already held this token"), again::toString);
    assertFalse(configHoldsToken());
    assertTrue(storeHoldsToken());
    assertNoLeak();
  }

  @Test
  void toolRewritesConfigDuringMigration_itsWriteWins_andTheTokenIsStillSomewhere()
      throws IOException {
    String toolsVersion = CONFIG.replace("\"stackID\": 7", "\"stackID\": 8");
    Run raced = run((file, expected, content) -> {
      Files.writeString(file, toolsVersion); // k6 saves its config at just the wrong moment
      ConfigRewriter.ATOMIC.rewrite(file, expected, content);
    }, "migrate");

    assertEquals(8, raced.exitCode(), raced::toString);
    assertTrue(raced.out().contains("it changed while credstore was migrating it"),
        raced::toString);
    assertEquals(toolsVersion, Files.readString(config));
    assertTrue(storeHoldsToken());
    try (var siblings = Files.list(config.getParent())) {
      assertEquals(List.of(config), siblings.toList(), "no temporary file is left behind");
    }
    assertNoLeak();
  }

  @Test
  void keepPlaintext_storesButLeavesConfigUntouched_recordsIt_andRerunIsNoOp()
      throws IOException {
    byte[] before = Files.readAllBytes(config);

    Run kept = run(null, "migrate", "--keep-plaintext");
    assertEquals(0, kept.exitCode(), kept::toString);
    assertTrue(kept.out().startsWith("migrated "), kept::toString);
    assertTrue(kept.out().contains("the plaintext stays in the file (--keep-plaintext)"),
        kept::toString);
    assertArrayEquals(before, Files.readAllBytes(config));
    assertTrue(storeHoldsToken());
    String state = Files.readString(home.resolve(".local/state/credstore/migrations.json"));
    assertTrue(state.contains("\"plaintextKept\" : true"), state);
    assertTrue(state.contains("\"scrubbedSha256\" : null"), "no hash of a file with a token");

    Run again = run(null, "migrate", "--keep-plaintext");
    assertEquals(0, again.exitCode(), again::toString);
    assertTrue(again.out().startsWith("already-migrated "), again::toString);

    Run scrub = run(null, "migrate");
    assertEquals(0, scrub.exitCode(), scrub::toString);
    assertFalse(configHoldsToken());
    assertNoLeak();
  }

  @Test
  void runningAsRoot_keepsTheConfigsOwnerGroupAndMode() throws IOException {
    Path probe = Files.createFile(home.resolve("probe"));
    assumeTrue(Files.getOwner(probe).getName().equals("root"), "needs root to chown");
    UserPrincipalLookupService users = home.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal nobody = users.lookupPrincipalByName("nobody");
    GroupPrincipal group;
    try {
      group = users.lookupPrincipalByGroupName("nogroup"); // Debian
    } catch (UserPrincipalNotFoundException e) {
      group = users.lookupPrincipalByGroupName("nobody"); // Fedora, Alpine
    }
    Files.setOwner(config, nobody);
    Files.getFileAttributeView(config, PosixFileAttributeView.class).setGroup(group);
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw----"));

    Run migrate = run(null, "migrate");

    assertEquals(0, migrate.exitCode(), migrate::toString);
    assertFalse(configHoldsToken());
    PosixFileAttributes after = Files.readAttributes(config, PosixFileAttributes.class);
    assertEquals(nobody, after.owner());
    assertEquals(group, after.group());
    assertEquals("rw-rw----", PosixFilePermissions.toString(after.permissions()));
  }

  @Test
  void hardLinkedConfig_isRefusedBeforeTheStoreIsOpened() throws IOException {
    Files.createLink(home.resolve("second-name.json"), config);
    byte[] before = Files.readAllBytes(config);

    Run refused = run(null, "migrate");

    assertEquals(8, refused.exitCode(), refused::toString);
    assertTrue(refused.out().contains("has 2 hard links; rewriting it would leave the token "
        + "behind under the other names"), refused::toString);
    assertArrayEquals(before, Files.readAllBytes(config));
    assertFalse(Files.exists(home.resolve(".local/share/credstore/credentials.cstore")));
  }

  private void assertNoLeak() {
    for (String text : printed) {
      assertFalse(text.contains(TOKEN), () -> "token printed: " + text);
    }
  }
}
