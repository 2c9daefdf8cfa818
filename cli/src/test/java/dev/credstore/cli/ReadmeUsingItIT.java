package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using it" block, extracted from the README and run top to bottom with {@code sh -e}
 * in a fresh home directory, through {@code bin/credstore} on the PATH as a user would: every
 * command in it must succeed. Its secrets come from the variables the block names. Only k6 is a
 * stand-in (a script that shows its arguments and the length of {@code K6_CLOUD_TOKEN}, never the
 * token): Grafana k6 is not packaged for Debian; git is the real one.
 */
class ReadmeUsingItIT {

  private static final Path README = Path.of(System.getProperty("credstore.readme", "../README.md"));
  private static final Path LAUNCHER =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore"));
  private static final String FIRST = "tok_readme_first_0123456789";
  private static final String NEW = "tok_readme_second_0123456789";
  private static final String API_SECRET = "api-secret-4567";

  @TempDir Path temp;

  @Test
  void usingItBlock_runsWithShE_inAFreshHome_andPrintsWhatItsCommentsSay() throws Exception {
    Path block = Files.writeString(temp.resolve("using-it.sh"), usingItBlock());
    Path home = Files.createDirectory(temp.resolve("home"));
    Path runtime = Files.createDirectory(temp.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path tools = Files.createDirectory(temp.resolve("tools"));
    Path k6 = Files.writeString(tools.resolve("k6"), "#!/bin/sh\n"
        + "echo \"k6 $* (K6_CLOUD_TOKEN ${#K6_CLOUD_TOKEN} characters)\"\n");
    k6.toFile().setExecutable(true);

    ProcessBuilder builder = new ProcessBuilder("sh", "-e", block.toString()).directory(home.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("HOME", home.toString());
    env.put("XDG_RUNTIME_DIR", runtime.toString()); // as a login session has
    env.put("PATH", LAUNCHER.toAbsolutePath().getParent() + ":" + tools + ":/usr/bin:/bin");
    env.put("JAVA_HOME", CliProcess.JAVA.getParent().getParent().toString());
    env.put("CREDSTORE_PASSPHRASE", "readme test passphrase");
    env.put("TOKEN_FROM_VAULT", FIRST);
    env.put("API_SECRET", API_SECRET);
    env.put("NEW_TOKEN", NEW);
    builder.redirectOutput(temp.resolve("out").toFile()).redirectError(temp.resolve("err").toFile());
    Process process = builder.start();
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the block did not finish");
    String out = Files.readString(temp.resolve("out"));
    String err = Files.readString(temp.resolve("err"));
    String shown = "stdout:\n" + out + "\nstderr:\n" + err;

    assertEquals(0, process.exitValue(), shown);
    // "stdout carries the token": the stand-in k6 got it, from get and from exec.
    assertEquals(2, out.split("k6 cloud run script\\.js \\(K6_CLOUD_TOKEN " + FIRST.length()
        + " characters\\)", -1).length - 1, shown);
    // "see what is stored (never the secrets)"
    assertTrue(out.lines().anyMatch(l -> l.startsWith("k6 ") && l.contains("stack=my-stack")
        && l.contains("project=123")), shown);
    assertTrue(out.contains("\"service\":\"k6\""), shown);
    assertTrue(err.contains("logged in to appcircle"), shown);
    for (String secret : List.of(FIRST, NEW, API_SECRET)) {
      assertFalse(out.contains(secret) || err.contains(secret), "a secret was shown: " + shown);
    }
    assertTrue(out.contains("plaintext: no known file with plaintext tokens"), shown);
    assertTrue(err.contains("rotated k6") && err.contains("(verified)"), shown);
    assertTrue(err.contains("rolled back k6"), shown);
    assertTrue(out.contains("no credential is older than 90d"), shown);
    assertTrue(err.contains("rotated the data key"), shown);
    assertTrue(err.contains("unlocked the file store") && err.contains("locked the file store"),
        shown);
    assertTrue(out.contains("no known plaintext config files found"), shown);
    assertTrue(err.contains("logged out of k6"), shown);
    assertTrue(Files.readString(home.resolve(".gitconfig"))
        .contains(LAUNCHER.toAbsolutePath().getParent() + "/credstore git-credential"));
  }

  private static String usingItBlock() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int section = readme.indexOf("\n## Using it\n");
    assertTrue(section >= 0, "README has no \"Using it\" section");
    int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
    return readme.substring(start, readme.indexOf("```\n", start));
  }
}
