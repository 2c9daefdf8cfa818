package dev.credstore.cli.helper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing of what git and Docker pipe to a credential helper. */
class HelperProtocolTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void helperInput_stopsAtGitsBlankLine_orReadsToEnd() {
    byte[] input = utf8("protocol=https\nhost=x\n\nignored=1\n");
    assertArrayEquals(utf8("protocol=https\nhost=x\n"),
        HelperInput.read(new ByteArrayInputStream(input), true));
    assertArrayEquals(input, HelperInput.read(new ByteArrayInputStream(input), false));
    assertArrayEquals(new byte[0], HelperInput.read(new ByteArrayInputStream(utf8("\n")), true));
  }

  @Test
  void gitRequest_parsesKnownKeys_keepsSecretsVerbatim_ignoresTheRest() {
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8(
        "capability[]=authtype\r\nprotocol=https\nhost=git.example.com:8443\npath=org/repo.git\n"
            + "username=alice\npassword=p=ss w\u00f6rd=\nwwwauth[]=Basic realm=x\nnonsense\n"
            + "state[]=a:b\npassword_expiry_utc=1700000000\noauth_refresh_token=rt=1\n"
            + "ephemeral=1\n"))) {
      assertEquals("git:https://git.example.com:8443/org/repo.git", request.service().get());
      assertEquals("alice", request.username);
      assertTrue(request.password.sameAs(Secret.of("p=ss w\u00f6rd=")));
      assertTrue(request.refreshToken.sameAs(Secret.of("rt=1")));
      assertEquals("1700000000", request.passwordExpiry);
      assertTrue(request.ephemeral);
      assertFalse(request.toString().contains("p=ss"));
      assertFalse(request.toString().contains("rt=1"));
    }
  }

  @Test
  void gitRequest_noUsernameAndEmptyUsername_areDifferent_andUrlFormIsUnderstood() {
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8(
        "url=https://bob@example.com/a/b\n"))) {
      assertEquals("git:https://example.com/a/b", request.service().get());
      assertEquals("bob", request.username);
      assertNull(request.password);
    }
    try (GitCredentialRequest none = GitCredentialRequest.parse(utf8("protocol=https\nhost=h\n"));
        GitCredentialRequest empty = GitCredentialRequest.parse(utf8(
            "protocol=https\nhost=h\nusername=\n"))) {
      assertNull(none.username);
      assertEquals("", empty.username);
    }
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8("host=example.com\n"))) {
      assertEquals(Optional.empty(), request.service(), "no protocol: matches nothing");
    }
  }

  @Test
  void gitRequest_urlCredentials_endAtTheLastAt_leavingNoPasswordInTheHost() {
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8(
        "url=https://al%40ice:p@ss@w0rd@git.example.com:8443/org/r%20epo.git?x=1\n"))) {
      assertEquals("git.example.com:8443", request.host);
      assertEquals("al@ice", request.username);
      assertEquals("org/r epo.git", request.path);
      assertNull(request.password, "a password in url= is not taken from the URL");
      assertFalse(request.service().get().contains("ss"), request.service().get());
    }
  }

  @Test
  void helperNames_longUrl_getsABoundedNameThatKeepsItsStart_shortOnesAreKept() {
    String url = "https://example.com/" + "p".repeat(300);
    String service = HelperNames.service("git:", url);
    assertTrue(service.length() <= CredentialId.MAX_SERVICE_LENGTH, service);
    assertTrue(service.startsWith("git:https://example.com/ppp"), service);
    assertEquals(service, HelperNames.service("git:", url), "stable");
    assertFalse(service.equals(HelperNames.service("git:", url + "q")), "distinct");
    assertEquals("git:https://example.com", HelperNames.service("git:", "https://example.com"));
    String huge = "https://example.com/" + "x".repeat(10_000);
    assertEquals(huge, HelperNames.url(HelperNames.attributes(huge, null)));
  }

  @Test
  void helperNames_noUsernameEmptyUsernameAndDefault_getThreeAccounts() {
    Set<String> accounts = Set.of(HelperNames.account(null), HelperNames.account(""),
        HelperNames.account("default"));
    assertEquals(3, accounts.size(), accounts::toString);
    assertEquals("default", HelperNames.account(null));
    assertEquals("alice", HelperNames.account("alice"));
    assertTrue(HelperNames.account(" padded ").startsWith(HelperNames.HASHED_ACCOUNT));
    assertTrue(HelperNames.account("u".repeat(300)).length() <= CredentialId.MAX_ACCOUNT_LENGTH);
    String mimic = HelperNames.account("");
    assertFalse(mimic.equals(HelperNames.account(mimic)), "a username cannot pose as a hash");
  }

  @Test
  void gitSecret_plainPasswordStaysPlain_emptyPasswordAndRefreshTokenRoundTrip() {
    try (Secret plain = GitSecret.encode(Secret.of("pw"), null)) {
      assertTrue(plain.sameAs(Secret.of("pw")), "credstore get prints the password itself");
    }
    try (Secret stored = GitSecret.encode(Secret.of(""), null);
        GitSecret back = GitSecret.decode(stored, GitSecret.FIELDS)) {
      assertFalse(stored.isBlank(), "storable as a credential's secret");
      assertEquals(0, back.password.length());
      assertNull(back.refreshToken);
    }
    try (Secret stored = GitSecret.encode(Secret.of("pw=1"), Secret.of("rt=2"));
        GitSecret back = GitSecret.decode(stored, GitSecret.FIELDS)) {
      assertTrue(back.password.sameAs(Secret.of("pw=1")));
      assertTrue(back.refreshToken.sameAs(Secret.of("rt=2")));
    }
    try (GitSecret back = GitSecret.decode(Secret.of("plain-token"), GitSecret.FIELDS)) {
      assertTrue(back.password.sameAs(Secret.of("plain-token")),
          "a plain secret under the attribute (rotated by hand) is the password");
      assertNull(back.refreshToken);
    }
  }

  @Test
  void dockerCredentials_parsesTheDocumentedShape_caseInsensitively_withEscapes()
      throws IOException {
    try (DockerCredentials credentials = DockerCredentials.parse(utf8(
        "{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"david\","
            + "\"Secret\":\"passw0rd1\\u00e9\\\"\"}"))) {
      assertEquals("https://index.docker.io/v1/", credentials.serverUrl);
      assertEquals("david", credentials.username);
      assertTrue(credentials.secret.sameAs(Secret.of("passw0rd1\u00e9\"")));
    }
    try (DockerCredentials credentials = DockerCredentials.parse(utf8(
        "{\"serverurl\":\"r.example\",\"username\":\"<token>\",\"secret\":\"id-token\","
            + "\"Extra\":{\"a\":[1]}}"))) {
      assertEquals("r.example", credentials.serverUrl);
      assertEquals("<token>", credentials.username);
      assertTrue(credentials.secret.sameAs(Secret.of("id-token")));
    }
  }

  @Test
  void dockerCredentials_rejectsWhatIsNotAnObjectOfStrings() {
    assertThrows(IOException.class, () -> DockerCredentials.parse(utf8("[]")));
    assertThrows(IOException.class, () -> DockerCredentials.parse(utf8("{\"Secret\":5}")));
    assertThrows(IOException.class, () -> DockerCredentials.parse(utf8("{\"Secret\":\"x")));
  }

  @Test
  void dockerCredentials_malformedJson_neverQuotesTheSecretInTheError() {
    List<String> inputs = List.of(
        "{\"ServerURL\":\"https://r.example\",\"Username\":\"u\",\"Secret\":leakysecret77}",
        "{\"Secret\":\"leakysecret77\" \"Username\":\"u\"}",
        "{\"Secret\":\"leakysecret77\\q\"}",
        "{\"Secret\":\"leakysecret77");
    for (String input : inputs) {
      IOException e = assertThrows(IOException.class, () -> DockerCredentials.parse(utf8(input)));
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains("leaky"),
            input + " -> " + t.getMessage());
      }
    }
  }
}
