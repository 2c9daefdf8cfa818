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
 * Prompts on a real pseudo-terminal (driven by python3's pty module): {@code TOKEN=$(credstore get
 * k6)} has no Java console because stdout is captured, yet must prompt for the passphrase on the
 * terminal with echo off, and leave echo on afterwards.
 */
class TerminalPromptIT {

  private static final String PASSPHRASE = "terminal test passphrase";

  @TempDir Path temp;
  private CliProcess cli;
  private Path driver;

  @BeforeEach
  void setUp() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")),
        "python3 is needed to allocate a pseudo-terminal");
    cli = new CliProcess(temp);
    driver = temp.resolve("pty-drive.py");
    try (var in = TerminalPromptIT.class.getResourceAsStream("/pty-drive.py")) {
      Files.copy(in, driver);
    }
  }

  @Test
  void get_inCommandSubstitution_promptsOnTheTerminal_withoutEcho() {
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    assertEquals(0, cli.runWithInput("tty-token-1234\n", "login", "k6", "--token-stdin").exitCode());
    cli.set("CREDSTORE_PASSPHRASE", null);

    String credstore = CliProcess.JAVA + " -XX:+UseSerialGC -jar " + CliProcess.JAR;
    CliProcess.Result shown = onTerminal("T=$(" + credstore + " get k6); echo \"exit=$? token=$T\";"
        + " stty -a | tr ' ' '\\n' | grep -x -- '-\\?echo'", "Passphrase for", PASSPHRASE);

    assertEquals(0, shown.exitCode(), shown.toString());
    assertTrue(shown.out().contains("exit=0 token=tty-token-1234"), shown.out());
    assertFalse(shown.out().contains(PASSPHRASE), "the passphrase was echoed:\n" + shown.out());
    assertTrue(shown.out().lines().anyMatch("echo"::equals), "echo was left off:\n" + shown.out());
  }

  @Test
  void login_onTheTerminal_asksTwiceForANewStorePassphrase_andRefusesAMismatch() {
    String credstore = CliProcess.JAVA + " -XX:+UseSerialGC -jar " + CliProcess.JAR;
    // A mismatch is asked again, up to three rounds, as passwd(1) does.
    CliProcess.Result mismatch = onTerminal(credstore + " login k6; echo \"exit=$?\"",
        "Token for k6", "tty-token-5678",
        "New passphrase for", PASSPHRASE, "Repeat the new passphrase", "something else entirely",
        "New passphrase for", PASSPHRASE, "Repeat the new passphrase", "something else entirely",
        "New passphrase for", PASSPHRASE, "Repeat the new passphrase", "something else entirely");
    assertEquals(2, mismatch.out().split("The passphrases did not match", -1).length - 1,
        mismatch.out());
    assertTrue(mismatch.out().contains("did not match"), mismatch.out());
    assertTrue(mismatch.out().contains("exit=4"), mismatch.out());
    assertFalse(Files.exists(cli.storeFile()), "a failed login must not create the store");
    assertFalse(mismatch.out().contains("tty-token-5678"), "the token was echoed");
  }

  @Test
  void get_wrongPassphraseThenRight_onTheTerminal_saysSorryAndExitsZero() {
    loginWithoutTerminal("tty-token-retry");
    String credstore = CliProcess.JAVA + " -XX:+UseSerialGC -jar " + CliProcess.JAR;
    CliProcess.Result shown = onTerminal("T=$(" + credstore + " get k6); echo \"exit=$? token=$T\"",
        "Passphrase for", "not the passphrase", "Passphrase for", PASSPHRASE);
    assertEquals(0, shown.exitCode(), shown.toString());
    assertTrue(shown.out().contains("Sorry, try again."), shown.out());
    assertTrue(shown.out().contains("exit=0 token=tty-token-retry"), shown.out());
  }

  @Test
  void get_threeWrongPassphrases_onTheTerminal_exitsFour_withoutAFourthPrompt() {
    loginWithoutTerminal("tty-token-retry");
    String credstore = CliProcess.JAVA + " -XX:+UseSerialGC -jar " + CliProcess.JAR;
    CliProcess.Result shown = onTerminal("T=$(" + credstore + " get k6); echo \"exit=$? token=$T\"",
        "Passphrase for", "wrong one", "Passphrase for", "wrong two",
        "Passphrase for", "wrong three");
    assertTrue(shown.out().contains("exit=4 token=\r") || shown.out().contains("exit=4 token=\n"),
        shown.out());
    assertEquals(3, shown.out().split("Passphrase for", -1).length - 1, shown.out());
    assertEquals(2, shown.out().split("Sorry, try again.", -1).length - 1, shown.out());
    assertTrue(shown.out().contains("wrong passphrase for store"), shown.out());
  }

  private void loginWithoutTerminal(String token) {
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    assertEquals(0, cli.runWithInput(token + "\n", "login", "k6", "--token-stdin").exitCode());
    cli.set("CREDSTORE_PASSPHRASE", null);
  }

  private CliProcess.Result onTerminal(String command, String... promptsAndAnswers) {
    List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", driver.toString(), command));
    argv.addAll(List.of(promptsAndAnswers));
    return cli.start(argv, cli.home, null);
  }
}
