package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The git and Docker credential-helper protocols end to end, on the file store and (when a Secret
 * Service is on the session bus, as under scripts/with-secret-service) the keychain: the real
 * {@code git credential} driving {@code credstore git-credential} through the launcher, the real
 * docker CLI driving {@code docker-credential-credstore} through its launcher, and the helpers fed
 * the protocols' documented input where the client here cannot send it (git 2.39 drops
 * password_expiry_utc and oauth_refresh_token, which git 2.41 added). Hosts are unique per test
 * because the keychain is shared by every test of the run.
 */
class HelpersIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path BIN =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore")).toAbsolutePath()
          .normalize().getParent();
  private static final String BUS = System.getenv("DBUS_SESSION_BUS_ADDRESS");

  @TempDir Path temp;
  private CliProcess cli;

  static List<String> backends() {
    if (BUS == null && "1".equals(System.getenv("CREDSTORE_REQUIRE_SECRET_SERVICE"))) {
      fail("no session bus, and CREDSTORE_REQUIRE_SECRET_SERVICE=1 requires one");
    }
    return BUS == null ? List.of("file") : List.of("file", "keychain");
  }

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

  private void use(String backend) {
    cli.set("CREDSTORE_BACKEND", backend);
    cli.set("DBUS_SESSION_BUS_ADDRESS", backend.equals("keychain") ? BUS : null);
  }

  private static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".example";
  }

  /** What {@code credstore list --json} shows for services mentioning {@code host}. */
  private List<JsonNode> listed(String host) throws IOException {
    Result list = cli.run("list", "--json");
    assertEquals(0, list.exitCode(), list::toString);
    return StreamSupport.stream(JSON.readTree(list.out()).spliterator(), false)
        .filter(entry -> entry.get("attributes").path("url").asText()
            .concat(entry.get("service").asText()).contains(host))
        .toList();
  }

  // The url attribute, continued in url.2, url.3... when longer than an attribute value may be.
  private static String fullUrl(JsonNode attributes) {
    StringBuilder url = new StringBuilder(attributes.path("url").asText());
    for (int i = 2; attributes.has("url." + i); i++) {
      url.append(attributes.get("url." + i).asText());
    }
    return url.toString();
  }

  // ---- git

  private Result git(String input, String... args) {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    return cli.start(command, cli.home, input);
  }

  private Result gitHelper(String input, String action) {
    return cli.start(List.of(BIN.resolve("credstore").toString(), "git-credential", action),
        cli.home, input);
  }

  private void configureGit() throws IOException {
    Path gitconfig = cli.home.resolve("gitconfig");
    Files.writeString(gitconfig, "[credential]\n\thelper = \"!" + BIN.resolve("credstore")
        + " git-credential\"\n");
    cli.set("GIT_CONFIG_GLOBAL", gitconfig.toString());
    cli.set("GIT_CONFIG_NOSYSTEM", "1");
    cli.set("GIT_TERMINAL_PROMPT", "0");
  }

  private void approve(String fields) {
    Result approve = git(fields + "\n", "credential", "approve");
    assertEquals(0, approve.exitCode(), approve::toString);
    assertEquals("", approve.err(), "the helper is quiet");
  }

  private void reject(String fields, String... gitOptions) {
    List<String> args = new ArrayList<>(List.of(gitOptions));
    args.addAll(List.of("credential", "reject"));
    Result reject = git(fields + "\n", args.toArray(String[]::new));
    assertEquals(0, reject.exitCode(), reject::toString);
    assertEquals("", reject.err(), "the helper is quiet");
  }

  /** git's answer to {@code fill}; null when it would have had to prompt. */
  private String fill(String fields, String... gitOptions) {
    List<String> args = new ArrayList<>(List.of(gitOptions));
    args.addAll(List.of("credential", "fill"));
    Result fill = git(fields + "\n", args.toArray(String[]::new));
    if (fill.exitCode() != 0) {
      assertTrue(fill.err().contains("terminal prompts disabled"), fill::toString);
      return null;
    }
    assertEquals("", fill.err(), "the helper is quiet");
    return fill.out();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_approveFillReject_roundTripThroughRealGit(String backend) throws IOException {
    use(backend);
    configureGit();
    String host = unique("git");
    String password = "ghp_s3cr=t w\u00f6rd";
    approve("protocol=https\nhost=" + host + "\nusername=alice\npassword=" + password + "\n");

    assertEquals("protocol=https\nhost=" + host + "\nusername=alice\npassword=" + password
        + "\n", fill("protocol=https\nhost=" + host + "\n"));

    Result list = cli.run("list");
    // Other tests' entries in the shared keyring may widen the column: any run of spaces.
    assertTrue(java.util.regex.Pattern.compile("(?m)^git:https://" + java.util.regex.Pattern
        .quote(host) + " +alice ").matcher(list.out()).find(), list::toString);
    assertFalse(list.out().contains(password));

    // A new password for the same user is a rotation; the old one is kept for rollback.
    approve("protocol=https\nhost=" + host + "\nusername=alice\npassword=newer\n");
    assertTrue(listed(host).get(0).get("hasPreviousSecret").asBoolean());

    // Rejecting a password that is no longer stored keeps the current one.
    reject("protocol=https\nhost=" + host + "\nusername=alice\npassword=" + password + "\n");
    assertEquals("newer\n", cli.run("get", "git:https://" + host, "--account", "alice").out());

    reject("protocol=https\nhost=" + host + "\nusername=alice\npassword=newer\n");
    assertEquals(null, fill("protocol=https\nhost=" + host + "\n"),
        "git finds nothing and may not prompt");
    assertEquals(List.of(), listed(host));
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_emptyUsernameWithEmptyPassword_isStoredAndReturnedExactly(String backend)
      throws IOException {
    use(backend);
    configureGit();
    String host = unique("sso");
    approve("protocol=https\nhost=" + host + "\nusername=\npassword=\n");
    assertEquals("protocol=https\nhost=" + host + "\nusername=\npassword=\n",
        fill("protocol=https\nhost=" + host + "\n"), "git's SSO case: no prompt");
    JsonNode entry = listed(host).get(0);
    assertEquals("", entry.get("attributes").get("username").asText(), entry::toString);
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_noUsernameEmptyUsernameAndDefault_areThreeCredentials(String backend)
      throws IOException {
    use(backend);
    configureGit();
    String host = unique("users");
    String base = "protocol=https\nhost=" + host + "\n";
    approve(base + "username=default\npassword=pw-default\n");
    approve(base + "username=\npassword=\n");
    // git itself never stores without a username; another caller of the helper may.
    Result none = gitHelper(base + "password=pw-none\n\n", "store");
    assertEquals(0, none.exitCode(), none::toString);

    assertEquals(base + "username=default\npassword=pw-default\n",
        fill(base + "username=default\n"));
    assertEquals(base + "username=\npassword=\n", fill(base + "username=\n"));
    Result withoutUser = gitHelper(base + "\n", "get");
    assertEquals("password=pw-none\n", withoutUser.out(), withoutUser::toString);
    assertEquals(3, listed(host).size());

    reject(base + "username=\n");
    assertEquals(2, listed(host).size(), "only the empty username's entry is erased");
    assertEquals(base + "username=default\npassword=pw-default\n",
        fill(base + "username=default\n"));
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_rejectWithFewerFields_erasesEveryMatch_butNoOtherHostUserOrPassword(String backend)
      throws IOException {
    use(backend);
    configureGit();
    String host = unique("path");
    String other = unique("other");
    String[] useHttpPath = {"-c", "credential.useHttpPath=true"};
    Result stored = git("protocol=http\nhost=" + host + "\npath=foo.git\nusername=user\n"
        + "password=pass\n\n", "-c", "credential.useHttpPath=true", "credential", "approve");
    assertEquals(0, stored.exitCode(), stored::toString);
    approve("protocol=http\nhost=" + host + "\nusername=someone-else\npassword=p2\n");
    approve("protocol=http\nhost=" + other + "\nusername=user\npassword=pass\n");
    assertEquals(null, fill("protocol=http\nhost=" + host + "\npath=bar.git\n", useHttpPath),
        "the path must match");

    reject("protocol=http\nhost=" + host + "\nusername=user\n");
    assertEquals(null, fill("protocol=http\nhost=" + host + "\npath=foo.git\nusername=user\n",
        useHttpPath), "erased without naming its path, as git's credential-store does");
    assertEquals(1, listed(host).size(), "the other user stays");
    assertEquals(1, listed(other).size(), "the other host stays");

    // Without a username, a password given still protects credentials that have another one.
    approve("protocol=http\nhost=" + host + "\nusername=third\npassword=p3\n");
    reject("protocol=http\nhost=" + host + "\npassword=p2\n");
    assertEquals(List.of("third"), listed(host).stream()
        .map(e -> e.get("attributes").get("username").asText()).toList());
    reject("protocol=http\nhost=" + host + "\n");
    assertEquals(List.of(), listed(host));
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_longUrls_areStoredFoundAndListedInFull(String backend) throws IOException {
    use(backend);
    configureGit();
    String host = unique("h" + "o".repeat(150));
    String[] useHttpPath = {"-c", "credential.useHttpPath=true"};
    for (String path : List.of("org/" + "r".repeat(300) + ".git", "x/" + "y".repeat(5000))) {
      String fields = "protocol=https\nhost=" + host + "\npath=" + path + "\n";
      Result approve = git(fields + "username=alice\npassword=pw-" + path.length() + "\n\n",
          "-c", "credential.useHttpPath=true", "credential", "approve");
      assertEquals(0, approve.exitCode(), approve::toString);
      assertEquals("", approve.err());
      assertEquals(fields + "username=alice\npassword=pw-" + path.length() + "\n",
          fill(fields, useHttpPath));
      String url = "https://" + host + "/" + path;
      JsonNode entry = listed(host).stream()
          .filter(e -> fullUrl(e.get("attributes")).equals(url))
          .findFirst().orElseThrow(() -> new AssertionError("no entry for " + url));
      assertEquals("alice", entry.get("attributes").get("username").asText());
      assertTrue(entry.get("service").asText().length() <= 128, entry::toString);
    }
    Result table = cli.run("list");
    assertTrue(table.out().contains("url=https://" + host + "/org/rrr"), table::toString);
    assertFalse(table.out().contains("pw-"), "never a secret");
    reject("protocol=https\nhost=" + host + "\n");
    assertEquals(List.of(), listed(host));
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_expiryAndRefreshToken_storedReturnedOverwritten_refreshTokenNeverListed(
      String backend) throws IOException {
    use(backend);
    String host = unique("oauth");
    String base = "protocol=https\nhost=" + host + "\nusername=user-expiry\n";
    Result store = gitHelper(base + "password=pass1\npassword_expiry_utc=9999999998\n"
        + "oauth_refresh_token=xyzzy-refresh\n\n", "store");
    assertEquals(0, store.exitCode(), store::toString);
    assertEquals("username=user-expiry\npassword=pass1\npassword_expiry_utc=9999999998\n"
        + "oauth_refresh_token=xyzzy-refresh\n", gitHelper(base + "\n", "get").out());

    // A changed expiry overwrites; an expired password is still returned, with its expiry.
    assertEquals(0, gitHelper(base + "password=pass2\npassword_expiry_utc=1\n\n", "store")
        .exitCode());
    assertEquals("username=user-expiry\npassword=pass2\npassword_expiry_utc=1\n",
        gitHelper(base + "\n", "get").out());
    assertEquals(0, gitHelper(base + "password=pass2\npassword_expiry_utc=9999999999\n"
        + "oauth_refresh_token=second-refresh\n\n", "store").exitCode());
    assertEquals("username=user-expiry\npassword=pass2\npassword_expiry_utc=9999999999\n"
        + "oauth_refresh_token=second-refresh\n", gitHelper(base + "\n", "get").out());

    Result list = cli.run("list", "--json");
    assertTrue(list.out().contains("9999999999"), list::toString);
    assertFalse(list.out().contains("refresh"), "the refresh token is a secret: " + list);
    assertFalse(cli.run("list").out().contains("refresh"));

    assertEquals(0, gitHelper(base + "password=pass2\n\n", "erase").exitCode());
    assertEquals("", gitHelper(base + "\n", "get").out());
  }

  @ParameterizedTest
  @MethodSource("backends")
  void git_newerProtocolKeys_acceptedNotEchoed_ephemeralNotStored(String backend)
      throws IOException {
    use(backend);
    String host = unique("keys");
    String base = "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=" + host
        + "\nwwwauth[]=Basic realm=\"x\" host=victim.example\nstate[]=helper:1\n";
    assertEquals(0, gitHelper(base + "username=u\npassword=p\n\n", "store").exitCode());
    Result get = gitHelper(base + "\n", "get");
    assertEquals("username=u\npassword=p\n", get.out(), get::toString);
    assertEquals("", get.err());

    String ephemeral = unique("ephemeral");
    assertEquals(0, gitHelper("protocol=https\nhost=" + ephemeral + "\nusername=u\npassword=p\n"
        + "ephemeral=1\n\n", "store").exitCode());
    assertEquals(List.of(), listed(ephemeral));
  }

  @Test
  void git_autoBackendWithoutKeychain_helperPrintsNothingOnStderr() throws IOException {
    cli.set("CREDSTORE_BACKEND", null).set("DBUS_SESSION_BUS_ADDRESS", null);
    configureGit();
    String host = unique("quiet");
    approve("protocol=https\nhost=" + host + "\nusername=u\npassword=p\n");
    assertEquals("protocol=https\nhost=" + host + "\nusername=u\npassword=p\n",
        fill("protocol=https\nhost=" + host + "\n"));
    reject("protocol=https\nhost=" + host + "\n");
    // The helper's first write remembered the store as quietly as it did the rest, and credstore
    // itself says so (one store per user, issue 14).
    Result status = cli.run("status", "--json");
    JsonNode backend = JSON.readTree(status.out()).get("backend");
    assertEquals("file", backend.get("id").asText(), status::toString);
    assertTrue(backend.get("reason").asText().contains("remembered"), status::toString);
  }

  @Test
  void git_fileStoreWithoutPassphrase_hintNamesWhatGitCanPass() throws IOException {
    configureGit();
    cli.set("CREDSTORE_PASSPHRASE", null);
    Result approve = git("protocol=https\nhost=locked.example\nusername=u\npassword=p\n\n",
        "credential", "approve");
    assertTrue(approve.err().contains("CREDSTORE_PASSPHRASE_FILE"), approve::toString);
    assertTrue(approve.err().contains("config.json"), approve::toString);
    assertTrue(approve.err().contains("keychain"), approve::toString);
    assertFalse(approve.err().contains("--passphrase-file"), approve::toString);
    assertFalse(Files.exists(cli.storeFile()), "nothing was stored");
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
    Path link = onPath.resolve("docker-credential-credstore");
    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, BIN.resolve("docker-credential-credstore"));
    }
    cli.set("PATH", onPath + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return link;
  }

  private Result docker(Path launcher, String input, String... args) {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    return cli.start(command, cli.home, input);
  }

  private JsonNode dockerList(Path helper, String host) throws IOException {
    Result list = docker(helper, null, "list");
    assertEquals(0, list.exitCode(), list::toString);
    com.fasterxml.jackson.databind.node.ObjectNode mine = JSON.createObjectNode();
    JSON.readTree(list.out()).fields().forEachRemaining(field -> {
      if (field.getKey().contains(host)) {
        mine.set(field.getKey(), field.getValue());
      }
    });
    return mine;
  }

  @ParameterizedTest
  @MethodSource("backends")
  void docker_storeGetListErase_documentedShapes_throughLauncherSymlink(String backend)
      throws IOException {
    use(backend);
    Path helper = dockerLauncher();
    String host = unique("registry");
    String hub = "https://" + host + "/v1/";
    Result store = docker(helper, "{\"ServerURL\":\"" + hub + "\","
        + "\"Username\":\"david\",\"Secret\":\"passw0rd1\"}", "store");
    assertEquals(0, store.exitCode(), store::toString);
    assertEquals("", store.out());
    assertEquals(0, docker(helper, "{\"ServerURL\":\"" + host + "\",\"Username\":"
        + "\"<token>\",\"Secret\":\"identity-token-1\"}", "store").exitCode());

    Result get = docker(helper, hub + "\n", "get");
    assertEquals(0, get.exitCode(), get::toString);
    JsonNode credentials = JSON.readTree(get.out());
    assertEquals(hub, credentials.get("ServerURL").asText());
    assertEquals("david", credentials.get("Username").asText());
    assertEquals("passw0rd1", credentials.get("Secret").asText());

    assertEquals(JSON.readTree("{\"" + hub + "\":\"david\",\"" + host + "\":\"<token>\"}"),
        dockerList(helper, host));

    // A new login to the same server replaces the old user.
    assertEquals(0, docker(helper, "{\"ServerURL\":\"" + host + "\",\"Username\":"
        + "\"carol\",\"Secret\":\"pw2\"}", "store").exitCode());
    assertEquals("carol", dockerList(helper, host).get(host).asText());

    assertEquals(0, docker(helper, hub, "erase").exitCode());
    Result missing = docker(helper, hub, "get");
    assertEquals(1, missing.exitCode(), missing::toString);
    assertEquals("credentials not found in native keychain\n", missing.out());
    assertEquals(0, docker(helper, hub, "erase").exitCode(), "erasing a missing entry succeeds");
    assertEquals(0, docker(helper, host, "erase").exitCode());
  }

  @ParameterizedTest
  @MethodSource("backends")
  void docker_longServerUrl_storedFoundListedAndErased(String backend) throws IOException {
    use(backend);
    Path helper = dockerLauncher();
    String host = unique("long");
    String url = "https://" + host + "/" + "v".repeat(3000);
    assertEquals(0, docker(helper, "{\"ServerURL\":\"" + url + "\",\"Username\":\"u\","
        + "\"Secret\":\"s3cret\"}", "store").exitCode());
    Result get = docker(helper, url, "get");
    assertEquals(0, get.exitCode(), get::toString);
    assertEquals(url, JSON.readTree(get.out()).get("ServerURL").asText());
    assertEquals("s3cret", JSON.readTree(get.out()).get("Secret").asText());
    assertEquals("u", dockerList(helper, host).get(url).asText());
    Result table = cli.run("list");
    assertTrue(table.out().contains("url=https://" + host + "/vvv"), table::toString);
    assertFalse(table.out().contains("s3cret"));
    assertEquals(0, docker(helper, url, "erase").exitCode());
    assertEquals(JSON.createObjectNode(), dockerList(helper, host));
  }

  @Test
  void docker_versionFlagsAndUsage_asDockersOwnHelpers() throws IOException {
    Path helper = dockerLauncher();
    for (String flag : List.of("--version", "-v", "version")) {
      Result version = docker(helper, null, flag);
      assertEquals(0, version.exitCode(), version::toString);
      assertTrue(version.out().matches("docker-credential-credstore \\(dev\\.credstore\\) \\S+\n"),
          flag + ": " + version.out());
    }
    String usage = "Usage: docker-credential-credstore <store|get|erase|list|version>\n";
    for (List<String> args : List.of(List.<String>of(), List.of("get", "extra"))) {
      Result wrong = docker(helper, null, args.toArray(String[]::new));
      assertEquals(1, wrong.exitCode(), args + ": " + wrong);
      assertEquals(usage, wrong.out(), args::toString);
    }
    Result help = docker(helper, null, "--help");
    assertEquals(0, help.exitCode(), help::toString);
    assertEquals(usage, help.out());
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
    assertEquals("docker-credential-credstore: unknown action: frobnicate\n", unknown.out());
    Result badJson = docker(helper, "not json", "store");
    assertEquals(1, badJson.exitCode());
    assertFalse(badJson.out().isBlank());
    cli.set("CREDSTORE_PASSPHRASE", null);
    Result locked = docker(helper, "r.example", "get");
    assertEquals(1, locked.exitCode(), "the protocol's code, not credstore's 4: " + locked);
  }

  @Test
  void docker_listOnAStoreThatCannotBeUnlocked_stdoutHoldsOnlyTheError() throws IOException {
    Path helper = dockerLauncher();
    assertEquals(0, docker(helper, "{\"ServerURL\":\"r.example\",\"Username\":\"u\","
        + "\"Secret\":\"x\"}", "store").exitCode());
    cli.set("CREDSTORE_PASSPHRASE", "wrong passphrase");
    Result wrong = docker(helper, null, "list");
    assertEquals(1, wrong.exitCode(), wrong::toString);
    assertEquals("wrong passphrase for store " + cli.storeFile() + "\n", wrong.out());
    cli.set("CREDSTORE_PASSPHRASE", null);
    Result none = docker(helper, null, "list");
    assertEquals(1, none.exitCode(), none::toString);
    assertFalse(none.out().contains("{"), none::toString);
    assertTrue(none.out().contains("CREDSTORE_PASSPHRASE_FILE"), none::toString);
    assertFalse(none.out().contains("--passphrase-file"), none::toString);
    assertEquals("", none.err(), none::toString);
  }

  @Test
  void docker_autoBackendWithoutKeychain_helperPrintsNothingOnStderr() throws IOException {
    cli.set("CREDSTORE_BACKEND", null).set("DBUS_SESSION_BUS_ADDRESS", null);
    Path helper = dockerLauncher();
    for (String[] call : List.of(
        new String[] {"{\"ServerURL\":\"q.example\",\"Username\":\"u\",\"Secret\":\"x\"}", "store"},
        new String[] {"q.example", "get"}, new String[] {null, "list"},
        new String[] {"q.example", "erase"})) {
      Result result = docker(helper, call[0], call[1]);
      assertEquals(0, result.exitCode(), result::toString);
      assertEquals("", result.err(), call[1] + ": " + result);
    }
  }

  /**
   * The real docker CLI logs in to a registry on loopback that accepts only the right password
   * (with no engine, docker logs in from the client), storing through the helper, and logs out,
   * erasing it.
   */
  @ParameterizedTest
  @MethodSource("backends")
  void docker_realCliLoginAndLogout_storeAndEraseThroughCredsStore(String backend) throws Exception {
    assumeTrue(new ProcessBuilder("docker", "--version").start().waitFor() == 0,
        "docker CLI not installed");
    use(backend);
    dockerLauncher();
    Path config = Files.createDirectories(temp.resolve("docker"));
    Files.writeString(config.resolve("config.json"), "{\"credsStore\":\"credstore\"}");
    cli.set("DOCKER_CONFIG", config.toString());
    cli.set("DOCKER_HOST", "unix://" + temp.resolve("no-engine.sock"));
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        "bob:pw-\u00e9:x".getBytes(StandardCharsets.UTF_8));
    HttpServer registry = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    registry.createContext("/v2/", exchange -> {
      boolean ok = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
      if (!ok) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
      }
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
      exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    registry.start();
    try {
      String server = "127.0.0.1:" + registry.getAddress().getPort();
      Result login = cli.start(List.of("docker", "login", "-u", "bob", "--password-stdin",
          server), cli.home, "pw-\u00e9:x\n");
      assertEquals(0, login.exitCode(), login::toString);
      assertTrue(login.out().contains("Login Succeeded"), login::toString);
      assertFalse(Files.readString(config.resolve("config.json")).contains("pw-"),
          "the password went to the helper, not config.json");
      JsonNode entry = listed(server).get(0);
      assertEquals("bob", entry.get("attributes").get("username").asText(), entry::toString);

      // What Docker reads back when it next needs the credential (its own readers of "get",
      // such as a pull, need an engine or TLS, which this machine does not have).
      Result get = docker(BIN.resolve("docker-credential-credstore"), server, "get");
      assertEquals(0, get.exitCode(), get::toString);
      assertEquals("bob", JSON.readTree(get.out()).get("Username").asText());
      assertEquals("pw-\u00e9:x", JSON.readTree(get.out()).get("Secret").asText());

      Result logout = cli.start(List.of("docker", "logout", server), cli.home, null);
      assertEquals(0, logout.exitCode(), logout::toString);
      assertEquals(List.of(), listed(server));
    } finally {
      registry.stop(0);
    }
  }
}
