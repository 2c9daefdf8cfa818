package dev.credstore.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each source against fixtures of its tool's layouts: what it finds (credential, metadata, the
 * secret itself) and the exact bytes left behind. Several environments, hosts, registries and
 * accounts each; CRLF and BOM where the tool would read them.
 */
class PlaintextSourcesTest {

  private static final Path FILE = Path.of("/fixture");

  /** id -> secret, in order found; and the rewritten text. */
  private record Found(Map<String, String> secrets, Map<String, Map<String, String>> metadata,
      String after, List<String> reported) {}

  private static Found scan(PlaintextSource source, String content) throws ConfigurationException {
    try (Scan scan = source.scan(FILE, content.getBytes(StandardCharsets.UTF_8))) {
      Map<String, String> secrets = new LinkedHashMap<>();
      Map<String, Map<String, String>> metadata = new LinkedHashMap<>();
      for (FoundSecret secret : scan.secrets()) {
        String id = secret.id().service() + "|" + secret.id().account();
        secrets.put(id, new String(secret.secret().revealChars()));
        metadata.put(id, secret.metadata());
      }
      return new Found(secrets, metadata, scan.rewritten() == null ? null
          : new String(scan.rewritten(), StandardCharsets.UTF_8),
          scan.reported().stream().map(Reported::locator).collect(Collectors.toList()));
    }
  }

  // ---- Appcircle

  @Test
  void appcircle_everyEnvironmentsToken_movesAsItsAccount_andIsLeftLoggedOut()
      throws ConfigurationException {
    Found found = scan(new AppcircleSource(), "{\n  \"current\": \"staging\",\n  \"envs\": {\n"
        + "    \"default\": {\"API_HOSTNAME\": \"https://api.appcircle.io\", \"AUTH_HOSTNAME\": "
        + "\"https://auth.appcircle.io\", \"AC_ACCESS_TOKEN\": \"jwt-default\"},\n"
        + "    \"staging\": {\"AC_ACCESS_TOKEN\": \"jwt-staging\", \"API_HOSTNAME\": \"https://"
        + "api.stage.example\"},\n"
        + "    \"out\": {\"AC_ACCESS_TOKEN\": \"\"}\n  }\n}\n");
    assertEquals(Map.of("appcircle|default", "jwt-default", "appcircle|staging", "jwt-staging"),
        found.secrets());
    assertEquals("https://auth.appcircle.io",
        found.metadata().get("appcircle|default").get("authHostname"));
    assertEquals("{\n  \"current\": \"staging\",\n  \"envs\": {\n"
        + "    \"default\": {\"API_HOSTNAME\": \"https://api.appcircle.io\", \"AUTH_HOSTNAME\": "
        + "\"https://auth.appcircle.io\", \"AC_ACCESS_TOKEN\": \"\"},\n"
        + "    \"staging\": {\"AC_ACCESS_TOKEN\": \"\", \"API_HOSTNAME\": \"https://"
        + "api.stage.example\"},\n"
        + "    \"out\": {\"AC_ACCESS_TOKEN\": \"\"}\n  }\n}\n", found.after());
  }

  @Test
  void appcircle_withBomAndCrlf_keepsBoth() throws ConfigurationException {
    Found found = scan(new AppcircleSource(),
        "\uFEFF{\r\n\"envs\":{\"default\":{\"AC_ACCESS_TOKEN\":\"t\\u0041\"}}}\r\n");
    assertEquals(Map.of("appcircle|default", "tA"), found.secrets());
    assertEquals("\uFEFF{\r\n\"envs\":{\"default\":{\"AC_ACCESS_TOKEN\":\"\"}}}\r\n",
        found.after());
  }

  // ---- Docker

  @Test
  void docker_authsAndIdentityTokens_move_credsStoreIsSet_emptyEntriesStay()
      throws ConfigurationException {
    Found found = scan(new DockerSource(), "{\n\t\"auths\": {\n"
        + "\t\t\"https://index.docker.io/v1/\": {\n\t\t\t\"auth\": \"ZGF2aWQ6cDpzcw==\"\n\t\t},\n"
        + "\t\t\"ghcr.io\": {\n\t\t\t\"auth\": \"b2N0bzpnaHBfdG9r\",\n\t\t\t\"email\": \"o@x\"\n\t\t},\n"
        + "\t\t\"registry.example\": {\n\t\t\t\"identitytoken\": \"id-tok\"\n\t\t},\n"
        + "\t\t\"bearer.example\": {\n\t\t\t\"registrytoken\": \"reg-tok\"\n\t\t}\n"
        + "\t},\n\t\"psFormat\": \"table\"\n}");
    assertEquals(Map.of("docker:https://index.docker.io/v1/|david", "p:ss",
        "docker:ghcr.io|octo", "ghp_tok", "docker:registry.example|<token>", "id-tok"),
        found.secrets());
    assertEquals(List.of("/auths/bearer.example/registrytoken"), found.reported());
    assertEquals("{\n\t\"credsStore\": \"credstore\",\n\t\"auths\": {\n"
        + "\t\t\"https://index.docker.io/v1/\": {},\n"
        + "\t\t\"ghcr.io\": {\n\t\t\t\"email\": \"o@x\"\n\t\t},\n"
        + "\t\t\"registry.example\": {},\n"
        + "\t\t\"bearer.example\": {\n\t\t\t\"registrytoken\": \"reg-tok\"\n\t\t}\n"
        + "\t},\n\t\"psFormat\": \"table\"\n}", found.after());
  }

  @Test
  void docker_anotherCredsStore_getsCredHelpersForTheMovedRegistries()
      throws ConfigurationException {
    Found none = scan(new DockerSource(),
        "{\"auths\":{\"a.example\":{\"auth\":\"dTpw\"}},\"credsStore\":\"desktop\"}");
    assertEquals("{\"credHelpers\": {\"a.example\": \"credstore\"},\"auths\":{\"a.example\":{}},"
        + "\"credsStore\":\"desktop\"}", none.after());
    Found some = scan(new DockerSource(), "{\"auths\":{\"a.example\":{\"auth\":\"dTpw\"}},"
        + "\"credHelpers\":{\"ecr.example\":\"ecr-login\"},\"credsStore\":\"desktop\"}");
    assertEquals("{\"auths\":{\"a.example\":{}},\"credHelpers\":{\"a.example\": \"credstore\","
        + "\"ecr.example\":\"ecr-login\"},\"credsStore\":\"desktop\"}", some.after());
  }

  @Test
  void docker_credHelperOfAnotherToolForTheRegistry_isRefused() {
    assertThrows(ConfigurationException.class, () -> scan(new DockerSource(),
        "{\"auths\":{\"a.example\":{\"auth\":\"dTpw\"}},\"credsStore\":\"desktop\","
            + "\"credHelpers\":{\"a.example\":\"pass\"}}"));
  }

  @Test
  void docker_authThatIsNotUserColonPassword_isRefused() {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> scan(new DockerSource(), "{\"auths\":{\"r\":{\"auth\":\"bm9jb2xvbg==\"}}}"));
    assertTrue(e.getMessage().contains("not user:password"), e.getMessage());
  }

  // ---- git

  @Test
  void gitCredentials_everyUrlLine_movesToItsHelperEntry_otherLinesStayByteForByte()
      throws ConfigurationException {
    Found found = scan(new GitCredentialsSource(), "\uFEFFhttps://alice:p%40ss%3Aw@github.com\r\n"
        + "# not a credential\n"
        + "https://bob:tok@gitlab.example.com:8443/group/repo.git\n"
        + "https://nopassword@host.example\n"
        + "http://:anon@plain.example\n");
    assertEquals(Map.of("git:https://github.com|alice", "p@ss:w",
        "git:https://gitlab.example.com:8443/group/repo.git|bob", "tok",
        "git:http://plain.example|default", "anon"), found.secrets());
    assertEquals("\uFEFF# not a credential\nhttps://nopassword@host.example\n", found.after());
  }

  // ---- gh

  @Test
  void gh_hostAndUserTokens_moveToTheirAccounts_everyOtherByteStays()
      throws ConfigurationException {
    Found found = scan(new GhSource(), "github.com:\n"
        + "    users:\n        octocat:\n            oauth_token: gho_active\n"
        + "        monalisa:\n            oauth_token: gho_other\n"
        + "    git_protocol: https\n    oauth_token: gho_active\n    user: octocat\n"
        + "ghe.corp.example:\n    oauth_token: \"ghe_tok\" # quoted\n    user: me\n"
        + "    git_protocol: ssh\n");
    assertEquals(Map.of("gh|default", "gho_active", "gh|monalisa@github.com", "gho_other",
        "gh|ghe.corp.example", "ghe_tok"), found.secrets());
    assertEquals("ghe.corp.example", found.metadata().get("gh|ghe.corp.example").get("host"));
    assertEquals("github.com:\n"
        + "    users:\n        octocat:\n"
        + "        monalisa:\n"
        + "    git_protocol: https\n    user: octocat\n"
        + "ghe.corp.example:\n    user: me\n    git_protocol: ssh\n", found.after());
  }

  @Test
  void gh_olderLayoutWithCrlfAndBom_keepsThem() throws ConfigurationException {
    Found found = scan(new GhSource(),
        "\uFEFFgithub.com:\r\n    oauth_token: gho_x\r\n    user: u\r\n");
    assertEquals(Map.of("gh|default", "gho_x"), found.secrets());
    assertEquals("\uFEFFgithub.com:\r\n    user: u\r\n", found.after());
  }

  @Test
  void gh_tokenInAFlowMapping_isRefusedRatherThanGuessed() {
    assertThrows(ConfigurationException.class,
        () -> scan(new GhSource(), "github.com: {oauth_token: gho_x, user: u}\n"));
  }

  // ---- npm

  @Test
  void npm_authTokens_becomePlaceholders_passwordsAreReported() throws ConfigurationException {
    Found found = scan(new NpmSource(() -> true), "registry=https://registry.npmjs.org/\r\n"
        + "//registry.npmjs.org/:_authToken=npm_public\r\n"
        + "; a comment\r\n"
        + "//npm.corp.example/team/:_authToken = \"npm_corp\"\r\n"
        + "//old.example/:_password=cGFzcw==\r\n"
        + "//env.example/:_authToken=${ALREADY_SET}\r\n");
    assertEquals(Map.of("npm|default", "npm_public", "npm|//npm.corp.example/team/", "npm_corp"),
        found.secrets());
    assertEquals("NPM_TOKEN_NPM_CORP_EXAMPLE_TEAM",
        found.metadata().get("npm|//npm.corp.example/team/").get("variable"));
    assertEquals(List.of("//old.example/:_password (line 5)"), found.reported());
    assertEquals("registry=https://registry.npmjs.org/\r\n"
        + "//registry.npmjs.org/:_authToken=${NPM_TOKEN?}\r\n"
        + "; a comment\r\n"
        + "//npm.corp.example/team/:_authToken = \"${NPM_TOKEN_NPM_CORP_EXAMPLE_TEAM?}\"\r\n"
        + "//old.example/:_password=cGFzcw==\r\n"
        + "//env.example/:_authToken=${ALREADY_SET}\r\n", found.after());
  }

  @Test
  void npm_olderThan11_5_getsThePlainPlaceholder_whichItCanExpand()
      throws ConfigurationException {
    Found found = scan(new NpmSource(() -> false), "//registry.npmjs.org/:_authToken=tok\n");
    assertEquals("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", found.after());
    assertTrue(NpmSource.knowsOptionalPlaceholders("11.5.0"));
    assertTrue(NpmSource.knowsOptionalPlaceholders("12.0.1"));
    assertFalse(NpmSource.knowsOptionalPlaceholders("11.4.2"));
    assertFalse(NpmSource.knowsOptionalPlaceholders("9.2.0"));
  }

  // ---- Platform.sh / Upsun

  @Test
  void platform_apiTokenFile_isTheSecret_andGoesWhole() throws ConfigurationException {
    PlatformSource source = PlatformSource.platformsh();
    try (Scan scan = source.scan(Path.of("/h/.platformsh/.session/sess-cli-work/api-token"),
        "plat_tok\n".getBytes(StandardCharsets.UTF_8))) {
      assertTrue(scan.deletesFile());
      assertEquals(CredentialId.of("platformsh", "work"), scan.secrets().get(0).id());
      assertEquals("plat_tok", new String(scan.secrets().get(0).secret().revealChars()));
    }
    assertThrows(ConfigurationException.class, () -> source.scan(
        Path.of("/h/.platformsh/.session/sess-cli-default/api-token"),
        "one\ntwo\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void platform_configYamlApiToken_isCut_andAnEmptiedApiGoesToo() throws ConfigurationException {
    PlatformSource upsun = PlatformSource.upsun();
    Found kept = scanAt(upsun, "config.yaml", "api:\n  token: ups_tok\n  base_url: x\n"
        + "application:\n  name: y\n");
    assertEquals(Map.of("upsun|default", "ups_tok"), kept.secrets());
    assertEquals("api:\n  base_url: x\napplication:\n  name: y\n", kept.after());
    Found emptied = scanAt(upsun, "config.yaml", "# mine\napi:\n    token: ups_tok\nother: 1\n");
    assertEquals("# mine\nother: 1\n", emptied.after());
  }

  @Test
  void platform_oauthSession_isReported_notMoved() throws ConfigurationException {
    Found found = scanAt(PlatformSource.platformsh(), "sess-cli-default.json",
        "{\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires\":1}");
    assertEquals(Map.of(), found.secrets());
    assertEquals(List.of("/access_token, /refresh_token"), found.reported());
  }

  private static Found scanAt(PlaintextSource source, String name, String content)
      throws ConfigurationException {
    try (Scan scan = source.scan(Path.of("/h").resolve(name),
        content.getBytes(StandardCharsets.UTF_8))) {
      Map<String, String> secrets = new LinkedHashMap<>();
      scan.secrets().forEach(s -> secrets.put(s.id().service() + "|" + s.id().account(),
          new String(s.secret().revealChars())));
      return new Found(secrets, Map.of(), scan.rewritten() == null ? null
          : new String(scan.rewritten(), StandardCharsets.UTF_8),
          scan.reported().stream().map(Reported::locator).toList());
    }
  }

  // ---- k6

  @Test
  void k6_tightensTheModeOldK6Wrote_butKeepsAModeTheOwnerChose() {
    PlaintextSource k6 = JsonTokenSource.known(dev.credstore.runtime.KnownServices.builtIn()
        .find("k6").orElseThrow(), null);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        k6.mode(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"))
            .orElseThrow()));
    assertTrue(k6.mode(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"))
        .isEmpty());
  }

  // ---- reported only

  @Test
  void reportedKinds_nameTheKeyNeverTheValue() throws ConfigurationException {
    assertEquals(List.of("machine example.com password", "machine default password"),
        scan(new NetrcSource(), "machine example.com login me password s3cret\n"
            + "default login anon password other\n").reported());
    assertEquals(List.of("[pypi] password"), scan(IniPasswordSource.pypirc(),
        "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername: me\npassword: pypi-pass\n")
        .reported());
    assertEquals(List.of("[default] aws_secret_access_key", "[ci] aws_session_token"),
        scan(IniPasswordSource.aws(), "[default]\naws_access_key_id = AKIA\n"
            + "aws_secret_access_key = abc\n[ci]\naws_session_token=tok\n").reported());
    assertEquals(List.of("server central password"), scan(new MavenSettingsSource(),
        "<settings><servers><server><id>central</id><password>plain</password></server>"
            + "<server><id>enc</id><password>{COQLCE6DU6GtcS5P=}</password></server>"
            + "</servers></settings>").reported());
  }
}
