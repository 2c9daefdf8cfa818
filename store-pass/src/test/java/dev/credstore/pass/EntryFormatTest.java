package dev.credstore.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryFormatTest {

  private static final CredentialId ID = CredentialId.of("k6");
  private static final Instant MODIFIED = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void rotatedApiKey_isWrittenAsDocumented() throws Exception {
    try (Secret secret = Secret.of("new"); Secret old = Secret.of("old");
        Credential credential = Credential.builder(ID).apiKey("key-1", secret)
            .previousSecret(old).attribute("stackId", "7")
            .createdAt(Instant.parse("2025-01-02T03:04:05.678Z"))
            .updatedAt(Instant.parse("2025-02-02T00:00:00Z"))
            .rotatedAt(Instant.parse("2025-02-02T00:00:00Z")).build()) {
      byte[] encoded = EntryFormat.encode(credential, List.of("a note"));
      assertEquals("new\nstackId: 7\na note\ncredstore-kind: api-key\ncredstore-key-name: key-1\n"
          + "credstore-created: 2025-01-02T03:04:05.678Z\ncredstore-updated: 2025-02-02T00:00:00Z\n"
          + "credstore-rotated: 2025-02-02T00:00:00Z\ncredstore-previous-secret: old\n",
          new String(encoded, StandardCharsets.UTF_8));
      try (EntryFormat.Entry decoded = EntryFormat.decode(ID, encoded, MODIFIED)) {
        assertEquals(credential.metadata(), decoded.credential.metadata());
        assertTrue(decoded.credential.previousSecret().orElseThrow().sameAs(old));
        assertEquals(List.of("a note"), decoded.foreignLines);
      }
    }
  }

  @Test
  void secretOnlyEntry_isATokenSetWhenTheFileChanged() throws Exception {
    try (EntryFormat.Entry decoded = EntryFormat.decode(ID, bytes("tok\r\n"), MODIFIED)) {
      assertEquals(MODIFIED, decoded.credential.metadata().createdAt());
      assertEquals(MODIFIED, decoded.credential.metadata().updatedAt());
      assertTrue(decoded.credential.secret().sameAs(Secret.of("tok")));
    }
  }

  @Test
  void secretWithALineBreak_isRefused_withoutQuotingIt() {
    try (Secret secret = Secret.of("two\nlines");
        Credential credential = Credential.builder(ID).token(secret).build()) {
      StorageException e = assertThrows(StorageException.class,
          () -> EntryFormat.encode(credential, List.of()));
      assertFalse(e.getMessage().contains("two"));
    }
  }

  @Test
  void emptyFirstLine_orBadOwnField_isAnIntegrityFailure() {
    assertThrows(IntegrityException.class, () -> EntryFormat.decode(ID, bytes("\nx: y"), MODIFIED));
    assertThrows(IntegrityException.class,
        () -> EntryFormat.decode(ID, bytes("s\ncredstore-created: yesterday"), MODIFIED));
    assertThrows(IntegrityException.class,
        () -> EntryFormat.decode(ID, bytes("s\ncredstore-kind: api-key"), MODIFIED));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
