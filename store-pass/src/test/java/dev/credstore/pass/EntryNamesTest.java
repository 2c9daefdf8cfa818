package dev.credstore.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.CredentialId;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryNamesTest {

  @Test
  void ordinaryNames_areKeptAsTheyAre() {
    assertEquals("credstore/k6/default", EntryNames.entryName(CredentialId.of("k6")));
    assertEquals("José Müller", EntryNames.encode("José Müller"));
    assertEquals("user@example.com", EntryNames.encode("user@example.com"));
  }

  @Test
  void pathCharacters_andLeadingDots_areEncoded() {
    assertEquals("a%2Fb:c", EntryNames.encode("a/b:c"));
    assertEquals("%2E.", EntryNames.encode(".."));
    assertEquals("%2Egpg-id", EntryNames.encode(".gpg-id"));
    assertEquals("back%5Cslash%25", EntryNames.encode("back\\slash%"));
  }

  @Test
  void decode_invertsEncode() {
    for (String name : List.of("a/b", "..", ".git", "%41", "山田/太郎", "🔑.x", "x.")) {
      assertEquals(name, EntryNames.decode(EntryNames.encode(name)), name);
    }
  }

  @Test
  void decode_rejectsNonCanonicalAndBrokenEncodings() {
    assertNull(EntryNames.decode("%61"), "'a' spelled as %61 would be a second file for 'a'");
    assertNull(EntryNames.decode("%2f"), "lower-case hex is not canonical");
    assertNull(EntryNames.decode("50%"));
    assertNull(EntryNames.decode("%zz"));
    assertNull(EntryNames.decode(".hidden"), "a leading dot is never ours");
  }

  @Test
  void fits_isFalseForNamesLongerThanAFileName() {
    assertTrue(EntryNames.fits(CredentialId.of("svc", "a".repeat(251))));
    assertFalse(EntryNames.fits(CredentialId.of("svc", "a".repeat(252))));
    assertFalse(EntryNames.fits(CredentialId.of("svc", "/".repeat(90))));
  }
}
