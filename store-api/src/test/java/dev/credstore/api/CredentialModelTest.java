package dev.credstore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialModelTest {

  @Test
  void id_defaultsAccount() {
    assertEquals(new CredentialId("k6", "default"), CredentialId.of("k6"));
    assertEquals(new CredentialId("k6", "default"), CredentialId.of("k6", null));
    assertEquals("k6/ci", CredentialId.of("k6", "ci").toString());
  }

  @Test
  void id_rejectsBadNames_namingThePart() {
    List<String> failures = new ArrayList<>();
    String[][] bad = {
        {"", "a"}, {" ", "a"}, {"k6", ""}, {"k 6\n", "a"}, {"k6", "tab\there"},
        {" lead", "a"}, {"k6", "trail "}, {"x".repeat(129), "a"}, {"k6", "y".repeat(257)},
        {"bidi\u202Eoverride", "a"}, {"k6", "nul\0"}, {"lone\uD800", "a"}};
    for (String[] pair : bad) {
      try {
        new CredentialId(pair[0], pair[1]);
        failures.add("accepted " + Map.of("service", pair[0], "account", pair[1]));
      } catch (IllegalArgumentException expected) {
        if (!expected.getMessage().startsWith("service") && !expected.getMessage().startsWith("account")) {
          failures.add("message does not name the part: " + expected.getMessage());
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void id_acceptsUnicodeAndPunctuation() {
    new CredentialId("docker:https://index.docker.io/v1/", "José 山田 🔑");
  }

  @Test
  void builder_requiresSecret_andRefusesBlankSecret() {
    CredentialId id = CredentialId.of("k6");
    assertThrows(IllegalArgumentException.class, () -> Credential.builder(id).build());
    try (Secret blank = Secret.of("   ")) {
      assertThrows(IllegalArgumentException.class, () -> Credential.builder(id).token(blank));
    }
  }

  @Test
  void builder_truncatesTimesToMillis_andDefaultsUpdatedToCreated() {
    Instant created = Instant.parse("2025-01-01T00:00:00.123456789Z");
    try (Secret s = Secret.of("t");
        Credential c = Credential.builder(CredentialId.of("k6")).token(s).createdAt(created).build()) {
      assertEquals(Instant.parse("2025-01-01T00:00:00.123Z"), c.metadata().createdAt());
      assertEquals(c.metadata().createdAt(), c.metadata().updatedAt());
      assertEquals(c.metadata().createdAt(), c.metadata().secretSetAt());
    }
  }

  @Test
  void metadata_rejectsBadAttributes() {
    try (Secret s = Secret.of("t")) {
      assertThrows(IllegalArgumentException.class,
          () -> Credential.builder(CredentialId.of("k6")).token(s).attribute("bad key", "v").build());
      assertThrows(IllegalArgumentException.class,
          () -> Credential.builder(CredentialId.of("k6")).token(s).attribute("k", "line\nbreak").build());
    }
  }

  @Test
  void tokenHasNoKeyName_apiKeyRequiresOne() {
    Instant now = Instant.now();
    assertThrows(IllegalArgumentException.class, () -> new CredentialMetadata(CredentialId.of("a"),
        CredentialKind.TOKEN, "name", Map.of(), now, now, null, false));
    assertThrows(IllegalArgumentException.class, () -> new CredentialMetadata(CredentialId.of("a"),
        CredentialKind.API_KEY, null, Map.of(), now, now, null, false));
  }

  @Test
  void toString_redactsSecrets() {
    try (Secret s = Secret.of("tok-SECRETVALUE");
        Credential c = Credential.builder(CredentialId.of("k6")).token(s).build()) {
      assertFalse(c.toString().contains("SECRETVALUE"));
      assertFalse(c.metadata().toString().contains("SECRETVALUE"));
    }
  }

  @Test
  void rotatedTo_keepsOnePreviousSecret() {
    Instant now = Instant.parse("2025-03-03T00:00:00Z");
    try (Secret a = Secret.of("a"); Secret b = Secret.of("b"); Secret c = Secret.of("c");
        Credential first = Credential.builder(CredentialId.of("k6")).token(a).build();
        Credential second = first.rotatedTo(b, now);
        Credential third = second.rotatedTo(c, now.plusSeconds(1))) {
      assertTrue(second.previousSecret().orElseThrow().sameAs(a));
      assertTrue(third.previousSecret().orElseThrow().sameAs(b));
      assertTrue(third.secret().sameAs(c));
      assertEquals(now.plusSeconds(1), third.metadata().rotatedAt());
      assertEquals(first.metadata().createdAt(), third.metadata().createdAt());
    }
  }

  @Test
  void close_zeroesSecretsHeldByTheCredential() {
    Secret s = Secret.of("t");
    Credential c = Credential.builder(CredentialId.of("k6")).token(s).build();
    c.close();
    assertTrue(c.secret().isClosed());
    assertFalse(s.isClosed(), "the caller's own secret is independent");
    s.close();
  }
}
