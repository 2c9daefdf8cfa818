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
import java.util.List;
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
  void login_emptyEnterAtTheTokenPrompt_asksAgain() {
    ScriptedTerminal terminal = new ScriptedTerminal("", "  ", "third-time-token",
        "new passphrase!", "new passphrase!");
    assertEquals(0, run(terminal, "login", "k6", "--backend", "file"), err::toString);
    assertEquals(3, terminal.prompts.stream().filter(p -> p.contains("Token for k6")).count(),
        terminal.prompts::toString);
    assertTrue(terminal.prompts.get(1).startsWith("Nothing entered"), terminal.prompts::toString);
  }

  @Test
  void login_endOfInputAfterEmptyEnter_exitsTwo_andStoresNothing() {
    assertEquals(2, run(new ScriptedTerminal("  "), "login", "k6", "--backend", "file"));
    assertTrue(err.toString().contains("no token entered"), err::toString);
    assertFalse(Files.exists(home.resolve(".local/share/credstore/credentials.cstore")));
  }

  @Test
  void login_newPassphraseTooShort_saysTheRuleAndAsksAgain_withoutRetypingTheToken() {
    ScriptedTerminal terminal = new ScriptedTerminal("the-token", "short", "long enough!",
        "long enough!");
    assertEquals(0, run(terminal, "login", "k6", "--backend", "file"), err::toString);
    assertEquals(List.of("Token for k6 (account default): ",
        "New passphrase for " + home.resolve(".local/share/credstore/credentials.cstore")
            + " (at least 8 characters): ",
        "Too short. New passphrase for "
            + home.resolve(".local/share/credstore/credentials.cstore")
            + " (at least 8 characters): ",
        "Repeat the new passphrase: "), terminal.prompts);
  }

  @Test
  void login_mismatchedRepetition_asksAgain_thenSucceeds() {
    ScriptedTerminal terminal = new ScriptedTerminal("the-token", "first try!!", "frist try!!",
        "second try!!", "second try!!");
    assertEquals(0, run(terminal, "login", "k6", "--backend", "file"), err::toString);
    assertTrue(terminal.prompts.get(3).startsWith("The passphrases did not match. New passphrase"),
        terminal.prompts::toString);
  }

  @Test
  void login_alreadyLoggedIn_exitsSeven_beforeAskingForTheSecret() {
    assertEquals(0, run(new ScriptedTerminal("first-token", "a passphrase!", "a passphrase!"),
        "login", "k6", "--backend", "file"), err::toString);
    ScriptedTerminal terminal = new ScriptedTerminal("a passphrase!", "second-token");
    assertEquals(7, run(terminal, "login", "k6", "--backend", "file"), err::toString);
    assertEquals(1, terminal.prompts.size(), terminal.prompts::toString);
    assertTrue(terminal.prompts.get(0).startsWith("Passphrase for "), "only the store's passphrase"
        + " is asked, to find the conflict; never the token: " + terminal.prompts);
    assertTrue(err.toString().contains("already logged in to k6"), err::toString);
  }

  private void loginWithPassphrase(String passphrase) {
    assertEquals(0, run(new ScriptedTerminal("the-token", passphrase, passphrase),
        "login", "k6", "--backend", "file"), err::toString);
  }

  @Test
  void get_wrongPassphraseThenRight_saysSorryAndAsksAgain_exitsZero() {
    loginWithPassphrase("the passphrase!");
    ScriptedTerminal terminal = new ScriptedTerminal("wrong passphrase", "the passphrase!");
    assertEquals(0, run(terminal, "get", "k6", "--backend", "file"), err::toString);
    assertEquals("the-token\n", out.toString());
    assertEquals(2, terminal.prompts.size(), terminal.prompts::toString);
    assertTrue(terminal.prompts.get(1).startsWith("Sorry, try again.\nPassphrase for "),
        terminal.prompts::toString);
  }

  @Test
  void get_threeWrongPassphrases_exitsFour_withoutAFourthPrompt() {
    loginWithPassphrase("the passphrase!");
    ScriptedTerminal terminal = new ScriptedTerminal("wrong one", "wrong two", "wrong three",
        "the passphrase!");
    assertEquals(4, run(terminal, "get", "k6", "--backend", "file"), err::toString);
    assertEquals(3, terminal.prompts.size(), terminal.prompts::toString);
    assertTrue(err.toString().contains("wrong passphrase for store")
        && err.toString().contains("(3 tries)"), err::toString);
    assertEquals("", out.toString());
  }

  @Test
  void get_wrongPassphraseInTheEnvironment_isNotAskedAgain_exitsFour() {
    loginWithPassphrase("the passphrase!");
    ScriptedTerminal terminal = new ScriptedTerminal("the passphrase!");
    Map<String, String> environment = Map.of("HOME", home.toString(),
        "CREDSTORE_PASSPHRASE", "wrong passphrase");
    Context context = new Context(environment, new ByteArrayInputStream(new byte[0]), terminal,
        Clock.systemUTC());
    assertEquals(4, Main.run(context, new PrintWriter(out), new PrintWriter(err),
        "get", "k6", "--backend", "file"), err::toString);
    assertEquals(List.of(), terminal.prompts, "a variable would give the same answer again");
  }
}
