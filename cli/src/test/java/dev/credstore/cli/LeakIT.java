package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.testing.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One home directory taken through every command, successes and failures, then searched for the
 * secrets: every stdout except the few that exist to print a secret, every stderr, every file left
 * anywhere under the home directory (store, lock, state, migrated config, caches), the command
 * line of every credstore process, and the command lines of the processes credstore spawns.
 */
class LeakIT {

  private static final String TOKEN = "LEAK-k6-token-7c1d9e02";
  private static final String ROTATED = "LEAK-k6-rotated-51aa7f";
  private static final String API_SECRET = "LEAK-api-secret-3b8f44";
  private static final String PLAINTEXT = "LEAK-plaintext-config-9e0c";
  private static final String GIT_PASSWORD = "LEAK-git-password-a1b2";
  private static final String PASSPHRASE = "LEAK-passphrase-d4e5f6";
  private static final List<String> SECRETS =
      List.of(TOKEN, ROTATED, API_SECRET, PLAINTEXT, GIT_PASSWORD, PASSPHRASE);

  @TempDir Path temp;

  @Test
  void noSecretAppearsInOutputFilesOrCommandLines_acrossEveryCommand() throws IOException {
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    Path spawned = cli.home.resolve("spawned-cmdlines");
    String dumpCmdlines = "cat /proc/$$/cmdline /proc/$PPID/cmdline >> '" + spawned + "'";
    Path config = Files.createDirectories(cli.configHome.resolve("k6")).resolve("config.json");
    Files.writeString(config, "{\"collectors\":{\"cloud\":{\"token\":\"" + PLAINTEXT
        + "\",\"stackID\":7}}}\n");

    List<CliProcess.Result> allowedToPrint = new ArrayList<>();
    expect(0, cli.runWithInput(TOKEN + "\n", "login", "k6", "--token-stdin", "--stack", "s"));
    expect(7, cli.runWithInput(TOKEN + "\n", "login", "k6", "--token-stdin"));
    expect(0, cli.runWithInput(API_SECRET + "\n", "login", "appcircle", "--api-key", "key-1",
        "--secret-stdin"));
    allowedToPrint.add(expect(0, cli.run("get", "k6")));
    allowedToPrint.add(expect(0, cli.run("get", "appcircle", "--json")));
    expect(0, cli.run("list"));
    expect(0, cli.run("list", "--json"));
    expect(0, cli.run("status"));
    expect(0, cli.run("status", "--json"));
    expect(4, cli.runWithInput(ROTATED + "\n", "rotate", "k6", "--token-stdin", "--verify",
        "--", "sh", "-c", dumpCmdlines + "; exit 3"));
    expect(0, cli.runWithInput(ROTATED + "\n", "rotate", "k6", "--token-stdin", "--verify",
        "--", "sh", "-c", dumpCmdlines + "; test -n \"$K6_CLOUD_TOKEN\""));
    expect(0, cli.run("exec", "k6", "--", "sh", "-c", dumpCmdlines));
    expect(0, cli.run("status", "--max-age", "90d"));
    expect(7, cli.run("migrate"));
    expect(0, cli.run("migrate", "--force"));
    expect(0, cli.runWithInput("protocol=https\nhost=git.example\nusername=me\npassword="
        + GIT_PASSWORD + "\n\n", "git-credential", "store"));
    allowedToPrint.add(expect(0, cli.runWithInput("protocol=https\nhost=git.example\n\n",
        "git-credential", "get")));
    expect(0, cli.run("rotate", "k6", "--rollback"));
    cli.set("CREDSTORE_PASSPHRASE", "not the passphrase");
    expect(4, cli.run("get", "k6"));
    expect(4, cli.run("list"));
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    expect(0, cli.run("logout", "--all", "--yes"));

    List<String> leaks = new ArrayList<>();
    for (CliProcess.Result result : cli.results) {
      boolean mayPrint = allowedToPrint.contains(result);
      for (String secret : SECRETS) {
        if (!mayPrint && result.out().contains(secret)) {
          leaks.add("stdout of " + result.command() + " contains " + secret);
        }
        if (result.err().contains(secret)) {
          leaks.add("stderr of " + result.command() + " contains " + secret);
        }
        if (String.join(" ", result.command()).contains(secret)) {
          leaks.add("argv of " + result.command() + " contains " + secret);
        }
      }
    }
    for (String commandLine : cli.commandLines) {
      SECRETS.stream().filter(commandLine::contains)
          .forEach(s -> leaks.add("/proc/PID/cmdline of credstore contains " + s));
    }
    assertTrue(Files.size(spawned) > 0, "the spawned commands did not record their cmdlines");
    String spawnedCommandLines = Files.readString(spawned, StandardCharsets.UTF_8);
    SECRETS.stream().filter(spawnedCommandLines::contains)
        .forEach(s -> leaks.add("a spawned process's cmdline (or its parent's) contains " + s));
    try (Stream<Path> files = Files.walk(cli.home)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        for (String secret : SECRETS) {
          if (Bytes.contains(bytes, secret.getBytes(StandardCharsets.UTF_8))) {
            leaks.add(cli.home.relativize(file) + " contains " + secret);
          }
        }
        if (file.getFileName().toString().endsWith(".tmp")) {
          leaks.add("temp file left behind: " + cli.home.relativize(file));
        }
      }
    }
    System.out.println("leaks: " + cli.results.size() + " commands, "
        + cli.commandLines.size() + " credstore command lines and the spawned processes'"
        + " scanned for " + SECRETS.size() + " secrets: " + leaks.size() + " found");
    assertEquals(List.of(), leaks);
  }

  @Test
  void secretsWithControlCharacters_andVerifyOutput_neverReachAMessage() throws IOException {
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
    String nulHead = "LEAK-nul-head-1a2b";
    String nulTail = "LEAK-nul-tail-3c4d";
    String secondLine = "LEAK-second-line-5e6f";
    List<CliProcess.Result> refused = new ArrayList<>();
    refused.add(expect(2, cli.runWithInput(nulHead + "\0" + nulTail + "\n", "login", "k6",
        "--token-stdin")));
    refused.add(expect(2, cli.runWithInput(nulHead + "\u001b[31m" + nulTail, "login", "k6",
        "--token-stdin")));
    refused.add(expect(2, cli.runWithInput(TOKEN + "\n" + secondLine + "\n", "login", "k6",
        "--token-stdin")));
    assertTrue(refused.get(0).err().contains("at character " + (nulHead.length() + 1)),
        refused.get(0)::toString);
    assertTrue(refused.get(2).err().contains("--multiline"), refused.get(2)::toString);
    expect(3, cli.run("get", "k6")); // nothing was stored, not even the first line

    expect(0, cli.runWithInput(TOKEN + "\n" + secondLine + "\n", "login", "k6",
        "--token-stdin", "--multiline"));
    CliProcess.Result multiline = expect(0, cli.run("get", "k6"));
    assertEquals(TOKEN + "\n" + secondLine + "\n", multiline.out());
    refused.add(expect(2, cli.runWithInput(nulHead + "\0" + nulTail, "rotate", "k6",
        "--token-stdin")));

    CliProcess.Result git = cli.runWithInput("protocol=https\nhost=git.example\nusername=me\n"
        + "password=" + nulHead + "\0" + nulTail + "\n\n", "git-credential", "store");
    assertTrue(git.exitCode() != 0 && git.err().contains("control character"), git::toString);
    CliProcess.Result docker = cli.runWithInput("{\"ServerURL\":\"https://r.example\","
        + "\"Username\":\"me\",\"Secret\":\"" + nulHead + "\\u0000" + nulTail + "\"}",
        "docker-credential", "store");
    assertEquals(1, docker.exitCode(), docker::toString);
    assertTrue(docker.out().contains("control character"), docker::toString);
    CliProcess.Result gitGet = cli.runWithInput("protocol=https\nhost=git.example\n\n",
        "git-credential", "get");
    assertFalse(gitGet.out().contains("password="), gitGet::toString);

    // A verification command that prints the token, as `k6 cloud login --show` does.
    CliProcess.Result verified = expect(0, cli.runWithInput(ROTATED + "\n", "rotate", "k6",
        "--token-stdin", "--verify", "--", "sh", "-c",
        "echo \"the token is $K6_CLOUD_TOKEN\"; printf '%s' \"$K6_CLOUD_TOKEN\" >&2"));
    assertTrue(verified.err().contains("the token is ****"), verified::toString);

    List<String> leaks = new ArrayList<>();
    for (CliProcess.Result result : cli.results) {
      for (String secret : List.of(nulHead, nulTail, secondLine, ROTATED, PASSPHRASE)) {
        if (result.err().contains(secret)
            || result != multiline && result.out().contains(secret)) {
          leaks.add("output of " + result.command() + " contains " + secret);
        }
      }
    }
    assertEquals(List.of(), leaks);
  }

  private static CliProcess.Result expect(int code, CliProcess.Result result) {
    assertEquals(code, result.exitCode(), result.toString());
    return result;
  }
}
