package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One home holding every tool's plaintext at once; one {@code credstore migrate} moves it all, a
 * second changes nothing, {@code doctor} then finds only the kinds credstore reports. Then each
 * tool reads its secret the way it does: the real {@code git}, {@code docker} (through its
 * credential-helper protocol and config.json), {@code gh} and {@code npm} (against a loopback
 * registry), and for k6, Appcircle and Platform.sh, stand-ins that read file and environment in
 * the order the tool's source does (each documented where it is defined).
 */
class MigrateToolsIT {

  private static final String CANARY = "tools-canary-";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path BIN =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore")).toAbsolutePath()
          .normalize().getParent();

  @TempDir Path temp;
  private CliProcess cli;
  private HttpServer registry;
  private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Path> files = new LinkedHashMap<>();

  @BeforeEach
  void home() throws IOException {
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "tools test passphrase");
    cli.set("JAVA_HOME", System.getProperty("java.home"));
    Path onPath = Files.createDirectories(temp.resolve("path"));
    Files.createSymbolicLink(onPath.resolve("credstore"), BIN.resolve("credstore"));
    Files.createSymbolicLink(onPath.resolve("docker-credential-credstore"),
        BIN.resolve("docker-credential-credstore"));
    cli.set("PATH", onPath + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    cli.set("GIT_CONFIG_NOSYSTEM", "1").set("GIT_TERMINAL_PROMPT", "0");
    cli.set("GH_NO_UPDATE_NOTIFIER", "1").set("GH_PROMPT_DISABLED", "1");
    cli.set("npm_config_update_notifier", "false").set("npm_config_fund", "false");
    cli.set("XDG_RUNTIME_DIR", Files.createDirectories(temp.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
        .toString());
  }

  @AfterEach
  void stop() throws IOException {
    if (registry != null) {
      registry.stop(0);
    }
    List<String> leaks = new ArrayList<>();
    for (Result result : cli.results) {
      boolean revealing = String.join(" ", result.command()).matches(
          ".*(\\bget\\b|auth token|credential fill|node ).*");
      if (!revealing && result.out().contains(CANARY)) {
        leaks.add("stdout of " + result.command() + ":\n" + result.out());
      }
      if (result.err().contains(CANARY)) {
        leaks.add("stderr of " + result.command() + ":\n" + result.err());
      }
      if (String.join(" ", result.command()).contains(CANARY)) {
        leaks.add("argv " + result.command());
      }
    }
    Path state = cli.home.resolve(".local/state/credstore/migrations.json");
    if (Files.exists(state) && Files.readString(state).contains(CANARY)) {
      leaks.add("state file");
    }
    assertTrue(leaks.isEmpty(), () -> "token leaked to: " + leaks);
  }

  private Path write(String name, Path file, String content, String mode) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    files.put(name, file);
    return file;
  }

  private int startRegistry() throws IOException {
    registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    registry.createContext("/", exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      authorizations.add(exchange.getRequestURI().getPath() + " " + auth);
      byte[] body;
      int status;
      if (("Bearer " + CANARY + "npm-local").equals(auth)) {
        status = 200;
        body = "{\"username\":\"npm-alice\"}".getBytes(StandardCharsets.UTF_8);
      } else {
        status = 401;
        body = "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    registry.start();
    return registry.getAddress().getPort();
  }

  /** Every layout at once, each with more than one secret where the tool allows it. */
  private void plantEverything(int port) throws IOException {
    Path config = cli.configHome;
    write("k6", config.resolve("k6/config.json"), "{\"collectors\":{\"cloud\":{\"token\":\""
        + CANARY + "k6\",\"stackID\":4242,\"stackURL\":\"https://me.grafana.net\","
        + "\"defaultProjectID\":7}}}\n", "rw-r--r--");
    write("appcircle", config.resolve("@appcircle/cli-nodejs/config.json"), "{\n"
        + "\t\"current\": \"default\",\n\t\"envs\": {\n"
        + "\t\t\"default\": {\n\t\t\t\"API_HOSTNAME\": \"https://api.appcircle.io\",\n"
        + "\t\t\t\"AUTH_HOSTNAME\": \"https://auth.appcircle.io\",\n"
        + "\t\t\t\"AC_ACCESS_TOKEN\": \"" + CANARY + "ac-default\"\n\t\t},\n"
        + "\t\t\"staging\": {\n\t\t\t\"API_HOSTNAME\": \"https://api.stage.example\",\n"
        + "\t\t\t\"AC_ACCESS_TOKEN\": \"" + CANARY + "ac-staging\"\n\t\t}\n\t}\n}", "rw-rw-rw-");
    write("platformsh", cli.home.resolve(".platformsh/.session/sess-cli-default/api-token"),
        CANARY + "platform\n", "rw-------");
    write("platformsh-cache", cli.home.resolve(
        ".platformsh/.session/sess-cli-default/sess-api-token-0a1b2c.json"),
        "{\"access_token\":\"exchanged\"}", "rw-------");
    write("platformsh-oauth", cli.home.resolve(
        ".platformsh/.session/sess-cli-work/sess-cli-work.json"),
        "{\"access_token\":\"a\",\"refresh_token\":\"r\"}", "rw-------");
    write("upsun", cli.home.resolve(".upsun-cli/config.yaml"),
        "api:\n  token: " + CANARY + "upsun\n  base_url: https://api.upsun.com\n", "rw-------");
    write("docker", cli.home.resolve(".docker/config.json"), "{\n\t\"auths\": {\n"
        + "\t\t\"registry.example.com\": {\n\t\t\t\"auth\": \""
        + b64("bob:" + CANARY + "docker-bob") + "\"\n\t\t},\n"
        + "\t\t\"ghcr.io\": {\n\t\t\t\"auth\": \"" + b64("octo:" + CANARY + "docker-octo")
        + "\"\n\t\t}\n\t}\n}", "rw-------");
    write("git", cli.home.resolve(".git-credentials"), "https://alice:" + CANARY
        + "git%2Falice@github.com\nhttps://bob:" + CANARY + "git-bob@gitlab.example.com\n",
        "rw-------");
    write("gitconfig", cli.home.resolve(".gitconfig"), "[user]\n\tname = Test\n"
        + "[credential]\n\thelper = store\n", "rw-r--r--");
    write("gh", config.resolve("gh/hosts.yml"), "github.com:\n    oauth_token: " + CANARY
        + "gh-public\n    user: octocat\n    git_protocol: https\nghe.corp.example:\n"
        + "    oauth_token: " + CANARY + "gh-ghe\n    user: me\n", "rw-------");
    write("npm", cli.home.resolve(".npmrc"), "fund=false\r\n"
        + "//registry.npmjs.org/:_authToken=" + CANARY + "npm-public\r\n"
        + "//127.0.0.1:" + port + "/:_authToken=" + CANARY + "npm-local\r\n", "rw-------");
    write("netrc", cli.home.resolve(".netrc"), "machine ftp.example login me password "
        + CANARY + "netrc\n", "rw-------");
    write("aws", cli.home.resolve(".aws/credentials"), "[default]\naws_access_key_id = AKIA\n"
        + "aws_secret_access_key = " + CANARY + "aws\n", "rw-------");
  }

  private static String b64(String text) {
    return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void oneRunMovesEveryToken_secondChangesNothing_doctorFindsOnlyReportedKinds()
      throws IOException {
    int port = startRegistry();
    plantEverything(port);

    Result dry = cli.run("migrate", "--dry-run", "--json");
    assertEquals(0, dry.exitCode(), dry::toString);
    JsonNode predicted = JSON.readTree(dry.out()).get("files");
    assertEquals(13, count(predicted, "would-migrate"), dry::toString);
    assertTrue(count(predicted, "reported") >= 3, dry::toString); // netrc, aws, Platform.sh OAuth
    assertFalse(Files.exists(cli.storeFile()), "a dry run stores nothing");

    Result migrate = cli.run("migrate", "--json");
    assertEquals(0, migrate.exitCode(), migrate::toString);
    JsonNode report = JSON.readTree(migrate.out());
    assertEquals(13, count(report.get("files"), "migrated"), migrate::toString);
    assertTrue(report.get("advice").asText().startsWith("Rotate the tokens migrated"));
    for (Path file : files.values()) {
      if (Files.exists(file)) {
        assertFalse(Files.readString(file).contains(CANARY)
            && !file.endsWith(".netrc") && !file.endsWith("credentials"),
            () -> file + " still holds a token");
      }
    }
    assertFalse(Files.exists(files.get("platformsh")), "the api-token file is gone");
    assertFalse(Files.exists(files.get("platformsh-cache")), "and the session cached from it");
    assertTrue(Files.exists(files.get("platformsh-oauth")), "an OAuth session is only reported");
    assertEquals("rw-------", mode(files.get("k6")), "k6's old 0644 is tightened");
    assertEquals("rw-------", mode(files.get("appcircle")), "conf's 0666 is tightened");
    assertEquals("api:\n  base_url: https://api.upsun.com\n", Files.readString(files.get("upsun")));
    String optional = npmKnowsOptionalPlaceholders() ? "?" : "";
    assertEquals("fund=false\r\n//registry.npmjs.org/:_authToken=${NPM_TOKEN" + optional
        + "}\r\n//127.0.0.1:" + port + "/:_authToken=${NPM_TOKEN_127_0_0_1_" + port + optional
        + "}\r\n", Files.readString(files.get("npm")));
    assertEquals("", Files.readString(files.get("git")));
    assertTrue(Files.readString(files.get("gitconfig")).contains("helper = !credstore "
        + "git-credential"), () -> "git config names credstore: " + readQuietly("gitconfig"));
    assertEquals("github.com:\n    user: octocat\n    git_protocol: https\nghe.corp.example:\n"
        + "    user: me\n", Files.readString(files.get("gh")));

    Map<String, byte[]> before = new LinkedHashMap<>();
    for (Map.Entry<String, Path> file : files.entrySet()) {
      if (Files.exists(file.getValue())) {
        before.put(file.getKey(), Files.readAllBytes(file.getValue()));
      }
    }
    Result again = cli.run("migrate", "--json");
    assertEquals(0, again.exitCode(), again::toString);
    JsonNode second = JSON.readTree(again.out()).get("files");
    assertEquals(0, count(second, "migrated"), again::toString);
    assertEquals(0, count(second, "error") + count(second, "conflict"), again::toString);
    for (Map.Entry<String, byte[]> file : before.entrySet()) {
      assertArrayEquals(file.getValue(), Files.readAllBytes(files.get(file.getKey())),
          "second run left " + file.getKey() + " alone");
    }

    Result doctor = cli.run("doctor");
    List<String> plaintext = doctor.out().lines().filter(l -> l.contains("plaintext")).toList();
    assertTrue(plaintext.stream().noneMatch(l -> l.startsWith("fix")), doctor::toString);
    assertTrue(plaintext.stream().anyMatch(l -> l.contains(".netrc")), doctor::toString);
    assertTrue(plaintext.stream().anyMatch(l -> l.contains(".aws/credentials")),
        doctor::toString);
    assertTrue(plaintext.stream().anyMatch(l -> l.contains("sess-cli-work.json")),
        doctor::toString);

    everyToolReadsItsTokenBack(port);
  }

  private void everyToolReadsItsTokenBack(int port) throws IOException {
    // git: the real git credential fill asks credstore, as the rewritten credential.helper says.
    Result fill = cli.start(List.of("git", "credential", "fill"), cli.home,
        "protocol=https\nhost=github.com\nusername=alice\n\n");
    assertEquals(0, fill.exitCode(), fill::toString);
    assertTrue(fill.out().contains("password=" + CANARY + "git/alice\n"), fill::toString);

    // docker: docker-credential-credstore get, fed as docker feeds it ...
    Result get = cli.start(List.of(temp.resolve("path/docker-credential-credstore").toString(),
        "get"), cli.home,
        "registry.example.com\n");
    assertEquals(0, get.exitCode(), get::toString);
    JsonNode credentials = JSON.readTree(get.out());
    assertEquals("bob", credentials.get("Username").asText());
    assertEquals(CANARY + "docker-bob", credentials.get("Secret").asText());
    // ... and the real docker CLI follows config.json's credsStore to that entry.
    if (installed("docker", "--version")) {
      Result logout = cli.start(List.of("docker", "logout", "ghcr.io"), cli.home, null);
      assertEquals(0, logout.exitCode(), logout::toString);
      assertTrue(logout.out().contains("Removing login credentials for ghcr.io"),
          logout::toString);
      assertFalse(cli.run("list").out().contains("docker:ghcr.io"), "docker erased it in credstore");
    }

    // gh: its own token lookup (GH_TOKEN, GH_ENTERPRISE_TOKEN before hosts.yml).
    if (installed("gh", "--version")) {
      Result plain = cli.start(List.of("gh", "auth", "token"), cli.home, null);
      assertTrue(plain.exitCode() != 0, "no plaintext left for gh: " + plain);
      Result token = cli.run("exec", "gh", "--", "gh", "auth", "token");
      assertEquals(0, token.exitCode(), token::toString);
      assertEquals(CANARY + "gh-public\n", token.out());
      Result ghe = cli.run("exec", "gh", "--account", "ghe.corp.example", "--", "gh", "auth",
          "token", "--hostname", "ghe.corp.example");
      assertEquals(0, ghe.exitCode(), ghe::toString);
      assertEquals(CANARY + "gh-ghe\n", ghe.out());
    }

    // npm: expands the placeholder from exec's variable and sends it to the loopback registry;
    // outside exec, the placeholder is empty and tokenless commands work.
    if (installed("npm", "--version")) {
      String url = "http://127.0.0.1:" + port + "/";
      Result list = cli.start(List.of("npm", "config", "list"), cli.home, null);
      assertEquals(0, list.exitCode(), list::toString);
      Result whoami = cli.run("exec", "npm", "--account", "//127.0.0.1:" + port + "/", "--",
          "npm", "whoami", "--registry", url);
      assertEquals(0, whoami.exitCode(), whoami::toString);
      assertEquals("npm-alice\n", whoami.out());
      authorizations.clear();
      Result anonymous = cli.start(List.of("npm", "whoami", "--registry", url), cli.home, null);
      assertTrue(anonymous.exitCode() != 0, anonymous::toString);
      assertTrue(authorizations.stream().noneMatch(a -> a.contains(CANARY)), authorizations::toString);
    }

    // k6, Appcircle, Platform.sh: stand-ins reading what the tool reads, in its order.
    Path standIns = Files.createDirectories(temp.resolve("standins"));
    Result k6 = cli.run("exec", "k6", "--", "node", writeStandIn(standIns, "k6.js", K6));
    assertEquals(0, k6.exitCode(), k6::toString);
    assertEquals(CANARY + "k6 stack=4242 project=7 url=https://me.grafana.net\n", k6.out());

    Result appcircle = cli.run("exec", "appcircle", "--account", "staging", "--", "node",
        writeStandIn(standIns, "appcircle.js", APPCIRCLE));
    assertEquals(0, appcircle.exitCode(), appcircle::toString);
    String[] seen = appcircle.out().strip().split(" ");
    assertEquals(CANARY + "ac-staging", seen[0], appcircle::toString);
    assertEquals("api=https://api.stage.example", seen[1]);
    assertEquals("mode=700", seen[3], "the private config directory is 0700");
    assertTrue(seen[2].startsWith(temp.resolve("run").toString()), appcircle::toString);
    assertFalse(Files.exists(Path.of(seen[2])), "and gone once the child ended");

    String platformStandIn = writeStandIn(standIns, "platform.js", PLATFORM);
    Result platform = cli.run("exec", "platformsh", "--", "node", platformStandIn,
        "PLATFORMSH_CLI", ".platformsh");
    assertEquals(0, platform.exitCode(), platform::toString);
    assertEquals("env " + CANARY + "platform\n", platform.out());
    Result upsun = cli.run("exec", "upsun", "--", "node", platformStandIn, "UPSUN_CLI",
        ".upsun-cli");
    assertEquals(0, upsun.exitCode(), upsun::toString);
    assertEquals("env " + CANARY + "upsun\n", upsun.out());
  }

  @Test
  void appcircleChildKilled_itsPrivateConfigIsRemovedAnyway() throws IOException {
    write("appcircle", cli.configHome.resolve("@appcircle/cli-nodejs/config.json"),
        "{\"current\":\"default\",\"envs\":{\"default\":{\"AC_ACCESS_TOKEN\":\"" + CANARY
            + "ac\"}}}", "rw-r--r--");
    assertEquals(0, cli.run("migrate").exitCode());
    Path script = Files.writeString(temp.resolve("die.js"), "console.log(process.env."
        + "XDG_CONFIG_HOME); process.kill(process.pid, 'SIGKILL');\n");

    Result killed = cli.run("exec", "appcircle", "--", "node", script.toString());

    assertEquals(128 + 9, killed.exitCode(), killed::toString);
    Path directory = Path.of(killed.out().strip());
    assertTrue(directory.startsWith(temp.resolve("run")), killed::toString);
    assertFalse(Files.exists(directory), "removed although the child was killed");
  }

  /** One secret of a file failing to store leaves the whole file as it was. */
  @Test
  void secondRegistryConflicts_fileUnchanged_firstIsStoredAnyway_exitSeven() throws IOException {
    Path config = write("docker", cli.home.resolve(".docker/config.json"), "{\"auths\":{"
        + "\"a.example\":{\"auth\":\"" + b64("ann:" + CANARY + "a") + "\"},"
        + "\"b.example\":{\"auth\":\"" + b64("ben:" + CANARY + "b") + "\"}}}", "rw-------");
    assertEquals(0, cli.runWithInput(CANARY + "other\n", "login", "docker:b.example",
        "--account", "ben", "--token-stdin").exitCode());
    byte[] before = Files.readAllBytes(config);

    Result conflict = cli.run("migrate", "--service", "docker", "--json");

    assertEquals(7, conflict.exitCode(), conflict::toString);
    assertArrayEquals(before, Files.readAllBytes(config));
    JsonNode outcomes = JSON.readTree(conflict.out()).get("files");
    assertEquals("error", outcomes.get(0).get("status").asText());
    assertTrue(outcomes.get(0).get("message").asText().contains("the file is unchanged, because "
        + "/auths/b.example/auth failed"), conflict::toString);
    assertEquals("conflict", outcomes.get(1).get("status").asText());
    assertEquals(CANARY + "a\n", cli.run("get", "docker:a.example", "--account", "ann").out());
  }

  @Test
  void hardLinkedGitCredentials_andSymlinkedHostsYml_areRefusedUntouched() throws IOException {
    Path credentials = write("git", cli.home.resolve(".git-credentials"),
        "https://u:" + CANARY + "g@h.example\n", "rw-------");
    Files.createLink(temp.resolve("second-name"), credentials);
    Path real = write("real", temp.resolve("hosts-real.yml"),
        "github.com:\n    oauth_token: " + CANARY + "gh\n", "rw-------");
    Files.createDirectories(cli.configHome.resolve("gh"));
    Files.createSymbolicLink(cli.configHome.resolve("gh/hosts.yml"), real);

    Result refused = cli.run("migrate", "--json");

    assertEquals(8, refused.exitCode(), refused::toString);
    assertEquals("https://u:" + CANARY + "g@h.example\n", Files.readString(credentials));
    assertEquals("github.com:\n    oauth_token: " + CANARY + "gh\n", Files.readString(real));
    assertFalse(Files.exists(cli.storeFile()), "nothing was stored");
  }

  /** While one migrate holds the lock, another waits for it, changes nothing, and then runs. */
  @Test
  void twoRunsAtOnce_takeTurns() throws IOException, InterruptedException {
    write("k6", cli.configHome.resolve("k6/config.json"),
        "{\"collectors\":{\"cloud\":{\"token\":\"" + CANARY + "k6\"}}}", "rw-------");
    Path stateDirectory = Files.createDirectories(cli.home.resolve(".local/state/credstore"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path lockFile = stateDirectory.resolve("migrations.lock");
    Result second;
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile,
            Set.of(java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        java.nio.channels.FileLock held = channel.lock()) {
      java.util.concurrent.CompletableFuture<Result> waiting =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> cli.run("migrate"));
      // Waiting means: another process has the lock file open while we hold the lock.
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
      while (!openedByAnotherProcess(lockFile) && !waiting.isDone()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(500); // it polls the lock meanwhile; nothing may have changed
      assertFalse(waiting.isDone(), () -> "the second run waits while the lock is held: "
          + waiting.join());
      assertTrue(Files.readString(files.get("k6")).contains(CANARY), "and has changed nothing");
      held.release();
      second = waiting.join();
    }
    assertEquals(0, second.exitCode(), second::toString);
    assertFalse(Files.readString(files.get("k6")).contains(CANARY));
  }

  private static boolean openedByAnotherProcess(Path file) throws IOException {
    long self = ProcessHandle.current().pid();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.toList()) {
        String name = process.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
          continue;
        }
        try (Stream<Path> descriptors = Files.list(process.resolve("fd"))) {
          for (Path descriptor : descriptors.toList()) {
            try {
              if (Files.readSymbolicLink(descriptor).equals(file)) {
                return true;
              }
            } catch (IOException gone) {
              // closed meanwhile
            }
          }
        } catch (IOException notOurs) {
          // exited, or not readable
        }
      }
    }
    return false;
  }

  /**
   * k6 (grafana/k6 cloudapi.GetConsolidatedConfig): collectors.cloud from the JSON config
   * ($K6_CONFIG, else os.UserConfigDir()/k6/config.json), then K6_CLOUD_TOKEN, K6_CLOUD_STACK_ID,
   * K6_CLOUD_PROJECT_ID, K6_CLOUD_STACK_URL from the environment override each field.
   */
  private static final String K6 = "const fs = require('fs'), path = require('path');\n"
      + "const file = process.env.K6_CONFIG || path.join(process.env.XDG_CONFIG_HOME || "
      + "path.join(process.env.HOME, '.config'), 'k6', 'config.json');\n"
      + "let c = {}; try { c = (JSON.parse(fs.readFileSync(file)).collectors || {}).cloud || {}; }"
      + " catch (e) {}\n"
      + "const e = process.env;\n"
      + "console.log((e.K6_CLOUD_TOKEN || c.token || 'no-token') + ' stack=' + "
      + "(e.K6_CLOUD_STACK_ID || c.stackID) + ' project=' + (e.K6_CLOUD_PROJECT_ID || "
      + "c.defaultProjectID) + ' url=' + (e.K6_CLOUD_STACK_URL || c.stackURL));\n";

  /**
   * Appcircle CLI 2.7.3 (src/core/config.ts via conf/env-paths): reads only
   * ${XDG_CONFIG_HOME:-~/.config}/@appcircle/cli-nodejs/config.json, envs[current].
   * Prints the token, API host, the config directory and its mode.
   */
  private static final String APPCIRCLE = "const fs = require('fs'), path = require('path');\n"
      + "const dir = path.join(process.env.XDG_CONFIG_HOME || path.join(process.env.HOME, "
      + "'.config'), '@appcircle', 'cli-nodejs');\n"
      + "const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json')));\n"
      + "const env = c.envs[c.current];\n"
      + "console.log(env.AC_ACCESS_TOKEN + ' api=' + env.API_HOSTNAME + ' ' + "
      + "process.env.XDG_CONFIG_HOME + ' mode=' + (fs.statSync(process.env.XDG_CONFIG_HOME).mode"
      + " & 0o777).toString(8));\n";

  /**
   * Platform.sh and Upsun CLIs (legacy-cli TokenConfig / Config, as issue 18 records them): a
   * token stored in the session directory (<home>/.session/sess-cli-<id>/api-token) wins, then
   * api.token in <home>/config.yaml, then <PREFIX>_TOKEN. Arguments: PREFIX and home directory.
   */
  private static final String PLATFORM = "const fs = require('fs'), path = require('path');\n"
      + "const [prefix, dir] = process.argv.slice(2);\n"
      + "const home = process.env[prefix + '_HOME'] || path.join(process.env.HOME, dir);\n"
      + "const id = process.env[prefix + '_SESSION_ID'] || 'default';\n"
      + "const file = path.join(home, '.session', 'sess-cli-' + id, 'api-token');\n"
      + "if (fs.existsSync(file)) { console.log('file ' + fs.readFileSync(file, 'utf8').trim()); "
      + "process.exit(0); }\n"
      + "let yaml = ''; try { yaml = fs.readFileSync(path.join(home, 'config.yaml'), 'utf8'); }"
      + " catch (e) {}\n"
      + "const m = /^api:\\n(?:[ ].*\\n)*?[ ]+token:[ ]*(\\S+)/m.exec(yaml);\n"
      + "if (m) { console.log('config ' + m[1]); process.exit(0); }\n"
      + "console.log('env ' + process.env[prefix + '_TOKEN']);\n";

  private static String writeStandIn(Path dir, String name, String script) throws IOException {
    return Files.writeString(dir.resolve(name), script).toString();
  }

  /** npm 11.5 and later read ${VAR?} (npm/cli#8359); older ones get ${VAR}. */
  private static boolean npmKnowsOptionalPlaceholders() {
    try {
      Process npm = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
      String version = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
          .strip();
      String[] parts = version.split("\\.");
      int major = Integer.parseInt(parts[0]);
      return major > 11 || major == 11 && Integer.parseInt(parts[1]) >= 5;
    } catch (IOException | RuntimeException noNpm) {
      return false;
    }
  }

  private static boolean installed(String... command) {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String readQuietly(String name) {
    try {
      return Files.readString(files.get(name));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file,
        LinkOption.NOFOLLOW_LINKS));
  }

  private static long count(JsonNode files, String status) {
    return Stream.iterate(0, i -> i + 1).limit(files.size())
        .filter(i -> files.get(i).get("status").asText().equals(status)).count();
  }
}
