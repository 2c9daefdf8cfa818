package dev.credstore.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Secret;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FingerprintTest {

  private static String of(String token) {
    try (Secret secret = Secret.of(token)) {
      return Fingerprint.of(secret);
    }
  }

  @Test
  void githubToken_showsItsTypePrefixAndFourHexDigits() {
    String shown = of("ghp_16C7e42F292c6912E7710c838347Ae178B4a");
    assertTrue(shown.matches("ghp_\\*\\*\\*\\*:[0-9a-f]{4}"), shown);
  }

  @Test
  void prefixes_ofKnownFormats_areKept_andRandomTokensShowNone() {
    assertTrue(of("glpat-xxxxxxxxxxxxxxxxxxxx").startsWith("glpat-****:"));
    assertTrue(of("github_pat_11ABCDEFG0123456789abcdef").startsWith("github_pat_****:"));
    assertTrue(of("sk-proj-abcdefghijklmnopqrstuv").startsWith("sk-proj-****:"));
    assertTrue(of("Zx8_Kq2mW9vLp4rT7yB3nC6hF").startsWith("****:"), "mixed case: no prefix");
    assertTrue(of("a1b2c3d4e5f6a7b8c9d0e1f2").startsWith("****:"), "no separator: no prefix");
    assertTrue(of("abcdefab-1234-4abc-8def-0123456789ab").startsWith("****:"), "a UUID: none");
  }

  @Test
  void sameToken_sameFingerprint_otherToken_usuallyOther() {
    assertEquals(of("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        of("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assertNotEquals(of("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        of("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
  }

  @Test
  void shortSecret_showsNoHashAndNoCharacters() {
    assertEquals("****", of("123456"));
    assertEquals("****", of("sk-0123456789abcde"));
  }

  @Test
  void fingerprint_neverContainsTheSecretsCharactersBeyondThePrefix() {
    String token = "ghp_Wq3eRt5yUi7oPa9sDf2gHj4kLz6xCv8bNm1Q";
    String shown = of(token);
    String rest = token.substring(4);
    for (int i = 0; i + 4 <= rest.length(); i++) {
      assertFalse(shown.contains(rest.substring(i, i + 4)), shown);
    }
  }

  @Test
  void sixteenBits_cannotConfirmAGuess_manyCandidatesShareEachFingerprint() {
    // 2^18 candidates of one format spread over the 2^16 values: each value is shared by several,
    // so a fingerprint narrows a guess list but never singles one out.
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < (1 << 18); i++) {
      counts.merge(of(String.format("ghp_%036d", i)), 1, Integer::sum);
    }
    assertTrue(counts.size() <= 1 << 16, "at most 65536 distinct fingerprints");
    long singles = counts.values().stream().filter(n -> n == 1).count();
    assertTrue(singles < counts.size() / 10, singles + " fingerprints matched one candidate only");
  }

  @Test
  void secretStaysOpen() {
    try (Secret secret = Secret.of("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")) {
      Fingerprint.of(secret);
      assertFalse(secret.isClosed());
      assertEquals(40, secret.length());
    }
  }
}
