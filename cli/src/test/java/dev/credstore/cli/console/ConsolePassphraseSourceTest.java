package dev.credstore.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.PassphraseSource.Purpose;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import org.junit.jupiter.api.Test;

class ConsolePassphraseSourceTest {

  @Test
  void unlock_asksOnce() throws Exception {
    ScriptedTerminal terminal = new ScriptedTerminal("a passphrase");
    try (Secret secret = new ConsolePassphraseSource(terminal)
        .passphrase(Purpose.UNLOCK, "/s").orElseThrow()) {
      assertEquals(12, secret.length());
    }
    assertEquals(1, terminal.prompts.size());
    assertEquals("Passphrase for /s: ", terminal.prompts.get(0));
  }

  @Test
  void create_asksTwice_andZeroesWhatWasTyped() throws Exception {
    ScriptedTerminal terminal = new ScriptedTerminal("a passphrase", "a passphrase");
    new ConsolePassphraseSource(terminal).passphrase(Purpose.CREATE, "/s").orElseThrow().close();
    assertEquals(2, terminal.prompts.size());
    for (char[] typed : terminal.handedOut) {
      assertTrue(new String(typed).chars().allMatch(c -> c == 0));
    }
  }

  @Test
  void create_mismatch_isAnAuthenticationFailure() {
    ScriptedTerminal terminal = new ScriptedTerminal("a passphrase", "another one");
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> new ConsolePassphraseSource(terminal).passphrase(Purpose.CREATE, "/s"));
    assertTrue(e.getMessage().contains("did not match"));
  }

  @Test
  void noTerminal_hasNoAnswer() throws Exception {
    assertTrue(new ConsolePassphraseSource(Terminal.none())
        .passphrase(Purpose.UNLOCK, "/s").isEmpty());
  }

  @Test
  void endOfInput_isAnAuthenticationFailure() {
    assertThrows(AuthenticationException.class,
        () -> new ConsolePassphraseSource(new ScriptedTerminal()).passphrase(Purpose.UNLOCK, "/s"));
  }
}
