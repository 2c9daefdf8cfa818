package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Faults injected into the config rewrite step, in process over the real file store: whatever
 * fails, the token is in the config or in the store, never in neither.
 */
class MigrateFaultTest {

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

  private void assertNoLeak() {
    for (String text : printed) {
      assertFalse(text.contains(TOKEN), () -> "token printed: " + text);
    }
  }
}
