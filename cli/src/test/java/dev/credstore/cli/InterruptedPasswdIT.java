package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code passwd} and {@code rekey} killed with SIGKILL at random moments of their run: the store
 * must still open, with the old passphrase or the new one, and hold every credential. {@code
 * -Dcredstore.killTrials=N} runs more trials than the quick default.
 */
class InterruptedPasswdIT {

  private static final int TRIALS = Integer.getInteger("credstore.killTrials", 3);
  private static final int REKEY_TRIALS = Math.max(1, TRIALS - 1);

  @TempDir Path temp;
  private CliProcess cli;
  private final Random random = new Random(20261123L);
  private long loginMillis;

  @BeforeEach
  void loggedIn() throws IOException {
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "passphrase-0");
    long started = System.nanoTime();
    assertEquals(0, cli.runWithInput("token-k6\n", "login", "k6", "--token-stdin").exitCode());
    // login is JVM start-up plus one Argon2id run; passwd has two (unlock, new key) and rekey
    // one, so kills spread over 0.3x to 1.5x of it land before, in and after their writes.
    loginMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  private void killSomewhereIn(String newPassphrase, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(CliProcess.JAVA.toString(),
        "-XX:+UseSerialGC", "-jar", CliProcess.JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().clear();
    builder.environment().putAll(cli.environment);
    if (newPassphrase != null) {
      builder.environment().put("CREDSTORE_NEW_PASSPHRASE", newPassphrase);
    }
    Process process = builder.start();
    Thread.sleep(loginMillis * 3 / 10 + random.nextInt((int) Math.max(1, loginMillis * 12 / 10)));
    process.destroyForcibly(); // SIGKILL
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "killed process did not go away");
  }

  /** Which of the passphrases opens the store and shows the token; fails if none does. */
  private String opensWith(String... passphrases) {
    List<String> attempts = new ArrayList<>();
    for (String passphrase : passphrases) {
      cli.set("CREDSTORE_PASSPHRASE", passphrase);
      Result get = cli.run("get", "k6");
      if (get.exitCode() == 0) {
        assertEquals("token-k6\n", get.out());
        return passphrase;
      }
      attempts.add(passphrase + ": " + get);
    }
    throw new AssertionError("the store opens with no passphrase: " + attempts);
  }

  @Test
  void passwdKilledAtRandom_leavesStoreOpeningWithOldOrNewPassphrase() throws Exception {
    String current = "passphrase-0";
    int committed = 0;
    for (int trial = 1; trial <= TRIALS; trial++) {
      String next = "passphrase-" + trial;
      cli.set("CREDSTORE_PASSPHRASE", current);
      killSomewhereIn(next, "passwd");
      String opened = opensWith(current, next);
      committed += opened.equals(next) ? 1 : 0;
      current = opened;
    }
    System.out.println("passwd: " + committed + " of " + TRIALS + " killed runs had committed");
  }

  @Test
  void rekeyKilledAtRandom_leavesStoreOpeningWithItsPassphrase() throws Exception {
    for (int trial = 1; trial <= REKEY_TRIALS; trial++) {
      killSomewhereIn(null, "rekey");
      assertEquals("passphrase-0", opensWith("passphrase-0"));
    }
  }
}
