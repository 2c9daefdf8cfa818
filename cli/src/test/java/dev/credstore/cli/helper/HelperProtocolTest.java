package dev.credstore.cli.helper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
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
  void gitRequest_parsesKnownKeys_keepsPasswordVerbatim_ignoresTheRest() {
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8(
        "capability[]=authtype\r\nprotocol=https\nhost=git.example.com:8443\npath=org/repo.git\n"
            + "username=alice\npassword=p=ss w\u00f6rd=\nwwwauth[]=Basic realm=x\nnonsense\n"))) {
      assertEquals("git:https://git.example.com:8443/org/repo.git", request.service().get());
      assertEquals("alice", request.account());
      assertTrue(request.password.sameAs(Secret.of("p=ss w\u00f6rd=")));
      assertFalse(request.toString().contains("p=ss"));
    }
  }

  @Test
  void gitRequest_withoutUsernameUsesDefaultAccount_andUrlFormIsUnderstood() {
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8(
        "url=https://bob@example.com/a/b\n"))) {
      assertEquals("git:https://example.com/a/b", request.service().get());
      assertEquals("bob", request.account());
      assertNull(request.password);
    }
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8("host=example.com\n"))) {
      assertEquals(Optional.empty(), request.service(), "no protocol: matches nothing");
      assertEquals("default", request.account());
    }
  }

  @Test
  void gitRequest_serviceTooLong_isAUsageError() {
    try (GitCredentialRequest request = GitCredentialRequest.parse(utf8(
        "protocol=https\nhost=example.com\npath=" + "p".repeat(200) + "\n"))) {
      assertThrows(IllegalArgumentException.class, request::service);
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
