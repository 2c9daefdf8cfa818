package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.console.ScriptedTerminal;
import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.session.Context;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-process runs with a scripted terminal: the prompt paths a subprocess test cannot reach,
 * because a child process has no console.
 */
class PromptingTest {

  @TempDir Path home;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Terminal terminal, String... args) {
    Map<String, String> environment = Map.of("HOME", home.toString());
    Context context = new Context(environment, new ByteArrayInputStream(new byte[0]), terminal,
        Clock.systemUTC());
    return Main.run(context, new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void login_promptsForTokenThenNewPassphraseTwice_thenGetUnlocksWithOnePrompt() {
    ScriptedTerminal terminal =
        new ScriptedTerminal("prompted-token", "new passphrase!", "new passphrase!");
    assertEquals(0, run(terminal, "login", "k6", "--backend", "file"), err::toString);
    assertEquals(3, terminal.prompts.size(), terminal.prompts::toString);
    assertEquals("Token for k6 (account default): ", terminal.prompts.get(0));
    assertTrue(terminal.prompts.get(1).startsWith("New passphrase for "), terminal.prompts::toString);
    assertEquals("", out.toString());
    for (char[] typed : terminal.handedOut) {
      assertTrue(new String(typed).chars().allMatch(c -> c == 0), "typed chars are zeroed");
    }

    ScriptedTerminal unlock = new ScriptedTerminal("new passphrase!");
    assertEquals(0, run(unlock, "get", "k6", "--backend", "file"), err::toString);
    assertEquals("prompted-token\n", out.toString());
    assertEquals(1, unlock.prompts.size());
  }

  @Test
  void login_mismatchedNewPassphrase_exitsFour_andCreatesNoStore() {
    ScriptedTerminal terminal = new ScriptedTerminal("prompted-token", "first try!!", "second try!!");
    assertEquals(4, run(terminal, "login", "k6", "--backend", "file"));
    assertTrue(err.toString().startsWith("credstore: the passphrases did not match"),
        err::toString);
    assertFalse(Files.exists(home.resolve(".local/share/credstore/credentials.cstore")));
  }

  @Test
  void login_emptyPrompt_exitsTwo() {
    assertEquals(2, run(new ScriptedTerminal("  "), "login", "k6", "--backend", "file"));
    assertTrue(err.toString().contains("empty or only whitespace"), err::toString);
  }
}
