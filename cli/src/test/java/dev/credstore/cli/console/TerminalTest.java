package dev.credstore.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminalTest {

  @Test
  void sttyChild_inheritsNothingOfOurEnvironment_andComesFromTheSystemDirectories() {
    ProcessBuilder stty = Terminal.ControllingTerminal.sttyCommand("-echo");
    assertEquals(Map.of("PATH", "/usr/bin:/bin"), stty.environment(),
        "stty needs only the terminal; CREDSTORE_PASSPHRASE and tokens stay with us");
    String program = stty.command().get(0);
    assertTrue(program.equals("/bin/stty") || program.equals("/usr/bin/stty"), program);
    assertEquals("-echo", stty.command().get(1));
  }
}
