package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Questions asked on a real pseudo-terminal (python3's pty module, as in {@link TerminalPromptIT}):
 * {@code login --token-stdin} typed at a terminal prompts without echo, and {@code logout --all}
 * asks before removing everything.
 */
class TerminalUxIT {

  private static final String PASSPHRASE = "terminal ux passphrase";

  @TempDir Path temp;
  private CliProcess cli;
  private Path driver;
  private String credstore;

  @BeforeEach
  void setUp() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")),
        "python3 is needed to allocate a pseudo-terminal");
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    driver = temp.resolve("pty-drive.py");
    try (var in = TerminalUxIT.class.getResourceAsStream("/pty-drive.py")) {
      Files.copy(in, driver);
    }
    credstore = CliProcess.JAVA + " -XX:+UseSerialGC -jar " + CliProcess.JAR;
  }

  @Test
  void loginTokenStdin_typedAtATerminal_promptsWithoutEcho() {
    CliProcess.Result shown = onTerminal(credstore + " login k6 --token-stdin; echo \"exit=$?\"",
        "Token for k6", "typed-at-the-tty-4242");
    assertTrue(shown.out().contains("exit=0"), shown.out());
    assertFalse(shown.out().contains("typed-at-the-tty-4242"), "echoed:\n" + shown.out());
    assertEquals("typed-at-the-tty-4242\n", cli.run("get", "k6").out());
  }

  @Test
  void logoutAll_atATerminal_asksFirst_andNoKeepsEverything() {
    assertEquals(0, cli.runWithInput("one\n", "login", "k6", "--token-stdin").exitCode());
    assertEquals(0, cli.runWithInput("two\n", "login", "upsun", "--token-stdin").exitCode());

    CliProcess.Result no = onTerminal(credstore + " logout --all; echo \"exit=$?\"",
        "Remove all 2 credentials", "n");
    assertTrue(no.out().contains("exit=2"), no.out());
    assertEquals(3, cli.run("list").out().lines().count(), "nothing removed");

    CliProcess.Result yes = onTerminal(credstore + " logout --all; echo \"exit=$?\"",
        "Remove all 2 credentials", "y");
    assertTrue(yes.out().contains("exit=0"), yes.out());
    assertTrue(yes.out().contains("logged out of 2 credentials"), yes.out());
    assertEquals("", cli.run("list").out());
  }

  private CliProcess.Result onTerminal(String command, String... promptsAndAnswers) {
    List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", driver.toString(), command));
    argv.addAll(List.of(promptsAndAnswers));
    return cli.start(argv, cli.home, null);
  }
}
