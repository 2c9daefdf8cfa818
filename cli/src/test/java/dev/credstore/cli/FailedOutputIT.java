package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command whose standard output could not be written did not do what it says: {@code credstore
 * get k6 > token} on a full disk must not exit 0 with an empty file. Standard output here is
 * {@code /dev/full} (every write fails with ENOSPC) or a closed descriptor.
 */
class FailedOutputIT {

  @TempDir Path temp;
  private CliProcess cli;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "failed-output passphrase");
    Result login = cli.runWithInput("tok-failed-output\n", "login", "k6", "--token-stdin");
    assertEquals(0, login.exitCode(), login::toString);
  }

  @Test
  void everyCommandThatPrints_exitsEight_whenStandardOutputIsFull() {
    List<String> wrong = new ArrayList<>();
    for (String[] args : new String[][] {{"get", "k6"}, {"get", "k6", "--json"},
        {"list"}, {"list", "--json"}, {"status"}, {"status", "--json"}, {"--help"},
        {"--version"}, {"get", "--help"}}) {
      Result result = redirected("> /dev/full", args);
      if (result.exitCode() != 8
          || !result.err().contains("cannot write to standard output: No space left on device")) {
        wrong.add(String.join(" ", args) + ": " + result);
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void get_exitsEight_whenStandardOutputIsClosed() {
    Result result = redirected(">&-", "get", "k6");
    assertEquals(8, result.exitCode(), result::toString);
    assertTrue(result.err().contains("cannot write to standard output"), result::toString);
  }

  @Test
  void dockerHelper_exitsOne_asItsProtocolSays() {
    Result result = redirected("> /dev/full", "docker-credential", "list");
    assertEquals(1, result.exitCode(), result::toString);
  }

  @Test
  void failedCommand_keepsItsOwnExitCode() {
    Result result = redirected("> /dev/full", "get", "not-stored");
    assertEquals(3, result.exitCode(), result::toString);
  }

  private Result redirected(String redirection, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$@\" " + redirection, "sh",
        CliProcess.JAVA.toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData", "-jar",
        CliProcess.JAR.toString()));
    command.addAll(List.of(args));
    return cli.start(command, cli.home, null);
  }
}
