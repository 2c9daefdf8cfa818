package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The git and Docker credential-helper protocols end to end: the real {@code git credential}
 * driving {@code credstore git-credential} through the launcher, and the {@code
 * docker-credential-credstore} launcher fed the protocol's documented JSON (plus the real docker
 * CLI's logout when it is installed).
 */
class HelpersIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path BIN =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore")).toAbsolutePath()
          .normalize().getParent();

  @TempDir Path temp;
  private CliProcess cli;

  @BeforeEach
  void newHome() {
    try {
      cli = new CliProcess(temp);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    cli.set("CREDSTORE_PASSPHRASE", "correct horse battery");
    cli.set("JAVA_HOME", System.getProperty("java.home"));
  }

  // ---- git

  private Result git(String input, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    return cli.start(command, cli.home, input);
  }

  private void configureGit() throws IOException {
    Path gitconfig = cli.home.resolve("gitconfig");
    Files.writeString(gitconfig, "[credential]\n\thelper = \"!" + BIN.resolve("credstore")
        + " git-credential\"\n");
    cli.set("GIT_CONFIG_GLOBAL", gitconfig.toString());
    cli.set("GIT_CONFIG_NOSYSTEM", "1");
    cli.set("GIT_TERMINAL_PROMPT", "0");
  }

  @Test
  void git_approveFillReject_roundTripThroughRealGit() throws IOException {
    configureGit();
    String password = "ghp_s3cr=t w\u00f6rd";
    Result approve = git("protocol=https\nhost=git.example.com\nusername=alice\npassword="
        + password + "\n\n", "credential", "approve");
    assertEquals(0, approve.exitCode(), approve::toString);

    Result fill = git("protocol=https\nhost=git.example.com\n\n", "credential", "fill");
    assertEquals(0, fill.exitCode(), fill::toString);
    assertEquals("protocol=https\nhost=git.example.com\nusername=alice\npassword=" + password
        + "\n", fill.out());

    Result list = cli.run("list");
    assertTrue(list.out().contains("git:https://git.example.com  alice"), list::toString);
    assertFalse(list.out().contains(password));

    // A new password for the same user is a rotation; the old one is kept for rollback.
    assertEquals(0, git("protocol=https\nhost=git.example.com\nusername=alice\npassword=newer\n\n",
        "credential", "approve").exitCode());
    JsonNode listed = JSON.readTree(cli.run("list", "--json").out());
    assertTrue(listed.get(0).get("hasPreviousSecret").asBoolean(), listed::toString);

    // Rejecting a password that is no longer stored keeps the current one.
    assertEquals(0, git("protocol=https\nhost=git.example.com\nusername=alice\npassword="
        + password + "\n\n", "credential", "reject").exitCode());
    assertEquals("newer\n", cli.run("get", "git:https://git.example.com", "--account", "alice")
        .out());

    assertEquals(0, git("protocol=https\nhost=git.example.com\nusername=alice\npassword=newer\n\n",
        "credential", "reject").exitCode());
    Result gone = git("protocol=https\nhost=git.example.com\n\n", "credential", "fill");
    assertTrue(gone.exitCode() != 0, "git finds nothing and may not prompt: " + gone);
    assertTrue(gone.err().contains("terminal prompts disabled"), gone::toString);
    assertEquals("[]\n", cli.run("list", "--json").out());
  }

  @Test
  void gitCredential_unknownActionIgnoredSilently_andOtherHostsNotAnswered() {
    assertEquals(0, cli.runWithInput("protocol=https\nhost=a.example\nusername=u\npassword=p\n\n",
        "git-credential", "store").exitCode());
    Result unknown = cli.runWithInput("protocol=https\nhost=a.example\n\n", "git-credential",
        "frobnicate");
    assertEquals(0, unknown.exitCode(), unknown::toString);
    assertEquals("", unknown.out() + unknown.err());
    Result other = cli.runWithInput("protocol=https\nhost=b.example\n\n", "git-credential", "get");
    assertEquals(0, other.exitCode(), other::toString);
    assertEquals("", other.out());
    Result same = cli.runWithInput("protocol=https\nhost=a.example\n\n", "git-credential", "get");
    assertEquals("username=u\npassword=p\n", same.out(), same::toString);
  }

  // ---- docker

  private Path dockerLauncher() throws IOException {
    Path onPath = Files.createDirectories(temp.resolve("path"));
    Path link = Files.createSymbolicLink(onPath.resolve("docker-credential-credstore"),
        BIN.resolve("docker-credential-credstore"));
    cli.set("PATH", onPath + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return link;
  }

  private Result docker(Path launcher, String input, String action) {
    return cli.start(List.of(launcher.toString(), action), cli.home, input);
  }

  @Test
  void docker_storeGetListErase_documentedShapes_throughLauncherSymlink() throws IOException {
    Path helper = dockerLauncher();
    Result store = docker(helper, "{\"ServerURL\":\"https://index.docker.io/v1/\","
        + "\"Username\":\"david\",\"Secret\":\"passw0rd1\"}", "store");
    assertEquals(0, store.exitCode(), store::toString);
    assertEquals("", store.out());
    assertEquals(0, docker(helper, "{\"ServerURL\":\"registry.example.com\",\"Username\":"
        + "\"<token>\",\"Secret\":\"identity-token-1\"}", "store").exitCode());

    Result get = docker(helper, "https://index.docker.io/v1/\n", "get");
    assertEquals(0, get.exitCode(), get::toString);
    JsonNode credentials = JSON.readTree(get.out());
    assertEquals("https://index.docker.io/v1/", credentials.get("ServerURL").asText());
    assertEquals("david", credentials.get("Username").asText());
    assertEquals("passw0rd1", credentials.get("Secret").asText());

    Result list = docker(helper, null, "list");
    assertEquals(0, list.exitCode(), list::toString);
    assertEquals(JSON.readTree("{\"https://index.docker.io/v1/\":\"david\","
        + "\"registry.example.com\":\"<token>\"}"), JSON.readTree(list.out()));

    // A new login to the same server replaces the old user.
    assertEquals(0, docker(helper, "{\"ServerURL\":\"registry.example.com\",\"Username\":"
        + "\"carol\",\"Secret\":\"pw2\"}", "store").exitCode());
    assertEquals("carol", JSON.readTree(docker(helper, null, "list").out())
        .get("registry.example.com").asText());

    assertEquals(0, docker(helper, "https://index.docker.io/v1/", "erase").exitCode());
    Result missing = docker(helper, "https://index.docker.io/v1/", "get");
    assertEquals(1, missing.exitCode(), missing::toString);
    assertEquals("credentials not found in native keychain\n", missing.out());
    assertEquals(0, docker(helper, "https://index.docker.io/v1/", "erase").exitCode(),
        "erasing a missing entry succeeds");
  }

  @Test
  void docker_protocolErrors_areMessagesOnStdoutWithExitOne() throws IOException {
    Path helper = dockerLauncher();
    Result noUser = docker(helper, "{\"ServerURL\":\"r.example\",\"Secret\":\"x\"}", "store");
    assertEquals(1, noUser.exitCode(), noUser::toString);
    assertEquals("no credentials username\n", noUser.out());
    Result noUrl = docker(helper, "\n", "get");
    assertEquals(1, noUrl.exitCode());
    assertEquals("no credentials server URL\n", noUrl.out());
    Result unknown = docker(helper, null, "frobnicate");
    assertEquals(1, unknown.exitCode());
    assertEquals("Unknown credential action `frobnicate`\n", unknown.out());
    Result badJson = docker(helper, "not json", "store");
    assertEquals(1, badJson.exitCode());
    assertFalse(badJson.out().isBlank());
    cli.set("CREDSTORE_PASSPHRASE", null);
    Result locked = docker(helper, "r.example", "get");
    assertEquals(1, locked.exitCode(), "the protocol's code, not credstore's 4: " + locked);
  }

  @Test
  void docker_realCliLogout_erasesThroughCredsStore() throws IOException, InterruptedException {
    assumeTrue(new ProcessBuilder("docker", "--version").start().waitFor() == 0,
        "docker CLI not installed");
    Path helper = dockerLauncher();
    Path config = Files.createDirectories(temp.resolve("docker"));
    Files.writeString(config.resolve("config.json"), "{\"credsStore\":\"credstore\"}");
    cli.set("DOCKER_CONFIG", config.toString());
    assertEquals(0, docker(helper, "{\"ServerURL\":\"registry.example.com\",\"Username\":\"bob\","
        + "\"Secret\":\"pw\"}", "store").exitCode());
    Result logout = cli.start(List.of("docker", "logout", "registry.example.com"), cli.home, null);
    assertEquals(0, logout.exitCode(), logout::toString);
    assertEquals("{}\n", docker(helper, null, "list").out());
  }
}
