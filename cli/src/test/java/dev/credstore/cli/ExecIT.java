package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code credstore exec} as a real process: environment, exit codes, signals. */
class ExecIT {

  private static final String TOKEN = "k6-exec-token-\u00e9 7f3a";

  @TempDir Path temp;
  private CliProcess cli;

  @BeforeEach
  void loggedIn() throws IOException {
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "correct horse battery");
    assertEquals(0, cli.runWithInput(TOKEN + "\n", "login", "k6", "--token-stdin").exitCode());
  }

  @Test
  void exec_secretInServiceVariableNotArgv_stdoutInherited_exitCodePassedOn() throws IOException {
    Path seen = temp.resolve("seen");
    Result result = cli.run("exec", "k6", "--", "sh", "-c", "printf '%s|%s' \"$K6_CLOUD_TOKEN\" "
        + "\"${CREDSTORE_PASSPHRASE-withheld}\" > '" + seen + "'; echo hello from child; exit 42");
    assertEquals(42, result.exitCode(), result::toString);
    assertEquals("hello from child\n", result.out());
    assertEquals("", result.err());
    assertEquals(TOKEN + "|withheld", Files.readString(seen));
    for (String commandLine : cli.commandLines) {
      assertFalse(commandLine.contains("exec-token"), commandLine);
    }

    Result other = cli.run("exec", "k6", "--env", "MY_TOKEN", "--", "sh", "-c",
        "test \"$MY_TOKEN\" = '" + TOKEN + "'");
    assertEquals(0, other.exitCode(), other::toString);
  }

  @Test
  void exec_variableAlreadySet_isPassedThroughWithoutOpeningTheStore() {
    cli.set("CREDSTORE_PASSPHRASE", null).set("K6_CLOUD_TOKEN", "from-the-environment");
    Result result = cli.run("exec", "k6", "--", "sh", "-c",
        "test \"$K6_CLOUD_TOKEN\" = from-the-environment");
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals(4, cli.run("exec", "k6", "--no-env", "--", "true").exitCode(),
        "--no-env reads the store, which needs its passphrase");
  }

  @Test
  void exec_failuresBeforeAndAtStart_haveDistinctCodes() {
    Result notFound = cli.run("exec", "k6", "--", "no-such-command-credstore-test", "arg");
    assertEquals(127, notFound.exitCode(), notFound::toString);
    assertEquals("credstore: command not found: no-such-command-credstore-test\n", notFound.err());
    Result notExecutable = cli.run("exec", "k6", "--", temp.toString());
    assertEquals(126, notExecutable.exitCode(), notExecutable::toString);
    assertEquals(3, cli.run("exec", "upsun", "--", "true").exitCode());
    assertEquals(2, cli.run("exec", "k6").exitCode());
    assertEquals(2, cli.run("exec", "mytool", "--", "true").exitCode(), "no variable known");
    Result killed = cli.run("exec", "k6", "--", "sh", "-c", "kill -KILL $$");
    assertEquals(128 + 9, killed.exitCode(), killed::toString);
  }

  @Test
  void exec_sigtermToCredstore_isForwardedAndItsExitCodeReturned() throws Exception {
    Path ready = temp.resolve("ready");
    List<String> command = new ArrayList<>(List.of(CliProcess.JAVA.toString(), "-jar",
        CliProcess.JAR.toString(), "exec", "k6", "--", "sh", "-c",
        "trap 'exit 7' TERM; : > '" + ready + "'; while :; do sleep 0.1; done"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(temp.resolve("exec.log").toFile());
    builder.environment().clear();
    builder.environment().putAll(cli.environment);
    Process credstore = builder.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(ready) && System.nanoTime() < deadline && credstore.isAlive()) {
        Thread.sleep(50);
      }
      assertTrue(Files.exists(ready), "child never started: " + Files.readString(
          temp.resolve("exec.log")));
      credstore.destroy(); // SIGTERM to the JVM
      assertTrue(credstore.waitFor(60, TimeUnit.SECONDS), "credstore hung after SIGTERM");
      assertEquals(7, credstore.exitValue(), "the child's trap ran and its code came back");
    } finally {
      credstore.destroyForcibly();
    }
  }
}
